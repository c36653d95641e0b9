import Foundation
import GitfolioCore
import GitfolioTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `gitfolio serve` under a hostile local page and slow clients (issue 15, items 1–3, 8, 10, 11):
/// each test starts the real `gitfolio serve` on loopback and talks to it over raw sockets.
/// Serialized: the timings must not share the two cores with another serve.
@Suite(.serialized) struct ServeHardeningTests {
    /// A `gitfolio serve` of its own, with a fresh database and site folder.
    final class Serve: @unchecked Sendable {
        let dir: TempDir
        let running: Running
        let port: UInt16

        /// `descriptorLimit` starts it under `prlimit --nofile=N:N`; `inherited` gives it those descriptors
        /// open (on /dev/null) when it starts, as a test runner's or a shell's may be.
        init(descriptorLimit: Int? = nil, inherited: ClosedRange<Int>? = nil, environment extra: [String: String] = [:]) async throws {
            dir = try TempDir("gitfolio-hardening")
            var env = ProcessInfo.processInfo.environment
            for key in ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITFOLIO_PUBLIC_URL"] { env.removeValue(forKey: key) }
            env["GITFOLIO_SECRET_FILE"] = dir.path("secret.key")
            env.merge(extra) { $1 }
            let root = Built.packageRoot.path
            let arguments = ["serve", "--port", "0", "--workers", "1", "--site", root + "/site", "--content", root + "/content",
                             "--out", dir.path("_site"), "--db", dir.path("g.sqlite")]
            if let descriptorLimit {
                var command = ["/usr/bin/prlimit", "--nofile=\(descriptorLimit):\(descriptorLimit)", "--", Built.executable("gitfolio").path] + arguments
                if let inherited {
                    // bash opens them without close-on-exec, then becomes prlimit, which becomes serve. A number
                    // already open is left alone: it may be the end of the socket pair through which this process
                    // learns that serve exited, and replacing it made this process wait for serve at once, on the
                    // thread that reaps all its children (a whole suite stalled so when the test runner's own
                    // descriptors reached that range).
                    let open = "for fd in $(seq \(inherited.lowerBound) \(inherited.upperBound)); do [[ -e /proc/$$/fd/$fd ]] || eval \"exec $fd</dev/null\"; done; exec \"$@\""
                    command = ["/bin/bash", "-c", open, "bash"] + command
                }
                running = try Running(URL(fileURLWithPath: command[0]), Array(command.dropFirst()), environment: env)
            } else {
                running = try Running(Built.executable("gitfolio"), arguments, environment: env)
            }
            let text = try await running.await(#"serving http://127\.0\.0\.1:(\d+)/"#)
            port = UInt16(text)!
        }

        var site: URL { dir.url.appendingPathComponent("_site") }

        func stop() {
            running.stop()
            dir.remove()
        }

        /// One request on a new connection (`Connection: close`), read whole.
        func get(_ path: String, headers: [String: String] = [:], timeout: Double = 10) async throws -> RawConnection.Response? {
            try await timedGet(path, headers: headers, timeout: timeout).response
        }

        /// `get`, with the seconds it took (measured on the thread that waits, not after an `await`).
        func timedGet(_ path: String, headers: [String: String] = [:], timeout: Double = 10) async throws
            -> (response: RawConnection.Response?, seconds: Double) {
            let port = self.port
            return try await offPool {
                let start = Date()
                let connection = try RawConnection(port: port, timeout: timeout)
                var request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
                for (name, value) in headers { request += "\(name): \(value)\r\n" }
                connection.send(request + "\r\n")
                return (connection.readResponse(), Date().timeIntervalSince(start))
            }
        }
    }

    static let partialRequest = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "

    // MARK: 1. Out of descriptors; unfinished and idle connections

    /// More connections than the process has descriptors, each with a half-sent request: `serve`
    /// keeps running and a normal client is still answered during and after the flood.
    ///
    /// serve starts with 131 inherited descriptors, some numbered past its limit: it closes them at
    /// start (before, a single one past the limit made every function start fail with EBADF, which
    /// is how a test runner's leaked pipes made this test flaky beside other suites), but for sockets.
    @Test func serveKeepsServingWhenConnectionsOutnumberItsDescriptors() async throws {
        let serve = try await Serve(descriptorLimit: 256, inherited: 200...330)
        defer { serve.stop() }
        let port = serve.port
        let pid = serve.running.process.processIdentifier
        let descriptors = { (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd"))?.compactMap(Int.init) ?? [] }
        // prlimit became serve (same pid), so its descriptors are serve's own. Sockets stay open (below).
        let isSocket = { (fd: Int) in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "").hasPrefix("socket:")
        }
        #expect(!descriptors().contains { $0 >= 200 && !isSocket($0) }, "inherited descriptors left open: \(descriptors().sorted())")
        // serve kept the end of the socket pair through which this process (Foundation's `Process`) learns
        // that it exited: had serve closed it, this process would wait for serve at once, on the thread that
        // reaps all its children, and reap no other child until serve exits (the whole suite stalled so).
        let other = Process()
        other.executableURL = URL(fileURLWithPath: "/bin/true")
        try other.runAlone()
        let reaped = try await offPool { () -> Bool in
            let deadline = Date().addingTimeInterval(10)
            while other.isRunning && Date() < deadline { usleep(10_000) }
            return !other.isRunning
        }
        #expect(reaped, "another child of the test process was not reaped while serve runs")
        // The session pool's process starts on first use: before the flood, it must start.
        #expect(try await serve.get("/api/session", timeout: 30)?.status == 200, "\(serve.running.log)")
        var flood = try await offPool {
            var connections: [RawConnection] = []
            for _ in 0..<400 {
                guard let connection = try? RawConnection(port: port, timeout: 2) else { continue }
                connection.send(Self.partialRequest)
                connections.append(connection)
            }
            return connections
        }
        #expect(flood.count >= 300, "only \(flood.count) of 400 connections could be opened")
        try await Task.sleep(for: .milliseconds(300))
        let during = try await serve.get("/", timeout: 5)
        #expect(during?.status == 200, "no answer during the flood:\n\(serve.running.log)")
        let session = try await serve.get("/api/session", timeout: 10)
        #expect(session?.status == 200, "no /api/session during the flood:\n\(serve.running.log)")
        // A function not started yet starts during the flood, or is refused with a clear 503; never a
        // dropped connection or a crash.
        let me = try await serve.get("/api/me", timeout: 10)
        #expect(me?.status == 401 || (me?.status == 503 && me!.text.contains("function_unavailable")),
                "/api/me during the flood: \(me.map { "\($0.status) \($0.text)" } ?? "no answer")\n\(serve.running.log)")
        #expect(serve.running.process.isRunning, "serve exited:\n\(serve.running.log)")
        flood.removeAll()  // closes them
        let after = try await serve.get("/")
        #expect(after?.status == 200)
        #expect(try await serve.get("/api/me")?.status == 401, "no recovery after the flood:\n\(serve.running.log)")
        #expect(serve.running.process.isRunning)
    }

    /// A request that never finishes gets 408 and is closed within the request timeout (10 s);
    /// a connection that sends nothing is closed within the idle timeout (15 s).
    @Test func unfinishedAndIdleConnectionsAreClosedOnTime() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        let port = serve.port
        async let slow: (Double?, String) = offPool {
            let connection = try RawConnection(port: port)
            connection.send(Self.partialRequest)
            // One more byte every second: a slow client that never completes its request.
            let start = Date()
            while Date().timeIntervalSince(start) < 16 {
                if connection.secondsUntilClosed(timeout: 1) != nil { return (Date().timeIntervalSince(start), connection.received) }
                if !connection.send("x") { return (Date().timeIntervalSince(start), connection.received) }
            }
            return (nil, connection.received)
        }
        async let idle: Double? = offPool {
            let connection = try RawConnection(port: port)
            return connection.secondsUntilClosed(timeout: 20)
        }
        let (slowClosed, slowAnswer) = try await slow
        let idleClosed = try await idle
        #expect(slowClosed != nil && slowClosed! < 13, "the half-sent request was still open after \(slowClosed ?? 16) s")
        #expect(slowAnswer.hasPrefix("HTTP/1.1 408 "), "answer: \(slowAnswer.prefix(80))")
        #expect(idleClosed != nil && idleClosed! < 18, "the idle connection was still open after 20 s")
    }

    // MARK: 2. Keep-alive as fast as new connections

    @Test func keepAliveRequestsAreAsFastAsNewConnections() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        let port = serve.port
        _ = try await serve.get("/")  // the page is read and cached once
        let (keepAlive, fresh) = try await offPool { () -> ([Double], [Double]) in
            let connection = try RawConnection(port: port)
            var keepAlive: [Double] = []
            for _ in 0..<40 {
                let start = Date()
                connection.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                guard connection.readResponse()?.status == 200 else { break }
                keepAlive.append(Date().timeIntervalSince(start))
            }
            var fresh: [Double] = []
            for _ in 0..<40 {
                let start = Date()
                let one = try RawConnection(port: port)
                one.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                guard one.readResponse()?.status == 200 else { break }
                fresh.append(Date().timeIntervalSince(start))
            }
            return (keepAlive, fresh)
        }
        #expect(keepAlive.count == 40 && fresh.count == 40)
        let keepAliveMedian = keepAlive.sorted()[keepAlive.count / 2], freshMedian = fresh.sorted()[fresh.count / 2]
        // Nagle's algorithm with a delayed ACK makes each keep-alive request wait about 40 ms.
        #expect(keepAliveMedian < 0.010, "keep-alive median \(keepAliveMedian * 1000) ms")
        #expect(keepAliveMedian <= freshMedian * 1.5 + 0.001,
                "keep-alive median \(keepAliveMedian * 1000) ms, new connections \(freshMedian * 1000) ms")
    }

    // MARK: 3. Oversized heads

    /// Two 100 KB request lines and a 100 KB header are refused at once (414, 431), and an
    /// unrelated `/api/session` is answered while a fourth client sends a long line slowly.
    @Test func oversizedHeadsAreRefusedAtOnceWithoutDelayingOthers() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        let port = serve.port
        _ = try await serve.get("/api/session")  // the warm process is started
        let longTarget = "/?q=" + String(repeating: "a", count: 100_000)
        async let slowClient: Void = offPool {
            let connection = try RawConnection(port: port)
            connection.send("GET /?q=")
            for _ in 0..<40 {
                if !connection.send(String(repeating: "b", count: 100)) { break }
                usleep(50_000)
            }
        }
        func refused(_ raw: String) async throws -> (status: Int?, seconds: Double) {
            try await offPool {
                let start = Date()
                let connection = try RawConnection(port: port)
                connection.send(raw)
                return (connection.readResponse()?.status, Date().timeIntervalSince(start))
            }
        }
        async let first = refused("GET \(longTarget) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        async let second = refused("GET \(longTarget) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        async let header = refused("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: \(String(repeating: "c", count: 100_000))\r\n\r\n")
        let (session, sessionSeconds) = try await serve.timedGet("/api/session", timeout: 5)
        let answers = try await [first, second, header]
        #expect(answers.map(\.status) == [414, 414, 431])
        #expect(session?.status == 200)
        #expect(sessionSeconds < 1.0, "/api/session took \(sessionSeconds) s")
        #expect(answers.allSatisfy { $0.seconds < 2.0 }, "the refusals took \(answers.map(\.seconds)) s")
        try await slowClient
    }

    // MARK: 8. No line breaks in response headers

    /// The auth callback's error value decoded into `Location` must not split the head: whether
    /// the function encodes it or `serve` drops the header, no `Set-Cookie` line is injected.
    @Test func lineBreaksInHeaderValuesNeverReachTheClient() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let serve = try await Serve(environment: [
            "GITHUB_CLIENT_ID": github.clientID, "GITHUB_CLIENT_SECRET": github.clientSecret,
            "GITHUB_OAUTH_URL": github.baseURL.absoluteString, "GITHUB_API_URL": github.baseURL.absoluteString,
        ])
        defer { serve.stop() }
        let login = try #require(try await serve.get("/api/login?return_to=/me.html"))
        #expect(login.status == 302, "\(login.head)")
        let location = try #require(login.header("location"))
        let state = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "state" }?.value)
        let stateCookie = try #require(login.headers.first { $0.name.lowercased() == "set-cookie" && $0.value.hasPrefix("gitfolio_oauth=") })
        let callback = try #require(try await serve.get(
            "/api/auth-callback?state=\(state)&error=x%0d%0aSet-Cookie:%20gitfolio_session=attacker",
            headers: ["Accept": "text/html", "Cookie": String(stateCookie.value.split(separator: ";")[0])]))
        #expect(callback.status == 302 || callback.status == 400, "\(callback.head)")
        let lines = callback.head.lowercased().components(separatedBy: "\r\n")
        #expect(!lines.contains { $0.hasPrefix("set-cookie: gitfolio_session=attacker") }, "injected:\n\(callback.head)")
        #expect(lines.allSatisfy { $0.isEmpty || $0.hasPrefix("http/1.1 ") || $0.contains(":") }, "\(callback.head)")
    }

    // MARK: 10. Security headers everywhere, no inline script

    @Test func everyResponseCarriesTheSecurityHeadersAndPagesHaveNoInlineScript() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        for path in ["/", "/me.html", "/en/resume.html", "/assets/app.js", "/no-such-page", "/api/session", "/api/nope", "/api/me", "/%zz"] {
            let response = try #require(try await serve.get(path), "\(path)")
            let csp = response.header("content-security-policy") ?? ""
            let directives = csp.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            #expect(directives.contains("script-src 'self'"), "\(path): \(csp)")
            #expect(directives.contains("frame-ancestors 'none'"), "\(path): \(csp)")
            #expect(!csp.contains("unsafe-eval") && !(directives.first { $0.hasPrefix("script-src") } ?? "").contains("unsafe-inline"))
            #expect(response.header("x-content-type-options") == "nosniff", "\(path)")
            #expect(response.header("referrer-policy") == "same-origin", "\(path)")
        }
        // With `script-src 'self'` an inline script or handler would not run: the built pages have none.
        let pages = try FileManager.default.subpathsOfDirectory(atPath: serve.site.path).filter { $0.hasSuffix(".html") }
        #expect(pages.count >= 8)
        for page in pages {
            let html = try String(contentsOf: serve.site.appendingPathComponent(page), encoding: .utf8)
            let scripts = html.components(separatedBy: "<script").dropFirst().map { $0.prefix { $0 != ">" } }
            for script in scripts {
                #expect(script.contains("src=") || script.contains(#"type="application/json""#), "\(page): inline <script\(script)>")
            }
            #expect(html.range(of: #"\son[a-z]+\s*="#, options: .regularExpression) == nil, "\(page): an on… handler")
            #expect(!html.contains("javascript:"), "\(page)")
        }
    }

    // MARK: 11. Strict paths, real 404s

    @Test func badPercentEncodingIs400AndUnknownPathsAre404() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        for path in ["/api/me%ff", "/%ff", "/%zz", "/index.html%", "/me%2", "/a%00b"] {
            let response = try #require(try await serve.get(path), "\(path)")
            #expect(response.status == 400, "\(path): \(response.status)")
            #expect(!response.text.contains("GitHub 활동을"), "\(path) answered with the home page")
        }
        // Valid encodings still work: %2e is ".", %ED%95%9C is "한".
        #expect(try await serve.get("/index%2ehtml")?.status == 200)
        let missing = try #require(try await serve.get("/no-such-page"))
        #expect(missing.status == 404)
        #expect(missing.text.contains("페이지를 찾을 수 없습니다") && !missing.text.contains("GitHub 활동을"))
        #expect(missing.header("content-type") == "text/html; charset=utf-8")
        let english = try #require(try await serve.get("/en/%ED%95%9C.html"))
        #expect(english.status == 404 && english.text.contains("Page not found"))
        #expect(try await serve.get("/api/me")?.status == 401)
    }

    // MARK: 12. Path traversal

    /// The database and the secret key sit beside the built site (`<dir>/g.sqlite`, `<dir>/secret.key`,
    /// the site in `<dir>/_site`). No spelling of a way out of the site reaches them: dot segments
    /// plain, percent-encoded (once and twice, upper and lower case), as overlong UTF-8, with
    /// backslashes, semicolons, NUL and doubled slashes.
    @Test func noPathLeavesTheSite() async throws {
        let serve = try await Serve()
        defer { serve.stop() }
        _ = try await serve.get("/api/session")  // the secret key exists once a function ran
        let secret = (try? String(contentsOf: serve.dir.url.appendingPathComponent("secret.key"), encoding: .utf8)) ?? ""
        let attempts = [
            "/../g.sqlite", "/../secret.key", "/%2e%2e/g.sqlite", "/%2E%2E/secret.key", "/assets/../../g.sqlite",
            "/assets/%2e%2e/%2e%2e/g.sqlite", "/assets/..%2f..%2fg.sqlite", "/..%2fsecret.key", "/%2e%2e%2fsecret.key",
            "/assets/..%5c..%5csecret.key", "/..\\secret.key", "//../secret.key", "/./../g.sqlite", "/assets/.%2e/.%2e/g.sqlite",
            "/%252e%252e/g.sqlite", "/..;/g.sqlite", "/assets/app.js/../../../g.sqlite", "/g.sqlite", "/secret.key",
            "/%00../g.sqlite", "/_site/../g.sqlite", "/assets/%c0%ae%c0%ae/g.sqlite", "/en/../../g.sqlite", "/../../../../etc/passwd",
            "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/.%2e/.%2e/etc/passwd", "/assets/%2e%2e%2f%2e%2e%2fsecret.key",
        ]
        for path in attempts {
            guard let response = try await serve.get(path) else {
                Issue.record("\(path): no answer")
                continue
            }
            #expect([400, 403, 404].contains(response.status), "\(path): \(response.status)")
            #expect(!response.text.contains("SQLite format 3") && !response.text.contains("root:x:0:0"), "\(path) leaked a file")
            #expect(secret.count < 16 || !response.text.contains(secret.trimmingCharacters(in: .whitespacesAndNewlines)), "\(path) leaked the key")
        }
        // The control: the same server serves its own files.
        #expect(try await serve.get("/assets/app.js")?.status == 200)
    }
}
