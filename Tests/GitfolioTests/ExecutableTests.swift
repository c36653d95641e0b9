import Foundation
import GitfolioCore
import GitfolioStore
import GitfolioTestSupport
import Testing

/// The built function executables, run as black boxes through stdin and stdout.
@Suite struct ExecutableTests {
    struct Setup {
        let dir: TempDir
        let env: [String: String]
        let cookie: String
        init() throws {
            dir = try TempDir("gitfolio-exe")
            env = ["GITFOLIO_DB": dir.path("g.sqlite"), "GITFOLIO_SECRET_FILE": dir.path("secret.key"),
                   "PATH": "/usr/bin:/bin", "GITFOLIO_PUBLIC_URL": "http://127.0.0.1:8080"]
            let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
            let member = try db.upsertLocalMember(login: "dana", name: "다나", now: Date())
            let token = Secrets.randomToken()
            try db.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
            cookie = "gitfolio_session=\(token)"
        }
        func event(_ method: String, cookie: String? = nil, body: String? = nil, headers: [String: String] = [:]) throws -> Data {
            var h = headers
            if let cookie { h["cookie"] = cookie }
            return GitfolioTests.event(FunctionRequest(method: method, path: "/api/me", headers: h, body: body))
        }
    }

    func decode(_ r: RunResult) throws -> [FunctionResponse] {
        try r.stdout.split(separator: 0x0A).map { try FunctionResponse.parse(event: Array($0)) }
    }

    @Test func oneShotReadsTheDatabase() async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let signedIn = try await runProcessAsync(Built.executable("me"), environment: s.env, input: try s.event("GET", cookie: s.cookie))
        #expect(signedIn.status == 0)
        let response = try #require(try decode(signedIn).first)
        #expect(response.statusCode == 200)
        #expect(response.bodyText.contains(#""login":"dana""#))
        let anonymous = try await runProcessAsync(Built.executable("me"), environment: s.env, input: try s.event("GET"))
        #expect(try decode(anonymous).first?.statusCode == 401)
    }

    @Test func warmAnswersEveryLine() async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        var input = Data()
        for i in 0..<30 {
            input += try s.event("GET", cookie: i % 2 == 0 ? s.cookie : nil) + Data([0x0A])
        }
        input += Data("garbage\n".utf8)
        input += try s.event("PUT", cookie: s.cookie, body: #"{"name":"다나 Kim"}"#, headers: ["content-type": "application/json", "x-gitfolio-csrf": "1"]) + Data([0x0A])
        input += try s.event("GET", cookie: s.cookie) + Data([0x0A])
        let result = try await runProcessAsync(Built.executable("me"), arguments: ["--warm"], environment: s.env, input: input)
        #expect(result.status == 0)
        let all = try decode(result)
        #expect(all.count == 33)
        #expect(all.prefix(30).map(\.statusCode) == (0..<30).map { $0 % 2 == 0 ? 200 : 401 })
        #expect(all[30].statusCode == 400)
        #expect(all[31].statusCode == 200)
        #expect(all[32].bodyText.contains("다나 Kim"))
    }

    @Test func cgiModeSpeaksCGI() async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let body = #"{"name":"CGI 다나"}"#
        var env = s.env
        env.merge(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "PUT", "SCRIPT_NAME": "/api/me", "CONTENT_TYPE": "application/json",
                   "CONTENT_LENGTH": String(body.utf8.count), "HTTP_COOKIE": s.cookie, "HTTP_ORIGIN": "http://127.0.0.1:8080",
                   "REMOTE_ADDR": "127.0.0.1"]) { $1 }
        let result = try await runProcessAsync(Built.executable("me"), environment: env, input: Data((body + "EXTRA BYTES").utf8))
        #expect(result.status == 0)
        #expect(result.out.hasPrefix("Status: 200 OK\r\n"))
        #expect(result.out.contains("\r\n\r\n{"))
        #expect(result.out.contains("CGI 다나"))
    }

    /// `session` is built without Foundation; its three modes are checked the same way.
    @Test func sessionAnswersInAllThreeModes() async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let exe = Built.executable("session")
        let oneShot = try await runProcessAsync(exe, environment: s.env, input: try s.event("GET", cookie: s.cookie))
        #expect(oneShot.status == 0)
        let answer = try #require(try decode(oneShot).first)
        #expect(answer.statusCode == 200)
        #expect(answer.bodyText.contains(#""login":"dana""#))

        var lines = Data()
        for i in 0..<20 { lines += try s.event("GET", cookie: i % 2 == 0 ? s.cookie : "gitfolio_session=\(Secrets.randomToken())") + Data([0x0A]) }
        lines += Data("\n  \ngarbage\n".utf8) + (try s.event("PUT", cookie: s.cookie)) + Data([0x0A])
        let warm = try await runProcessAsync(exe, arguments: ["--warm"], environment: s.env, input: lines)
        #expect(warm.status == 0)
        let all = try decode(warm)
        #expect(all.count == 22)  // blank lines get no answer
        #expect(all.prefix(20).map { $0.bodyText.contains(#""login":"dana""#) } == (0..<20).map { $0 % 2 == 0 })
        #expect(all.prefix(20).allSatisfy { $0.statusCode == 200 })
        #expect(all[20].statusCode == 400 && all[21].statusCode == 405)

        var env = s.env
        env.merge(["GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/session",
                   "HTTP_COOKIE": "theme=dark; \(s.cookie)", "HTTP_PROXY": "http://evil.example", "REMOTE_ADDR": "127.0.0.1"]) { $1 }
        let cgi = try await runProcessAsync(exe, environment: env, input: Data())
        #expect(cgi.status == 0)
        #expect(cgi.out.hasPrefix("Status: 200 OK\r\ncache-control: no-store\r\ncontent-type: application/json; charset=utf-8\r\nx-content-type-options: nosniff\r\n\r\n"))
        #expect(cgi.out.hasSuffix(#"{"member":{"id":1,"local":true,"login":"dana","plan":"FREE"},"unread":0}"#))
        env["CONTENT_LENGTH"] = "10"
        let short = try await runProcessAsync(exe, environment: env, input: Data("abc".utf8))
        #expect(short.out.hasPrefix("Status: 400 Bad Request\r\n"))
        #expect(short.out.contains("CONTENT_LENGTH"))
    }

    /// A runner may spawn functions from a thread that blocks signals (a dispatch worker blocks nearly
    /// all); the child inherits that mask. A warm function must still stop on SIGTERM.
    @Test(arguments: ["session", "me"])
    func aWarmFunctionStopsOnSIGTERMWhateverMaskItInherited(function: String) async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        let path = Built.executable(function).path
        let env = s.env
        let signaled: Int32? = try await offPool {
            var input: [Int32] = [0, 0]
            guard pipe(&input) == 0 else { throw CocoaError(.fileWriteUnknown) }
            defer { close(input[1]) }  // stays open until the end: the process never sees end of input
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, input[0], 0)
            posix_spawn_file_actions_addclose(&actions, input[1])
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var blocked = sigset_t()
            sigfillset(&blocked)
            posix_spawnattr_setsigmask(&attributes, &blocked)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
            let arguments: [String] = [path, "--warm"]
            let argv = arguments.map { strdup($0) } + [nil]
            let envp: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { (argv + envp).forEach { free($0) } }
            var pid: pid_t = 0
            guard ChildProcesses.starting({ posix_spawn(&pid, path, &actions, &attributes, argv, envp) }) == 0 else { throw CocoaError(.executableNotLoadable) }
            close(input[0])
            usleep(300_000)  // let it start and wait for input
            kill(pid, SIGTERM)
            var status: Int32 = 0
            for _ in 0..<50 {
                if waitpid(pid, &status, WNOHANG) == pid { return status & 0x7F }  // the terminating signal
                usleep(100_000)
            }
            kill(pid, SIGKILL)
            waitpid(pid, &status, 0)
            return nil
        }
        #expect(signaled == SIGTERM, "\(function) did not stop on SIGTERM within 5 s")
    }

    @Test(arguments: ["me", "login", "logout", "auth-callback", "session"])
    func malformedAndOversizedInputNeverCrashes(function: String) async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        for (input, status) in [(Data("{not json".utf8), 400), (Data(), 400),
                                (Data(repeating: 0x7B, count: FunctionLimits.maxEventBytes + 1), 413)] {
            let result = try await runProcessAsync(Built.executable(function), environment: s.env, input: input)
            #expect(result.status == 0)
            let response = try #require(try decode(result).first)
            #expect(response.statusCode == status)
            #expect(response.bodyText.contains(#"{"error":{"code":"#))
        }
    }

    @Test func secretsNeverReachTheLogs() async throws {
        let s = try Setup()
        defer { s.dir.remove() }
        var env = s.env
        env["GITHUB_CLIENT_ID"] = "Iv1.client"
        env["GITHUB_CLIENT_SECRET"] = "super-secret-value-123"
        env["GITHUB_OAUTH_URL"] = "http://127.0.0.1:9"  // nothing listens: the exchange fails
        env["GITFOLIO_LOG_LEVEL"] = "debug"
        let state = Secrets.randomToken()
        let db = try AppDatabase(path: s.dir.path("g.sqlite"))
        try db.saveOAuthState(hash: Secrets.sha256Hex(state), scope: "read:user", returnTo: "/me.html", now: Date())
        let callback = event(FunctionRequest(
            method: "GET", path: "/api/auth-callback", query: "code=the-code&state=\(state)", headers: ["cookie": "gitfolio_oauth=\(state)"]))
        let result = try await runProcessAsync(Built.executable("auth-callback"), environment: env, input: callback)
        let response = try #require(try decode(result).first)
        #expect(response.statusCode == 502)
        #expect(!result.err.isEmpty)  // the failure is logged...
        for secret in ["super-secret-value-123", "the-code", state] {  // ...without secrets
            #expect(!result.err.contains(secret))
            #expect(!result.out.contains(secret))
        }
    }
}
