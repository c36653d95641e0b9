import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioStore
import GitfolioEvidence
import GitfolioResume

#if canImport(Glibc)
import Glibc
#endif

/// `gitfolio bench`: one-shot latency of a database-reading function against a minimal Swift
/// executable, measured interleaved in the same run, and warm-mode throughput.
public struct Bench: ParsableCommand {
    public init() {}
    public static let configuration = CommandConfiguration(
        abstract: "Measure the functions (one-shot latency vs a minimal Swift executable, warm throughput), the offline writer, the PDF renderer, the hub or the nightly batch.",
        subcommands: [FunctionsBench.self, WriterBench.self, RenderBench.self, HubBench.self, NightlyBench.self], defaultSubcommand: FunctionsBench.self)
}

struct FunctionsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "functions", abstract: "One-shot latency (vs minimal Swift executables) and warm-mode throughput.")
    @Option(help: "One-shot runs of each executable.") var runs = 300
    @Option(help: "Requests sent to the warm process(es).") var warmRequests = 20_000
    @Option(help: "Folder of the function executables (default: beside gitfolio).") var functions: String?
    @Option(help: "Folder of another build's `me` and `session` (an earlier commit), timed in the same run for an A/B.")
    var baseline: String?

    func run() throws {
        let dir = functionsDirectory(functions)
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        for name in ["me", "session", "bench-minimal", "bench-foundation"] where !FileManager.default.isExecutableFile(atPath: path(name)) {
            throw ValidationError("\(path(name)) is missing; build first (swift build -c release).")
        }
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("gitfolio-bench-\(getpid())")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: work) }

        // A member with a session, so `GET /api/me` does real work: session lookup and profile read.
        let dbPath = work.appendingPathComponent("bench.sqlite").path
        let database = try AppDatabase(path: dbPath, create: true)
        let member = try database.upsertLocalMember(login: "bench", name: "Bench", now: Date())
        _ = try database.replaceProfile(memberID: member.id, with: Profile(
            name: "벤치 Bench", email: "bench@example.com", jobRole: .backend,
            education: [Education(schoolType: .bachelor, schoolName: "한국대학교", status: .graduated, start: "2018.03", end: "2022.02")],
            links: [ProfileLink(title: "GitHub", url: "https://github.com/bench")]), now: Date())
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
        if baseline != nil {
            // Builds before the store left GRDB read their migrations from `grdb_migrations`.
            try database.database.write { db in
                try db.execute("CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
                for (identifier, _) in Schema.migrations { try db.execute("INSERT OR IGNORE INTO grdb_migrations VALUES (?)", [identifier]) }
            }
        }
        let event = { (name: String) in
            Data(FunctionRequest(method: "GET", path: "/api/\(name)", headers: ["cookie": "gitfolio_session=\(token)"]).event.serialized.utf8)
        }
        var env = ProcessInfo.processInfo.environment
        env["GITFOLIO_DB"] = dbPath
        env["GITFOLIO_SECRET_FILE"] = work.appendingPathComponent("secret.key").path
        env.removeValue(forKey: "GITFOLIO_FUNCTION_MODE")
        env.removeValue(forKey: "GATEWAY_INTERFACE")
        let envList = env.map { "\($0.key)=\($0.value)" }

        // The executables timed, in the order each round runs them, with the event each is sent.
        // The functions first (this build's, then the baseline's), then the two references.
        var subjects: [(label: String, path: String, event: Data)] = [
            ("me (GET /api/me: session + profile, Foundation)", path("me"), try event("me")),
            ("session (GET /api/session: session, no Foundation)", path("session"), try event("session")),
        ]
        if let baseline {
            let old = URL(fileURLWithPath: baseline).standardizedFileURL
            subjects += [("me, baseline build", old.appendingPathComponent("me").path, try event("me")),
                         ("session, baseline build", old.appendingPathComponent("session").path, try event("session"))]
        }
        let functionCount = subjects.count
        subjects += [
            ("bench-minimal (stdin → stdout)", path("bench-minimal"), try event("me")),
            ("bench-foundation (JSONDecoder)", path("bench-foundation"), try event("me")),
        ]
        // Check that the functions really answer 200 for the signed-in member before timing them.
        for subject in subjects.prefix(functionCount) {
            let (probe, _) = try Spawn.run(subject.path, arguments: [], environment: envList, input: subject.event)
            guard let response = try? FunctionResponse.parse(event: Array(probe)), response.statusCode == 200,
                  response.bodyText.contains(#""login":"bench""#)
            else { throw ValidationError("\(subject.path) did not answer 200: \(String(decoding: probe, as: UTF8.self))") }
        }

        print("Gitfolio function benchmark: \(runs) one-shot runs of each executable, interleaved; \(warmRequests) warm requests")
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores; functions from \(dir.path)")
        var times = [[Double]](repeating: [], count: subjects.count)
        for i in 0..<(runs + 10) {
            for (k, subject) in subjects.enumerated() {
                let (_, t) = try Spawn.run(subject.path, arguments: [], environment: envList, input: subject.event)
                if i >= 10 { times[k].append(t) }  // ten rounds to warm the page cache
            }
        }
        let width = subjects.map(\.label.count).max()!
        for (k, subject) in subjects.enumerated() {
            let s = times[k].sorted()
            let p = { (q: Double) in s[min(s.count - 1, Int(Double(s.count) * q))] }
            print("one-shot " + subject.label.padding(toLength: width, withPad: " ", startingAt: 0)
                  + String(format: "  p50 %6.2f ms   p99 %6.2f ms   mean %6.2f ms", p(0.5), p(0.99), s.reduce(0, +) / Double(s.count)))
        }
        let p50 = times.map { $0.sorted()[$0.count / 2] }
        let minimal = p50[functionCount], foundation = p50[functionCount + 1]
        for k in 0..<functionCount {
            print(String(format: "one-shot %@: %.2fx the minimal executable at p50 (target ≤ 2x for session); %.2fx the Foundation one",
                         subjects[k].label, p50[k] / minimal, p50[k] / foundation))
        }

        for subject in subjects.prefix(functionCount) {
            let name = subject.label
            for processes in [1, 2] {
                let per = warmRequests / processes
                let start = Spawn.now()
                let group = DispatchGroup()
                let failures = Counter()
                for _ in 0..<processes {
                    group.enter()
                    DispatchQueue.global().async {
                        do {
                            let ok = try Spawn.warm(subject.path, environment: envList, event: subject.event, count: per)
                            if ok != per { failures.add(per - ok) }
                        } catch { failures.add(per) }
                        group.leave()
                    }
                }
                group.wait()
                let seconds = (Spawn.now() - start) / 1000
                print(String(format: "warm %@, %d process%@: %d requests in %.2f s = %.0f requests/s%@", name, processes,
                             processes == 1 ? "" : "es", per * processes, seconds, Double(per * processes) / seconds,
                             failures.value > 0 ? " (\(failures.value) failed)" : ""))
            }
        }
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add(_ n: Int) { lock.lock(); count += n; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return count }
}

/// posix_spawn with pipes: the least overhead a runner can add when starting a process.
enum Spawn {
    private static let spawnLock = NSLock()

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1_000_000
    }

    static func start(_ path: String, arguments: [String], environment: [String]) throws -> (pid: pid_t, stdin: Int32, stdout: Int32) {
        var inPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0]
        // The parent's ends are close-on-exec, so that a process spawned at the same time from another
        // thread does not inherit (and hold open) this one's pipes; the lock makes pipe + fcntl + spawn
        // one step with respect to other spawns.
        spawnLock.lock()
        defer { spawnLock.unlock() }
        guard pipe(&inPipe) == 0, pipe(&outPipe) == 0 else { throw ValidationError("pipe failed") }
        for fd in [inPipe[1], outPipe[0]] { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        for fd in [inPipe[0], inPipe[1], outPipe[0], outPipe[1]] { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        // A clean signal mask: the calling dispatch thread blocks nearly every signal, and a child
        // that inherits that mask cannot be stopped with SIGTERM.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        var pid: pid_t = 0
        let rc = ChildProcesses.starting { posix_spawn(&pid, path, &actions, &attributes, argv, envp) }
        close(inPipe[0])
        close(outPipe[1])
        guard rc == 0 else { throw ValidationError("posix_spawn \(path) failed: \(rc)") }
        return (pid, inPipe[1], outPipe[0])
    }

    /// Starts the executable, writes `input`, reads all output; returns it and the wall time in ms.
    static func run(_ path: String, arguments: [String], environment: [String], input: Data) throws -> (Data, Double) {
        let t0 = now()
        let (pid, stdin, stdout) = try start(path, arguments: arguments, environment: environment)
        writeAll(Array(input), to: stdin)
        close(stdin)
        let output = Data(ByteReader(fd: stdout).readAll(limit: 1 << 24) ?? [])
        close(stdout)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return (output, now() - t0)
    }

    /// Streams `count` events to one warm process from a writer thread while reading the answers;
    /// returns how many answers had status 200.
    static func warm(_ path: String, environment: [String], event: Data, count: Int) throws -> Int {
        try warm(path, environment: environment, events: [event], count: count)
    }

    /// As above, cycling through `events`.
    static func warm(_ path: String, environment: [String], events: [Data], count: Int) throws -> Int {
        let (pid, stdin, stdout) = try start(path, arguments: ["--warm"], environment: environment)
        let lines = events.map { Array($0) + [0x0A] }
        let writer = Thread {
            var sent = 0
            while sent < count {
                var batch: [UInt8] = []
                for k in sent..<min(sent + 64, count) { batch += lines[k % lines.count] }
                writeAll(batch, to: stdin)
                sent = min(sent + 64, count)
            }
            close(stdin)
        }
        writer.start()
        let reader = ByteReader(fd: stdout)
        var ok = 0
        let marker = Data(#""statusCode":200"#.utf8)
        for _ in 0..<count {
            guard case .line(let answer) = reader.nextLine(limit: 1 << 22) else { break }
            if Data(answer).range(of: marker) != nil { ok += 1 }
        }
        close(stdout)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        return ok
    }
}

/// `gitfolio bench writer`: offline generation (writer + grounding check) for many repositories.
struct WriterBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "writer", abstract: "Time the offline writer and grounding check over N repositories' evidence.")
    @Option(help: "Repositories of evidence.") var repositories = 100
    @Option(help: "Timed rounds per template and language.") var rounds = 20

    func run() throws {
        let evidence = (0..<repositories).map(Self.evidence)
        print("Offline generation: \(repositories) repositories of evidence, \(rounds) rounds per template and language")
        for template in Template.allCases {
            for language in Language.allCases {
                var times: [Double] = []
                var findings = 0
                for _ in 0..<(rounds + 2) {
                    let t0 = Spawn.now()
                    let draft = OfflineWriter().write(evidence: evidence, profile: Profile(name: "Bench", jobRole: .backend),
                                                      template: template, language: language, request: "Spring Boot")
                    let checked = Grounding(evidence: evidence).check(draft)
                    times.append(Spawn.now() - t0)
                    findings = checked.findings.count
                }
                let s = times.dropFirst(2).sorted()
                print(String(format: "%@ %@: p50 %6.2f ms  max %6.2f ms  (%d projects, %d grounding findings; target < 300 ms)",
                             template.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0), language.rawValue,
                             s[s.count / 2], s.last!, repositories, findings))
            }
        }
    }

    /// Realistic evidence for repository `i`: a few languages, manifests, commits and fix commits.
    static func evidence(_ i: Int) -> RepositoryEvidence {
        let stacks = [["Spring Boot", "Spring Data JPA", "MySQL", "Docker"], ["React", "Redux", "Vite"],
                      ["FastAPI", "PostgreSQL", "Docker Compose"], ["Express", "Prisma", "Redis"], ["Gin", "GORM", "Kubernetes"]]
        let languages = [["Java", "Kotlin"], ["TypeScript", "CSS"], ["Python"], ["TypeScript", "JavaScript"], ["Go"]]
        let k = i % stacks.count
        let object: [String: Any] = [
            "name": "project-\(i)", "origin": "https://github.com/bench/project-\(i)",
            "readmeSummary": "Project \(i): a service for team \(i % 7).",
            "languages": languages[k].enumerated().map { ["name": $0.element, "bytes": 40000 / ($0.offset + 1), "share": $0.offset == 0 ? 0.8 : 0.2] },
            "technologies": stacks[k].map { ["name": $0, "category": "framework", "sources": ["build/manifest-\(i)"]] },
            "contribution": [
                "authorEmails": ["bench@example.com"], "commits": 20 + i, "totalCommits": 40 + i,
                "firstMonth": "2023.0\(1 + i % 9)", "lastMonth": "2024.0\(1 + i % 9)",
                "linesAdded": 1000 * (i + 1), "linesDeleted": 200 * (i + 1),
                "areas": [["path": "src", "commits": 15 + i], ["path": "test", "commits": 5]],
                "recentCommits": (0..<20).map { n -> [String: Any] in
                    ["hash": "a\(i)b\(n)cdef0123", "date": "2024-0\(1 + n % 9)-1\(n % 9)",
                     "subject": n % 4 == 0 ? "Fix N+1 query in list \(n)" : "Add feature \(n)"]
                },
            ] as [String: Any],
        ]
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try! JSONDecoder().decode(RepositoryEvidence.self, from: data)
    }
}
