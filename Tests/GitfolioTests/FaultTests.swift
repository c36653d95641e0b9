import Foundation
import FunctionCore
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioGitHub
import GitfolioHTTP
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import StoreCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Whether this process may mount file systems (root, with the capability): a small tmpfs for the
/// disk-full test and a read-only bind mount when permissions cannot stop root.
let canMount: Bool = {
    guard getuid() == 0 else { return false }
    guard let dir = try? TempDir("gitfolio-mount-probe") else { return false }
    defer { dir.remove() }
    guard (try? runProcess(URL(fileURLWithPath: "/bin/mount"), arguments: ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir.url.path],
                           environment: [:], input: Data()))?.status == 0 else { return false }
    _ = try? runProcess(URL(fileURLWithPath: "/bin/umount"), arguments: [dir.url.path], environment: [:], input: Data())
    return true
}()

func run(_ tool: String, _ arguments: [String]) throws {
    let result = try runProcess(URL(fileURLWithPath: tool), arguments: arguments, environment: ["PATH": "/usr/bin:/bin"], input: Data())
    guard result.status == 0 else { throw ProcessError(message: "\(tool) \(arguments.joined(separator: " ")): \(result.err)") }
}

/// One function run one-shot on one event; its answer (the process must exit 0: no crash).
func oneShot(_ name: String, _ hub: WritableHub, _ event: Data, environment: [String: String]? = nil) async throws -> FunctionResponse {
    let result = try await runProcessAsync(Built.executable(name), environment: environment ?? hub.env, input: event)
    guard result.status == 0 else { throw ProcessError(message: "\(name) exited \(result.status): \(result.err)") }
    return try FunctionResponse.parse(event: Array(result.stdout.prefix { $0 != 0x0A }))
}

extension FunctionResponse {
    /// `{"error":{"code","message"}}` with a message a person can read (no SQLite or Swift details).
    var isPlainError: Bool {
        guard let code = errorCode, !code.isEmpty, let message = errorMessage, message.count > 20 else { return false }
        return !message.contains("SQLite") && !message.contains("sqlite") && !message.contains("StoreError") && !message.contains("/tmp/")
    }
}

/// Faults injected under the functions: processes killed mid-write, a read-only, full, locked or
/// corrupted database, and GitHub, the model and KakaoPay failing at the transport. Each gets a plain
/// JSON error (5xx when the server is at fault, 503 with Retry-After when it is temporary) and leaves
/// the database intact.
@Suite(.serialized) struct FaultTests {
    func likeEvent(_ hub: WritableHub, _ method: String = "POST", reader: Int = 0, resume: Int = 0) -> Data {
        hub.event(method, "/api/like", cookie: hub.readerCookies[reader], body: method == "GET" ? nil : #"{"resumeId":\#(hub.resumes[resume])}"#)
    }

    /// The counts the triggers keep agree with the rows, and SQLite finds the file intact.
    func expectConsistent(_ hub: WritableHub, _ context: String = "", sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(try Database(path: hub.path).integrityCheck() == "ok", "\(context)", sourceLocation: sourceLocation)
        #expect(try hub.count("SELECT count(*) FROM resume WHERE like_count != (SELECT count(*) FROM resume_like l WHERE l.resume_id = resume.id)") == 0,
                "\(context)", sourceLocation: sourceLocation)
        #expect(try hub.count("SELECT count(*) FROM resume WHERE comment_count != (SELECT count(*) FROM comment c WHERE c.resume_id = resume.id)") == 0,
                "\(context)", sourceLocation: sourceLocation)
    }

    // MARK: kill -9

    /// `like` and `comment` processes killed with SIGKILL at random moments of their run, many of them
    /// inside their write transaction: every like or comment is there whole (row, count, notification)
    /// or not at all.
    @Test func functionsKilledMidWriteLeaveNoHalfWrittenState() async throws {
        let hub = try WritableHub(readers: 8)
        defer { hub.dir.remove() }
        var killed = 0
        var random = SystemRandomNumberGenerator()
        for i in 0..<48 {
            let event = i % 3 == 2
                ? hub.event("POST", "/api/comment", cookie: hub.readerCookies[i % 8], body: #"{"resumeId":\#(hub.resumes[i % 2]),"body":"피드백 \#(i)"}"#)
                : likeEvent(hub, i % 6 == 1 ? "DELETE" : "POST", reader: i % 8, resume: (i / 8) % 2)
            let delay = UInt32.random(in: 2_000...40_000, using: &random)
            let wasKilled = try await offPool { () -> Bool in
                let process = Process()
                process.executableURL = Built.executable(i % 3 == 2 ? "comment" : "like")
                process.environment = hub.env
                let input = ChildProcesses.pipe()
                process.standardInput = input
                process.standardOutput = FileHandle.nullDevice
                process.standardError = FileHandle.nullDevice
                try process.runAlone()
                input.fileHandleForWriting.write(event)
                try? input.fileHandleForWriting.close()
                usleep(delay)
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return process.terminationReason == .uncaughtSignal
            }
            if wasKilled { killed += 1 }
        }
        // Both happened: processes killed, and writes that completed.
        #expect(killed > 5, "only \(killed) of 48 processes were killed before they finished")
        #expect(try hub.count("SELECT count(*) FROM resume_like") + hub.count("SELECT count(*) FROM comment") > 0, "no write completed")
        try expectConsistent(hub)
        #expect(try hub.count("SELECT count(*) FROM notification WHERE kind = 'COMMENT'") == hub.count("SELECT count(*) FROM comment"))
        // And the file takes writes again.
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 7, resume: 1)).statusCode == 200)
    }

    /// A member signed in with a copy of the example, the fake model configured, and a revision of
    /// its about-me to ask for.
    static func reviseWorld() async throws -> (FakeLLM, Harness, Member, FunctionRequest) {
        let model = try await FakeLLM()
        let h = try Harness(extra: ["GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": model.baseURL.absoluteString + "/v1",
                                    "GITFOLIO_LLM_MODEL": "test-model", "GITFOLIO_LLM_API_KEY": "sk-test"])
        let (member, cookie) = try h.signedInMember()
        let id = try h.database.createResume(memberID: member.id, title: "이력서", resume: Resume.sample(.ko), now: Date())
        let request = browser("POST", "/api/revise", cookie: cookie,
                              json: #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#)
        return (model, h, member, request)
    }

    /// A `revise` killed while the model is thinking: its AI use was charged and neither kept nor given
    /// back. It counts (parallel requests still cannot pass the limit) until its lease is over, and the
    /// member's next charge after that gives it back; a use whose rewrite was answered is kept.
    @Test func aKilledAIRequestGivesItsUseBack() async throws {
        let (model, h, member, request) = try await Self.reviseWorld()
        defer { Task { await model.stop() }; h.dir.remove() }
        var env = h.environment
        env["PATH"] = "/usr/bin:/bin"
        await model.script.load([FakeLLM.Reply(body: "{}", delay: .seconds(60))])

        let process = Process()
        process.executableURL = Built.executable("revise")
        process.environment = env
        let input = ChildProcesses.pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.runAlone()
        input.fileHandleForWriting.write(event(request))
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(30)
        while await model.script.seen.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(await model.script.seen.count == 1, "the model was never asked")
        kill(process.processIdentifier, SIGKILL)
        try await offPool { process.waitUntilExit() }

        let db = h.database.database
        let pending = try db.read { try $0.rows("SELECT id, pending_until FROM ai_use WHERE member_id = ?", [member.id]) }
        #expect(pending.count == 1 && pending.first?.optionalInt64("pending_until") != nil, "\(pending)")
        let dead = try #require(pending.first?.int64("id"))
        // Within the lease it still counts.
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 1)
        // A rewrite that is answered keeps its use.
        await model.script.load([.chat(#"{"replacement":"짧은"}"#)])
        let answered = await h.call(ReviseFunction.handler, request)
        #expect(answered.statusCode == 200, "\(answered.bodyText)")
        #expect(try db.read { try $0.integer("SELECT count(*) FROM ai_use WHERE member_id = ? AND pending_until IS NULL", [member.id]) } == 1)
        // After the lease, the next charge gives the dead one back (and only it).
        let later = Date().addingTimeInterval(Double(AppDatabase.aiUsePendingSeconds) + 1)
        let next = try h.database.chargeAIUse(memberID: member.id, kind: .revise, now: later)
        #expect(try db.read { try $0.integer("SELECT count(*) FROM ai_use WHERE id = ?", [dead]) } == 0)
        #expect(try db.read { try $0.integer("SELECT count(*) FROM ai_use WHERE member_id = ?", [member.id]) } == 2)
        try h.database.refundAIUse(id: next)
        #expect(try db.integrityCheck() == "ok")
    }

    /// A `revise` killed in the window between keeping its use and writing its answer (a pause only debug
    /// builds have, `GITFOLIO_TEST_PAUSE=revise-kept`): the use is kept together with its rewrite, in one
    /// transaction, so it is never a use kept for nothing. With `aKilledAIRequestGivesItsUseBack` (killed
    /// while the model thinks: the use is given back) that covers every kill point of a revision.
    @Test func aReviseKilledAfterKeepingItsUseKeepsItsRewrite() async throws {
        let (model, h, member, request) = try await Self.reviseWorld()
        defer { Task { await model.stop() }; h.dir.remove() }
        var env = h.environment
        env["PATH"] = "/usr/bin:/bin"
        env["GITFOLIO_TEST_PAUSE"] = "revise-kept"
        await model.script.load([.chat(#"{"replacement":"짧은"}"#)])

        let process = Process()
        process.executableURL = Built.executable("revise")
        process.environment = env
        let input = ChildProcesses.pipe(), output = ChildProcesses.pipe(), errors = ChildProcesses.pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.runAlone()
        input.fileHandleForWriting.write(event(request))
        try? input.fileHandleForWriting.close()
        let paused = try await offPool { () -> Bool in
            var text = ""
            while !text.contains("paused: revise-kept") {
                let data = errors.fileHandleForReading.availableData
                if data.isEmpty { return false }
                text += String(decoding: data, as: UTF8.self)
            }
            return true
        }
        #expect(paused, "revise never reached the window (is this a debug build?)")
        kill(process.processIdentifier, SIGKILL)
        try await offPool { process.waitUntilExit() }
        let answer = try await offPool { output.fileHandleForReading.readDataToEndOfFile() }
        #expect(answer.isEmpty, "an answer was written before the kill: \(String(decoding: answer, as: UTF8.self))")

        let db = h.database.database
        let uses = try db.read { try $0.rows("SELECT pending_until, result, request_key FROM ai_use WHERE member_id = ?", [member.id]) }
        #expect(uses.count == 1, "\(uses)")
        #expect(uses.first?.optionalInt64("pending_until") == nil, "the use was not kept")
        #expect(uses.first?.optionalText("result") == "짧은", "the rewrite was not kept with its use")
        let key = try #require(uses.first?.optionalText("request_key"))
        #expect(try h.database.keptAIResult(memberID: member.id, requestKey: key, now: Date()) == "짧은")
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 1)
        #expect(try db.integrityCheck() == "ok")
    }

    // MARK: The database file

    /// The file on a read-only file system (a read-only bind mount as root, permissions otherwise):
    /// writes answer 503 `storage_unavailable` with Retry-After, and nothing is lost once it is writable.
    @Test(.enabled(if: canMount || getuid() != 0, "root without the right to mount: permissions cannot make a file read-only to root"))
    func aReadOnlyDatabaseAnswers503() async throws {
        let hub = try WritableHub(readers: 2)
        defer { hub.dir.remove() }
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 0)).statusCode == 200)
        let view = try TempDir("gitfolio-ro")
        defer { view.remove() }
        var env = hub.env
        if canMount {
            try run("/bin/mount", ["--bind", hub.dir.url.path, view.url.path])
            try run("/bin/mount", ["-o", "remount,bind,ro", view.url.path])
            env["GITFOLIO_DB"] = view.path("g.sqlite")
        } else {
            chmod(hub.dir.url.path, 0o555)
            chmod(hub.path, 0o444)
            for suffix in ["-wal", "-shm"] { chmod(hub.path + suffix, 0o444) }
        }
        let write = try await oneShot("like", hub, likeEvent(hub, reader: 1), environment: env)
        let comment = try await oneShot("comment", hub, hub.event("POST", "/api/comment", cookie: hub.readerCookies[1],
                                                                 body: #"{"resumeId":\#(hub.resumes[0]),"body":"읽기 전용"}"#), environment: env)
        if canMount {
            try run("/bin/umount", [view.url.path])
        } else {
            chmod(hub.dir.url.path, 0o755)
            chmod(hub.path, 0o644)
            for suffix in ["-wal", "-shm"] { chmod(hub.path + suffix, 0o644) }
        }
        for answer in [write, comment] {
            #expect(answer.statusCode == 503 && answer.errorCode == "storage_unavailable", "\(answer.statusCode) \(answer.bodyText)")
            #expect(answer.headers["retry-after"] != nil && answer.isPlainError, "\(answer.headers) \(answer.bodyText)")
        }
        try expectConsistent(hub)
        #expect(try hub.count("SELECT count(*) FROM resume_like") == 1)
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 1)).statusCode == 200)
    }

    /// The disk full (a 1 MiB tmpfs filled to the last byte): writes answer 503 `storage_unavailable`,
    /// the file stays intact, and once space is freed writes succeed again.
    @Test(.enabled(if: canMount, "mounting a small tmpfs needs root")) func aFullDiskAnswers503() async throws {
        let dir = try TempDir("gitfolio-full")
        try run("/bin/mount", ["-t", "tmpfs", "-o", "size=4m", "tmpfs", dir.url.path])
        defer { _ = try? run("/bin/umount", [dir.url.path]); dir.remove() }
        let hub = try WritableHub(readers: 4, in: dir)
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 0)).statusCode == 200)
        // No WAL left to reuse: the next write must grow a file. This connection stays open, as a
        // warm process's would, so the -wal and -shm files stay (the shared memory is allocated).
        let kept = try Database(path: hub.path)
        _ = try kept.statement { try $0.rows("PRAGMA wal_checkpoint(TRUNCATE)") }
        let filler = dir.path("filler")
        _ = FileManager.default.createFile(atPath: filler, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: filler))
        let block = Data(repeating: 0x55, count: 4096)
        while (try? handle.write(contentsOf: block)) != nil {}
        let fd = open(filler, O_WRONLY | O_APPEND)
        while write(fd, "x", 1) == 1 {}
        close(fd)
        try? handle.close()

        var answers: [FunctionResponse] = []
        for reader in 1..<4 {
            answers.append(try await oneShot("like", hub, likeEvent(hub, reader: reader)))
            answers.append(try await oneShot("comment", hub, hub.event("POST", "/api/comment", cookie: hub.readerCookies[reader],
                                                                     body: #"{"resumeId":\#(hub.resumes[1]),"body":"\#(String(repeating: "가", count: 900))"}"#)))
        }
        #expect(answers.allSatisfy { $0.statusCode == 503 && $0.errorCode == "storage_unavailable" && $0.headers["retry-after"] != nil },
                "\(answers.map { "\($0.statusCode) \($0.bodyText)" })")
        #expect(answers.allSatisfy { $0.isPlainError })
        // `comment` also needed the secret key file, which did not exist yet: it could not be written
        // either, and none was left behind half-written (an empty one used to make every later request
        // a 500 once the disk had room again).
        let key = try? Data(contentsOf: URL(fileURLWithPath: hub.dir.path("secret.key")))
        #expect(key == nil || key?.count == 32, "a key file of \(key?.count ?? 0) bytes")
        unlink(filler)
        try expectConsistent(hub)
        #expect(try hub.count("SELECT count(*) FROM resume_like") == 1 && hub.count("SELECT count(*) FROM comment") == 0)
        #expect(try kept.integrityCheck() == "ok")
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 1)).statusCode == 200)
        let comment = try await oneShot("comment", hub, hub.event("POST", "/api/comment", cookie: hub.readerCookies[1],
                                                                  body: #"{"resumeId":\#(hub.resumes[1]),"body":"다시 저장됩니다"}"#))
        #expect(comment.statusCode == 201, "\(comment.bodyText)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: hub.dir.path("secret.key"))).count == 32)
        try expectConsistent(hub)
    }

    /// Another process holds the write lock past the busy timeout (python3's sqlite3 in `BEGIN
    /// EXCLUSIVE`, stopped by SIGTERM later, so its transaction never commits): a write waits the timeout, then answers 503 `database_busy` with Retry-After: 1;
    /// reads go on meanwhile (WAL); once the lock is released the same write succeeds.
    @Test func aLockHeldPastTheBusyTimeoutAnswers503() async throws {
        let hub = try WritableHub(readers: 2)
        defer { hub.dir.remove() }
        let holder = try Running(URL(fileURLWithPath: "/usr/bin/python3"), ["-c", """
            import sqlite3, sys, time
            c = sqlite3.connect(sys.argv[1], isolation_level=None)
            c.execute("BEGIN EXCLUSIVE")
            c.execute("UPDATE resume SET view_count = view_count + 1")
            print("locked", flush=True)
            time.sleep(60)
            """, hub.path], environment: ["PATH": "/usr/bin:/bin"])
        defer { holder.stop() }
        _ = try await holder.await("(locked)")
        let start = Date()
        let blocked = try await oneShot("like", hub, likeEvent(hub))
        let waited = Date().timeIntervalSince(start)
        #expect(blocked.statusCode == 503 && blocked.errorCode == "database_busy" && blocked.headers["retry-after"] == "1",
                "\(blocked.statusCode) \(blocked.bodyText)")
        #expect(blocked.isPlainError)
        #expect(waited >= Double(Database.busyTimeoutMilliseconds) / 1000 - 0.5, "answered after \(waited) s, before the busy timeout")
        let read = try await oneShot("like", hub, likeEvent(hub, "GET"))
        #expect(read.statusCode == 200, "\(read.bodyText)")
        holder.stop()
        #expect(try await oneShot("like", hub, likeEvent(hub)).statusCode == 200)
        try expectConsistent(hub)
        #expect(try hub.count("SELECT count(*) FROM resume_like") == 1)
        #expect(try hub.count("SELECT sum(view_count) FROM resume") == 0)  // the holder's transaction never committed
    }

    /// Bytes overwritten in the middle of the file: the functions answer a plain 500 (the server is at
    /// fault and retrying will not help) without crashing, the operator's log says why, and `gitfolio
    /// restore --force` from the last backup brings the service back.
    @Test func aCorruptedDatabaseAnswers500AndARestoreRepairsIt() async throws {
        let hub = try WritableHub(readers: 2)
        defer { hub.dir.remove() }
        #expect(try await oneShot("like", hub, likeEvent(hub)).statusCode == 200)
        let backup = hub.dir.path("backup.sqlite")
        _ = try Backup.take(from: hub.path, to: backup)
        _ = try Database(path: hub.path).statement { try $0.rows("PRAGMA wal_checkpoint(TRUNCATE)") }
        let size = try FileManager.default.attributesOfItem(atPath: hub.path)[.size] as? Int ?? 0
        #expect(size > 16 * 4096)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: hub.path))
        try handle.seek(toOffset: UInt64(2 * 4096))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: size - 3 * 4096))
        try handle.close()

        for (name, event) in [("like", likeEvent(hub, reader: 1)), ("like", likeEvent(hub, "GET")),
                              ("session", hub.event("GET", "/api/session", cookie: hub.readerCookies[0], body: nil))] {
            let result = try await runProcessAsync(Built.executable(name), environment: hub.env, input: event)
            #expect(result.status == 0, "\(name) crashed: \(result.err)")
            let answer = try FunctionResponse.parse(event: Array(result.stdout.prefix { $0 != 0x0A }))
            #expect(answer.statusCode == 500 && answer.errorCode == "internal" && answer.isPlainError, "\(name): \(answer.bodyText)")
            #expect(result.err.contains("malformed") || result.err.contains("not a database"), "\(name)'s log: \(result.err)")
        }
        #expect((try? Database(path: hub.path).integrityCheck()) != "ok")
        let restore = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--from", backup, "--db", hub.path, "--force"],
                                                environment: hub.env, input: Data())
        #expect(restore.status == 0, "\(restore.err)")
        try expectConsistent(hub)
        #expect(try await oneShot("like", hub, likeEvent(hub, reader: 1)).statusCode == 200)
    }

    /// The secret key file is made whole or not at all: processes starting at once on a fresh path
    /// agree on one key, no draft is left beside it, and an empty key file (what a full disk used to
    /// leave) is an operator's error naming the fix, not a wait and a bare 500.
    @Test func theSecretKeyFileIsNeverLeftHalfWritten() async throws {
        let dir = try TempDir("gitfolio-key")
        defer { dir.remove() }
        let file = dir.path("secret.key")
        let keys = try await withThrowingTaskGroup(of: [UInt8].self) { group in
            for _ in 0..<8 { group.addTask { try await offPool { try SecretKey.load(value: nil, file: file) } } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(keys.count == 8 && Set(keys.map { $0.description }).count == 1 && keys[0].count == 32)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.url.path) == ["secret.key"])
        let empty = dir.path("empty.key")
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let refusal = Result<[UInt8], any Error> { try SecretKey.load(value: nil, file: empty) }
        guard case .failure(let failure) = refusal, let error = failure as? APIError else {
            Issue.record("an empty key file was accepted")
            return
        }
        #expect(error.status == 500 && (error.detail ?? "").contains("does not hold 32 bytes"), "\(error)")
    }

    // MARK: GitHub, the model and KakaoPay

    enum Upstream: String, CaseIterable, Sendable { case github, model, kakaoPay }

    /// Each outside service hanging, answering garbage, closing mid-response or resetting the
    /// connection: the member gets a plain JSON error in both languages (504 when the service did not
    /// answer in time, 502 when it answered badly), no AI use stays charged, no payment attempt
    /// is left half-made, and the database is intact.
    @Test(arguments: Upstream.allCases, FaultServer.Mode.allCases)
    func anOutsideServiceFailingGivesAClearError(upstream: Upstream, mode: FaultServer.Mode) async throws {
        let fault = try FaultServer(mode)
        defer { fault.stop() }
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        var extra: [String: String] = [:]
        switch upstream {
        case .github: extra = ["GITHUB_API_URL": fault.baseURL.absoluteString]
        case .model: extra = ["GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": fault.baseURL.absoluteString + "/v1",
                              "GITFOLIO_LLM_MODEL": "test-model", "GITFOLIO_LLM_API_KEY": "sk-test"]
        case .kakaoPay: extra = ["KAKAOPAY_SECRET_KEY": FakeKakaoPay.testSecretKey, "KAKAOPAY_CID": "TCSUBSCRIP",
                                 "KAKAOPAY_API_URL": fault.baseURL.absoluteString]
        }
        let h = try Harness(github: github, extra: extra)
        defer { h.dir.remove() }
        // A short timeout, so that a hanging service costs a second of the suite rather than fifteen.
        var services = h.services
        services.transport = URLSessionTransport(timeout: 1)
        let call = { [services] (handler: @escaping ServiceHandler, request: FunctionRequest) async -> FunctionResponse in
            await FunctionRunner.respond(.success(request), context: FunctionContext(name: "test", mode: .oneShot)) { r, c in
                try await handler(services, r, c)
            }
        }
        let token = await github.state.issueToken()
        let member = try h.database.upsertGitHubMember(
            account: GitHubAccount(id: 583_231, login: "alice-dev", name: "앨리스", email: "alice@example.com", avatarURL: ""),
            tokenCiphertext: try h.services.cipher.seal(token), scope: "read:user,user:email", now: Date())
        let session = Secrets.randomToken()
        try h.database.createSession(hash: Secrets.sha256Hex(session), memberID: member.id, now: Date())
        let cookie = "gitfolio_session=\(session)"

        let response: FunctionResponse
        switch upstream {
        case .github:
            response = await call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie,
                                                                     json: #"{"repositories":["alice-dev/shop-api"]}"#))
        case .model:
            let id = try h.database.createResume(memberID: member.id, title: "이력서", resume: Resume.sample(.ko), now: Date())
            response = await call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
                                                                 json: #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#))
        case .kakaoPay:
            response = await call(SubscriptionFunction.handler, browser("POST", "/api/subscription", cookie: cookie, json: #"{"language":"ko"}"#))
        }
        #expect(fault.requests >= 1, "the fault server was never asked")
        // One rule for every service: no answer in time is a 504, a bad answer (garbage, a broken or reset
        // connection) a 502; the code says which service and what happened.
        let expected: (status: Int, code: String) = switch (upstream, mode) {
        case (.github, .hang): (504, "github_timeout")
        case (.github, .garbage): (502, "github_bad_answer")
        case (.github, _): (502, "github_unreachable")
        case (.model, .hang): (504, "model_timeout")
        case (.model, .garbage): (502, "model_bad_output")
        case (.model, _): (502, "model_unreachable")
        case (.kakaoPay, .hang): (504, "payment_timeout")
        case (.kakaoPay, _): (502, "payment_not_started")
        }
        #expect(response.statusCode == expected.status && response.errorShape?.code == expected.code,
                "\(upstream) \(mode): \(response.statusCode) \(response.bodyText)")
        #expect(response.isPlainError, "\(upstream) \(mode): \(response.bodyText)")
        #expect(response.errorKorean != nil, "\(upstream) \(mode): no Korean message: \(response.bodyText)")
        #expect(!response.bodyText.contains("127.0.0.1") && !response.bodyText.contains("sk-test"), "\(response.bodyText)")
        let db = h.database.database
        #expect(try db.read { try $0.integer("SELECT count(*) FROM ai_use") } == 0, "\(upstream) \(mode): an AI use stayed charged")
        #expect(try db.read { try $0.integer("SELECT count(*) FROM subscription") } == 0)
        #expect(try db.read { try $0.integer("SELECT count(*) FROM checkout") } == 0)
        #expect(try db.read { try $0.integer("SELECT count(*) FROM member WHERE plan != 'FREE'") } == 0)
        #expect(try db.integrityCheck() == "ok")
    }
}
