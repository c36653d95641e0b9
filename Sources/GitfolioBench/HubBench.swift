import ArgumentParser
import Foundation
import FunctionCore
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioStore
import SiteBuilder
import StoreCore

#if canImport(Glibc)
import Glibc
#endif

/// A synthetic hub: varied public resumes (ten per member, the plan's limit), with likes and views,
/// reproducible from a seed. `gitfolio seed-hub` fills a database with it; `gitfolio bench hub` times
/// the site and the hub functions on it.
public enum SyntheticHub {
    /// Publishes `count` resumes into `database`; returns their ids, oldest first.
    public static func generate(database: AppDatabase, count: Int, seed: UInt64 = 12,
                                progress: (String) -> Void = { _ in }) throws -> [Int64] {
        var random = SplitMix64(seed: seed)
        let surnames = ["김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권"]
        let given = ["하늘", "민준", "서연", "도윤", "지우", "하준", "서윤", "예준", "지호", "수아", "은우", "지민", "유진", "태윤"]
        let englishGiven = ["Haneul", "Minjun", "Seoyeon", "Doyun", "Jiwoo", "Hajun", "Seoyun", "Yejun", "Jiho", "Sua"]
        let englishSurnames = ["Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim"]
        let stacks: [JobRole: [String]] = [
            .backend: ["Java", "Spring Boot", "Kotlin", "MySQL", "PostgreSQL", "Redis", "Kafka", "Docker", "JPA", "Go", "gRPC", "Node.js", "NestJS"],
            .frontend: ["TypeScript", "React", "Next.js", "Vue.js", "Redux", "Tailwind CSS", "Vite", "Jest", "Storybook", "GraphQL", "Svelte"],
            .infra: ["Kubernetes", "Terraform", "AWS", "Docker", "Prometheus", "Grafana", "Ansible", "GitHub Actions", "Argo CD", "Linux", "Nginx"],
            .ai: ["Python", "PyTorch", "TensorFlow", "scikit-learn", "Pandas", "FastAPI", "Hugging Face Transformers", "LangChain", "NumPy", "CUDA"],
            .game: ["C++", "Unity", "Unreal Engine", "C#", "Lua", "OpenGL", "Vulkan", "DirectX", "Photon", "FMOD"],
        ]
        let roles: [JobRole] = [.backend, .backend, .backend, .frontend, .frontend, .infra, .ai, .game]
        let now = Date()
        var ids: [Int64] = []
        ids.reserveCapacity(count)
        var members: [Member] = []
        for i in 0..<count {
            if i % 10 == 0 {
                members.append(try database.upsertLocalMember(login: "hub-\(i / 10)", name: "Hub \(i / 10)", now: now))
            }
            let language: Language = random.next(4) == 0 ? .en : .ko
            var resume = Resume.sample(language, template: Template.allCases[random.next(Template.allCases.count)])
            let role = roles[random.next(roles.count)]
            resume.profile.jobRole = role
            resume.profile.name = language == .ko ? surnames[random.next(surnames.count)] + given[random.next(given.count)]
                : englishGiven[random.next(englishGiven.count)] + " " + englishSurnames[random.next(englishSurnames.count)]
            resume.profile.education[0].schoolType = SchoolType.allCases[random.next(SchoolType.allCases.count)]
            var pool = stacks[role]!
            var skills: [String] = []
            for _ in 0..<(4 + random.next(5)) { skills.append(pool.remove(at: random.next(pool.count))) }
            resume.techStack = skills
            for p in resume.projects.indices { resume.projects[p].skills = Array(skills.shuffled(using: &random).prefix(4)) }
            let id = try database.createResume(memberID: members[i / 10].id, title: "\(resume.profile.name) · \(role.rawValue)",
                                               resume: resume, now: now)
            try database.setVisibility(.public, resumeID: id, memberID: members[i / 10].id, now: now.addingTimeInterval(Double(i)))
            ids.append(id)
            if (i + 1) % 1000 == 0 { progress("  \(i + 1) resumes published") }
        }
        // Likes from other members and views, straight into the tables (the triggers keep the counts).
        try database.database.write { db in
            for (k, id) in ids.enumerated() {
                let owner = members[k / 10].id
                for _ in 0..<random.next(8) {
                    let liker = members[random.next(members.count)].id
                    if liker != owner {
                        try db.execute("INSERT OR IGNORE INTO resume_like (resume_id, member_id, created_at) VALUES (?, ?, ?)",
                                       [id, liker, Int64(now.timeIntervalSince1970)])
                    }
                }
                try db.execute("UPDATE resume SET view_count = ? WHERE id = ?", [Int64(random.next(500)), id])
            }
            try db.execute("DELETE FROM site_change")
        }
        return ids
    }
}

/// A small seeded generator, so that a synthetic hub is the same on every machine.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// `gitfolio bench hub`: the static hub and the hub functions on a synthetic hub, each against a
/// reference measured in the same run.
struct HubBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hub",
        abstract: "A synthetic hub: full build, incremental build after one like, like throughput vs raw SQLite, like/view one-shot vs minimal.")
    @Option(help: "Public resumes in the synthetic hub.") var count = 10_000
    @Option(help: "Resumes whose PDF and thumbnail are drawn for real (the rest of the full build draws none).") var drawn = 100
    @Option(help: "Likes timed one by one for the incremental build.") var likes = 30
    @Option(help: "One-shot runs of like, view and the minimal executable.") var runs = 200
    @Option(help: "Requests to the warm like process (and transactions for raw SQLite).") var warmRequests = 20_000
    @Option(help: "Folder of the function executables (default: beside gitfolio).") var functions: String?
    @Option(help: "Keep the synthetic site and database in this folder (for the in-page filter benchmark).") var keep: String?

    func run() throws {
        let dir = functionsDirectory(functions)
        let path = { (name: String) in dir.appendingPathComponent(name).path }
        for name in ["like", "view", "bench-minimal"] where !FileManager.default.isExecutableFile(atPath: path(name)) {
            throw ValidationError("\(path(name)) is missing; build first (swift build -c release).")
        }
        let work = keep.map { URL(fileURLWithPath: $0).standardizedFileURL }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("gitfolio-bench-hub-\(getpid())")
        try? FileManager.default.removeItem(at: work)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if keep == nil { try? FileManager.default.removeItem(at: work) } }
        let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
        guard FileManager.default.fileExists(atPath: root.appendingPathComponent("site/layout.html").path) else {
            throw ValidationError("Run from the repository root (site/ and content/ are read from there).")
        }
        print("Gitfolio hub benchmark: \(count) public resumes; machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")

        // The synthetic hub.
        let dbPath = work.appendingPathComponent("hub.sqlite").path
        let database = try AppDatabase(path: dbPath, create: true)
        var t0 = Spawn.now()
        let ids = try SyntheticHub.generate(database: database, count: count) { print($0); fflush(nil) }
        print(String(format: "generated %d public resumes from %d members in %.1f s", ids.count, (count + 9) / 10, (Spawn.now() - t0) / 1000))

        // Full build: every page, the index, the counts; PDFs and thumbnails apart (timed below).
        let out = work.appendingPathComponent("_site")
        var builder = SiteBuilder(options: .init(siteDirectory: root.appendingPathComponent("site"),
                                                 contentDirectory: root.appendingPathComponent("content"), outputDirectory: out),
                                  database: database, progress: { _ in })
        let stub = (pdf: Data("%PDF-1.7 stub".utf8), thumbnail: Data([0x89, 0x50, 0x4E, 0x47]))
        builder.resumeFiles = { _ in stub }
        t0 = Spawn.now()
        let full = try builder.build()
        let fullMS = Spawn.now() - t0
        let pages = full.written.filter { $0.hasSuffix(".html") }.count
        let bytes = full.written.reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: out.appendingPathComponent($1).path)[.size] as? Int) ?? 0) }
        print(String(format: "full build (pages, index, counts; PDF and PNG drawing stubbed): %d files, %d HTML pages, %.1f MB in %.2f s = %.0f pages/s",
                     full.written.count, pages, Double(bytes) / 1e6, fullMS / 1000, Double(pages) / (fullMS / 1000)))
        // Reference: writing the same files' bytes, nothing else (the floor of any build).
        let copies = work.appendingPathComponent("copy")
        let contents = try full.written.map { ($0, try Data(contentsOf: out.appendingPathComponent($0))) }
        t0 = Spawn.now()
        for (name, data) in contents {
            let target = copies.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: target, options: .atomic)
        }
        let copyMS = Spawn.now() - t0
        print(String(format: "reference, writing the same %d files only: %.2f s; the build takes %.1fx that",
                     contents.count, copyMS / 1000, fullMS / copyMS))
        t0 = Spawn.now()
        let again = try builder.build()
        print(String(format: "full build with nothing changed: %.2f s (%d written)", (Spawn.now() - t0) / 1000, again.written.count))

        // Drawing PDFs and thumbnails, for a sample.
        let sample = try Array(database.publicResumes().prefix(drawn))
        t0 = Spawn.now()
        for stored in sample { _ = SiteBuilder.renderer.pdfAndThumbnail(stored.resume) }
        let drawMS = (Spawn.now() - t0) / Double(max(1, sample.count))
        print(String(format: "PDF + thumbnail drawing: %.1f ms per resume (%d drawn) → %.0f s for all %d on one core",
                     drawMS, sample.count, drawMS * Double(count) / 1000, count))

        // Incremental build after one like, one like at a time, spread over the hub.
        let reader = try database.upsertLocalMember(login: "bench-reader", name: "Reader", now: Date())
        var times: [Double] = []
        var written: [Int] = []
        for k in 0..<likes {
            let id = ids[(k * 7919) % ids.count]
            _ = try database.database.like(resumeID: id, memberID: reader.id, now: Int64(Date().timeIntervalSince1970))
            t0 = Spawn.now()
            let report = try builder.catchUp()
            times.append(Spawn.now() - t0)
            written.append(report?.written.count ?? 0)
        }
        let sorted = times.sorted()
        print(String(format: "incremental build after one like: p50 %.1f ms, max %.1f ms over %d likes (files written: %d–%d; target < 100 ms); %.0fx faster than the full build with nothing changed",
                     sorted[sorted.count / 2], sorted.last!, likes, written.min()!, written.max()!, fullMS / sorted[sorted.count / 2]))

        try functionsBench(database: database, dbPath: dbPath, ids: ids, work: work, path: path)
        if keep != nil { print("kept \(work.path) (site in _site/, database hub.sqlite)") }
    }

    /// `like` warm against the same transactions straight on SQLite; `like` and `view` one-shot
    /// against the minimal executable.
    func functionsBench(database: AppDatabase, dbPath: String, ids: [Int64], work: URL, path: (String) -> String) throws {
        let liker = try database.upsertLocalMember(login: "bench-liker", name: "Liker", now: Date())
        let token = Secrets.randomToken()
        let sessionHash = Secrets.sha256Hex(token)
        try database.createSession(hash: sessionHash, memberID: liker.id, now: Date())
        var env = ProcessInfo.processInfo.environment.filter { Config.Variable(rawValue: $0.key) == nil }
        env["GITFOLIO_DB"] = dbPath
        env["GITFOLIO_SECRET_FILE"] = work.appendingPathComponent("secret.key").path
        let envList = env.map { "\($0.key)=\($0.value)" }
        let targets = Array(ids.suffix(100))
        func event(_ method: String, _ name: String, id: Int64, cookie: Bool, ip: String = "203.0.113.9") -> Data {
            var headers = ["host": "127.0.0.1:8080", "origin": "http://127.0.0.1:8080", "content-type": "application/json"]
            if cookie { headers["cookie"] = "gitfolio_session=\(token)" }
            var request = FunctionRequest(method: method, path: "/api/\(name)", headers: headers, body: Array(#"{"resumeId":\#(id)}"#.utf8))
            request.sourceIp = ip
            return Data(request.event.serialized.utf8)
        }
        // Like, then unlike, each of 100 resumes: every event is a write.
        let likeEvents = targets.map { event("POST", "like", id: $0, cookie: true) } + targets.map { event("DELETE", "like", id: $0, cookie: true) }
        for probe in [likeEvents[0], likeEvents[targets.count]] {
            let (answer, _) = try Spawn.run(path("like"), arguments: [], environment: envList, input: probe)
            guard let response = try? FunctionResponse.parse(event: Array(answer)), response.statusCode == 200 else {
                throw ValidationError("like did not answer 200: \(String(decoding: answer, as: UTF8.self))")
            }
        }

        // Raw SQLite: the same session lookup and like/unlike transactions, in this process.
        let raw = try Database(path: dbPath)
        let now = Int64(Date().timeIntervalSince1970)
        var t0 = Spawn.now()
        for i in 0..<warmRequests {
            guard let member = try raw.member(sessionHash: sessionHash, now: now) else { throw ValidationError("no session") }
            let id = targets[i % targets.count]
            if (i / targets.count) % 2 == 0 { _ = try raw.like(resumeID: id, memberID: member.id, now: now) }
            else { _ = try raw.unlike(resumeID: id, memberID: member.id) }
        }
        let rawRate = Double(warmRequests) / ((Spawn.now() - t0) / 1000)
        print(String(format: "raw SQLite (StoreCore in process: session lookup + like/unlike transaction): %.0f transactions/s", rawRate))
        t0 = Spawn.now()
        let ok = try Spawn.warm(path("like"), environment: envList, events: likeEvents, count: warmRequests)
        let warmRate = Double(warmRequests) / ((Spawn.now() - t0) / 1000)
        print(String(format: "warm like, 1 process: %.0f requests/s (%d of %d answered 200) = %.2fx raw SQLite (target ≥ 0.5x) and %.1fx the original service's 761 requests/s (target > 10x)",
                     warmRate, ok, warmRequests, warmRate / rawRate, warmRate / 761))

        // One-shot, interleaved with the minimal executable: like (a member's write) and view (an
        // anonymous reader's, a new visitor each time).
        let subjects = ["like", "view", "bench-minimal"]
        var times = [[Double]](repeating: [], count: subjects.count)
        for i in 0..<(runs + 10) {
            let id = targets[i % targets.count]
            let inputs = [event(i % 2 == 0 ? "POST" : "DELETE", "like", id: id, cookie: true),
                          event("POST", "view", id: id, cookie: false, ip: "198.51.\(i / 250).\(i % 250)"),
                          event("POST", "view", id: id, cookie: false)]
            for (k, name) in subjects.enumerated() {
                let (answer, t) = try Spawn.run(path(name), arguments: [], environment: envList, input: inputs[k])
                if k < 2, (try? FunctionResponse.parse(event: Array(answer)))?.statusCode != 200 {
                    throw ValidationError("\(name) did not answer 200: \(String(decoding: answer, as: UTF8.self))")
                }
                if i >= 10 { times[k].append(t) }
            }
        }
        let p50 = times.map { $0.sorted()[$0.count / 2] }
        for (k, name) in subjects.enumerated() {
            let s = times[k].sorted()
            print(String(format: "one-shot %@: p50 %.2f ms, p99 %.2f ms", name.padding(toLength: 13, withPad: " ", startingAt: 0),
                         s[s.count / 2], s[min(s.count - 1, s.count * 99 / 100)]))
        }
        print(String(format: "one-shot like %.2fx and view %.2fx the minimal executable at p50 (target ≤ 2x)", p50[0] / p50[2], p50[1] / p50[2]))
    }
}
