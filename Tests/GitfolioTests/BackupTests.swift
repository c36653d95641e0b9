import Foundation
import FunctionCore
import GitfolioCore
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import StoreCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A hub on a temporary file for tests that need other processes writing: two owners' public
/// resumes and readers with sessions.
struct WritableHub {
    let dir: TempDir
    let env: [String: String]
    let resumes: [Int64]
    let readerCookies: [String]

    var path: String { dir.path("g.sqlite") }

    /// In `dir` (a fresh temporary folder by default).
    init(readers: Int = 6, in dir: TempDir? = nil) throws {
        self.dir = try dir ?? TempDir("gitfolio-writers")
        let dir = self.dir
        env = ["GITFOLIO_DB": dir.path("g.sqlite"), "GITFOLIO_SECRET_FILE": dir.path("secret.key"),
               "PATH": "/usr/bin:/bin", "GITFOLIO_PUBLIC_URL": "http://127.0.0.1:8080"]
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        var ids: [Int64] = []
        for owner in ["owner-a", "owner-b"] {
            let member = try db.upsertLocalMember(login: owner, name: owner, now: Date())
            let id = try db.createResume(memberID: member.id, title: owner, resume: Resume.sample(.ko), now: Date())
            try db.setVisibility(.public, resumeID: id, memberID: member.id, now: Date())
            ids.append(id)
        }
        resumes = ids
        readerCookies = try (0..<readers).map { i in
            let member = try db.upsertLocalMember(login: "reader-\(i)", name: "Reader \(i)", now: Date())
            let token = Secrets.randomToken()
            try db.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
            return "gitfolio_session=\(token)"
        }
    }

    /// A same-origin browser request as a warm function reads it (one line of JSON).
    func event(_ method: String, _ path: String, cookie: String, body: String?) -> Data {
        var headers = ["cookie": cookie, "origin": "http://127.0.0.1:8080", "host": "127.0.0.1:8080"]
        if body != nil { headers["content-type"] = "application/json" }
        return Data(FunctionRequest(method: method, path: path, headers: headers, body: body).event.serialized.utf8) + Data([0x0A])
    }

    /// `SELECT` of one integer on a fresh connection.
    func count(_ sql: String, at path: String? = nil) throws -> Int {
        let db = try Database(path: path ?? self.path)
        return Int(try db.read { try $0.integer(sql) } ?? -1)
    }
}

/// A warm function process fed requests in a loop by `next(i)` until `stop()`; counts its answers
/// by status. Its stdout is drained as it writes, so the process never blocks on a full pipe.
final class WarmWriter: @unchecked Sendable {
    let process = Process()
    private let input = ChildProcesses.pipe(), output = ChildProcesses.pipe(), errors = ChildProcesses.pipe()
    private let lock = NSLock()
    private var statuses: [Int: Int] = [:]
    private var running = true
    private var sent = 0
    private var feeder: Thread!
    private var reader: Thread!

    init(_ name: String, environment: [String: String], next: @escaping @Sendable (Int) -> Data) throws {
        process.executableURL = Built.executable(name)
        process.arguments = ["--warm"]
        process.environment = environment
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.runAlone()
        let input = self.input, output = self.output
        feeder = Thread { [self] in
            var i = 0
            while isRunning {
                // Few requests in flight: a warm process answers in order.
                while inFlight > 4 && isRunning { usleep(500) }
                do { try input.fileHandleForWriting.write(contentsOf: next(i)) } catch { break }
                didSend()
                i += 1
            }
            try? input.fileHandleForWriting.close()
        }
        reader = Thread { [self] in
            var pending = Data()
            while true {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: 0x0A) {
                    let line = pending[pending.startIndex..<newline]
                    pending = Data(pending[(newline + 1)...])
                    let status = (try? FunctionResponse.parse(event: Array(line)).statusCode) ?? -1
                    record(status)
                }
            }
        }
        feeder.start()
        reader.start()
    }

    private var isRunning: Bool { lock.lock(); defer { lock.unlock() }; return running }
    private var inFlight: Int { lock.lock(); defer { lock.unlock() }; return sent - statuses.values.reduce(0, +) }
    private func didSend() { lock.lock(); sent += 1; lock.unlock() }
    private func record(_ status: Int) { lock.lock(); statuses[status, default: 0] += 1; lock.unlock() }

    /// Answers so far, by status.
    var answers: [Int: Int] { lock.lock(); defer { lock.unlock() }; return statuses }
    var answered: Int { answers.values.reduce(0, +) }

    /// Stops feeding, lets the process answer what it has and exit; returns the answers by status.
    func stop() -> [Int: Int] {
        lock.lock(); running = false; lock.unlock()
        while !feeder.isFinished { usleep(1000) }
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return answers
    }

    var stderr: String { String(decoding: errors.fileHandleForReading.availableData, as: UTF8.self) }
}

@Suite(.serialized) struct BackupTests {
    /// A backup taken by `gitfolio backup` while a `like` process likes and unlikes without pause is
    /// one consistent snapshot; `gitfolio restore` puts it back into a fresh file and over a live
    /// one (only with --force), and the content is the backup's, table by table.
    @Test func backupWhileFunctionsWriteRestoresTheSameContent() async throws {
        let hub = try WritableHub()
        defer { hub.dir.remove() }
        // Each reader likes then unlikes each resume, round and round: every answer is a 200 (or a 429 past the rate limit).
        let cookies = hub.readerCookies, resumes = hub.resumes
        let writer = try WarmWriter("like", environment: hub.env) { i in
            let pair = (i / 2) % (cookies.count * resumes.count)
            return hub.event(i % 2 == 0 ? "POST" : "DELETE", "/api/like", cookie: cookies[pair % cookies.count],
                             body: #"{"resumeId":\#(resumes[pair / cookies.count])}"#)
        }
        // Comments too, from a second process (a second writer contending for the lock).
        let commenter = try WarmWriter("comment", environment: hub.env) { i in
            hub.event("POST", "/api/comment", cookie: cookies[i % cookies.count],
                      body: #"{"resumeId":\#(resumes[i % resumes.count]),"body":"좋은 이력서입니다 \#(i)"}"#)
        }
        while writer.answered < 200 { try await Task.sleep(for: .milliseconds(20)) }
        let before = writer.answered

        let backupFile = hub.dir.path("backup.sqlite")
        let backup = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["backup", "--db", hub.path, "--out", backupFile],
                                               environment: hub.env, input: Data())
        let during = writer.answered
        try await Task.sleep(for: .milliseconds(300))
        let likeAnswers = writer.stop()
        let commentAnswers = commenter.stop()
        #expect(backup.status == 0, "\(backup.err)")
        #expect(backup.out.contains("backed up"), "\(backup.out)")
        // The writers kept writing while the backup ran, and nothing failed.
        #expect(during > before, "the like process did not write during the backup")
        // (Likes past the per-member burst limit are refused by design, with a 429: never an error.)
        #expect(Set(likeAnswers.keys).isSubset(of: [200, 429]) && (likeAnswers[200] ?? 0) > 0, "\(likeAnswers)")
        #expect(Set(commentAnswers.keys).isSubset(of: [201, 429]) && (commentAnswers[201] ?? 0) > 0, "\(commentAnswers)")

        // The backup: private, intact, and one snapshot (the counts the triggers keep agree with the rows).
        let mode = try FileManager.default.attributesOfItem(atPath: backupFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(!FileManager.default.fileExists(atPath: backupFile + "-wal"))
        let tables = try Backup.verify(backupFile)
        #expect(tables.contains { $0.table == "resume_like" } && tables.contains { $0.table == "comment" })
        #expect(try hub.count("SELECT count(*) FROM resume WHERE like_count != (SELECT count(*) FROM resume_like l WHERE l.resume_id = resume.id)",
                              at: backupFile) == 0)
        #expect(try hub.count("SELECT count(*) FROM resume WHERE comment_count != (SELECT count(*) FROM comment c WHERE c.resume_id = resume.id)",
                              at: backupFile) == 0)
        let liveComments = try hub.count("SELECT count(*) FROM comment")
        let backedUpComments = try hub.count("SELECT count(*) FROM comment", at: backupFile)
        #expect(backedUpComments > 0 && backedUpComments <= liveComments, "backup \(backedUpComments), live \(liveComments)")

        // Restored into a fresh path: the same content, table by table.
        let fresh = hub.dir.path("restored/g.sqlite")
        try FileManager.default.createDirectory(atPath: hub.dir.path("restored"), withIntermediateDirectories: true)
        let restore = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--from", backupFile, "--db", fresh],
                                                environment: hub.env, input: Data())
        #expect(restore.status == 0, "\(restore.err)")
        #expect(try Backup.summary(of: fresh) == tables)
        #expect(try Database(path: fresh).integrityCheck() == "ok")
        #expect(try Database(path: fresh).read { try $0.text("PRAGMA journal_mode") } == "wal")

        // Over the live database: refused without --force, and nothing changes.
        // (The writers may have been refused by the rate limits after the backup: write once more, so
        // that the live file surely differs from the backup.)
        _ = try AppDatabase(path: hub.path).upsertLocalMember(login: "after-backup", name: "After", now: Date())
        let liveBefore = try Backup.summary(of: hub.path)
        #expect(liveBefore != tables)
        let refused = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--from", backupFile, "--db", hub.path],
                                                environment: hub.env, input: Data())
        #expect(refused.status != 0 && refused.err.contains("--force"), "\(refused.err)")
        #expect(try Backup.summary(of: hub.path) == liveBefore)
        // With --force, while a function process has the file open (it reads and writes after it).
        let reader = try WarmWriter("like", environment: hub.env) { _ in
            hub.event("GET", "/api/like", cookie: cookies[0], body: nil)
        }
        let forced = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--from", backupFile, "--db", hub.path, "--force"],
                                               environment: hub.env, input: Data())
        #expect(forced.status == 0, "\(forced.err)")
        #expect(reader.stop().keys.sorted() == [200])
        #expect(try Backup.summary(of: hub.path) == tables)
        #expect(try Database(path: hub.path).integrityCheck() == "ok")
    }

    /// A damaged backup, a file that is not Gitfolio's and a missing one are refused before anything is
    /// touched; so is a backup over an existing backup file.
    @Test func restoreChecksTheBackupFirst() async throws {
        let hub = try WritableHub(readers: 2)
        defer { hub.dir.remove() }
        let good = hub.dir.path("good.sqlite")
        _ = try Backup.take(from: hub.path, to: good)
        #expect(throws: StoreError.self) { try Backup.take(from: hub.path, to: good) }  // never over a file

        // Bytes overwritten in the middle of a copy (every page after the first).
        let damaged = hub.dir.path("damaged.sqlite")
        try FileManager.default.copyItem(atPath: good, toPath: damaged)
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: damaged))
        let size = try handle.seekToEnd()
        try handle.seek(toOffset: 4096)
        try handle.write(contentsOf: Data(repeating: 0xA5, count: Int(size) - 4096))
        try handle.close()
        try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: hub.dir.path("notes.txt")))
        let liveBefore = try Backup.summary(of: hub.path)
        for (file, expected) in [(damaged, "integrity"), (hub.dir.path("notes.txt"), ""), (hub.dir.path("none.sqlite"), "no backup file")] {
            let result = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--from", file, "--db", hub.path, "--force"],
                                                   environment: hub.env, input: Data())
            #expect(result.status != 0, "\(file): \(result.out)")
            #expect(expected.isEmpty || result.err.contains(expected), "\(file): \(result.err)")
        }
        #expect(try Backup.summary(of: hub.path) == liveBefore)
        let check = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["restore", "--check", "--from", good],
                                              environment: hub.env, input: Data())
        #expect(check.status == 0 && check.out.contains("integrity ok") && check.out.contains("resume_like"), "\(check.out)\(check.err)")
    }
}
