import Foundation
import FunctionCore
import GitfolioCore
import GitfolioStore
import GitfolioTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A child process that is stopped when the test ends.
final class Running: @unchecked Sendable {
    let process = Process()
    let output = ChildProcesses.pipe()
    private let lock = NSLock()
    private var text = ""

    init(_ executable: URL, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = output
        process.standardError = output
        output.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock(); self.text += String(decoding: data, as: UTF8.self); self.lock.unlock()
        }
        try process.runAlone()
    }

    var log: String { lock.lock(); defer { lock.unlock() }; return text }

    /// Waits for a line of output matching the pattern and returns its first capture group.
    func await(_ pattern: String, timeout: TimeInterval = 240) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            let current = log
            if let m = regex.firstMatch(in: current, range: NSRange(current.startIndex..., in: current)),
               let r = Range(m.range(at: 1), in: current) { return String(current[r]) }
            if !process.isRunning { break }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        throw ProcessError(message: "no '\(pattern)' in output:\n\(log)")
    }

    /// SIGTERM (lighttpd's SIGINT is a graceful stop that waits for idle keep-alive clients),
    /// then SIGKILL if the process is still there after five seconds.
    func stop() {
        if process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        output.fileHandleForReading.readabilityHandler = nil
    }
}

struct ProcessError: Error, CustomStringConvertible { var message: String; var description: String { message } }

/// The pids of a process's children named `name` (read from /proc).
func children(of parent: Int32, named name: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap(Int32.init).filter { pid in
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { return false }
        let comm = stat[stat.index(after: open)..<close]
        let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
        return comm == name && fields.count > 1 && Int32(fields[1]) == parent
    }
}

func lighttpdPath() -> String? {
    ["/usr/sbin/lighttpd", "/usr/bin/lighttpd", "/usr/local/sbin/lighttpd"].first { FileManager.default.isExecutableFile(atPath: $0) }
}

@Suite(.serialized) struct DeploymentTests {
    /// The OAuth flow and My page through lighttpd running the function executables as CGI.
    @Test func lighttpdRunsTheFunctionsAsCGI() async throws {
        let lighttpd = try #require(lighttpdPath(), "lighttpd is not installed; ./test.sh installs it (apt-get install lighttpd)")
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let model = try await FakeLLM()
        defer { Task { await model.stop() } }
        let kakaoPay = try await FakeKakaoPay()
        defer { Task { await kakaoPay.stop() } }
        let dir = try TempDir("gitfolio-lighttpd")
        defer { dir.remove() }
        let port = freePort()
        let base = "http://127.0.0.1:\(port)"
        var env = ProcessInfo.processInfo.environment
        env.merge(["GITHUB_CLIENT_ID": github.clientID, "GITHUB_CLIENT_SECRET": github.clientSecret,
                   "GITHUB_OAUTH_URL": github.baseURL.absoluteString, "GITHUB_API_URL": github.baseURL.absoluteString,
                   "GITFOLIO_SECRET_FILE": dir.path("secret.key"),
                   // The model settings reach the CGI functions too (they did not before `deploy` took every variable).
                   "GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": model.baseURL.absoluteString + "/v1",
                   "GITFOLIO_LLM_MODEL": "test-model", "GITFOLIO_LLM_API_KEY": "sk-deploy-test",
                   // Settings for a runner's own processes or a command never go to the CGI functions.
                   "GITFOLIO_LOCAL_SIGNIN_KEY": "must-not-pass", "GITHUB_TOKEN": "ghp_must_not_pass"]) { $1 }
        env.merge(kakaoPay.environment) { $1 }
        let root = Built.packageRoot.path
        let common = ["--site", root + "/site", "--content", root + "/content", "--out", dir.path("_site"), "--db", dir.path("g.sqlite")]
        let build = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["build"] + common, environment: env, input: Data())
        #expect(build.status == 0, "\(build.err)")
        let deploy = try await runProcessAsync(Built.executable("gitfolio"),
                                    arguments: ["deploy", "--dir", dir.path("deploy"), "--port", "\(port)", "--functions", Built.directory.path] + common,
                                    environment: env, input: Data())
        #expect(deploy.status == 0, "\(deploy.err)")
        let conf = try String(contentsOfFile: dir.path("deploy/lighttpd.conf"), encoding: .utf8)
        #expect(conf.contains("GITHUB_CLIENT_SECRET"))
        for variable in Config.Variable.allCases where !variable.isInternal && env[variable.rawValue] != nil {
            #expect(conf.contains("\"\(variable.rawValue)\""), "deploy left out \(variable.rawValue)")
        }
        #expect(!conf.contains("must-not-pass") && !conf.contains("ghp_must_not_pass"))
        let mode = try FileManager.default.attributesOfItem(atPath: dir.path("deploy/lighttpd.conf"))[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)

        let server = try Running(URL(fileURLWithPath: lighttpd), ["-D", "-f", dir.path("deploy/lighttpd.conf")], environment: env)
        defer { server.stop() }
        try await waitForPort(port)
        let http = TestHTTP()

        let page = try await http.send("GET", URL(string: "\(base)/")!)
        #expect(page.status == 200 && page.text.contains("GitHub 활동을"))
        #expect(try await http.send("GET", URL(string: "\(base)/api/me")!).errorCode == "unauthorized")
        #expect(try await http.send("GET", URL(string: "\(base)/api/gitfolio")!).status == 403)  // only functions are exposed
        // The same security headers as `gitfolio serve` (issue 15, item 10), on pages and on the functions' answers.
        let answer = try await http.send("GET", URL(string: "\(base)/api/session")!)
        for response in [page, answer] {
            #expect(response.header("content-security-policy")?.contains("script-src 'self'; ") == true, "\(response.headers)")
            #expect(response.header("content-security-policy")?.contains("frame-ancestors 'none'") == true)
            #expect(response.header("referrer-policy") == "same-origin" && response.header("x-content-type-options") == "nosniff")
        }

        // Sign in: our login → fake GitHub authorize → our callback, all over real HTTP.
        let login = try await http.send("GET", URL(string: "\(base)/api/login?return_to=/me.html")!)
        #expect(login.status == 302)
        let stateCookie = try #require(login.cookie("gitfolio_oauth"))
        let authorize = try await http.send("GET", URL(string: try #require(login.header("location")))!)
        let callbackURL = try #require(authorize.header("location"))
        #expect(callbackURL.hasPrefix("\(base)/api/auth-callback?code="))
        let forged = try await http.send("GET", URL(string: callbackURL)!, headers: ["Cookie": "gitfolio_oauth=forged"])
        #expect(forged.status == 400 && forged.errorCode == "invalid_state")
        let callback = try await http.send("GET", URL(string: callbackURL)!, headers: ["Cookie": stateCookie])
        #expect(callback.status == 302, "\(callback.text)")
        #expect(callback.header("location") == "/me.html")
        let session = try #require(callback.cookie("gitfolio_session"))

        let me = try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session])
        #expect(me.status == 200)
        #expect(me.text.contains(#""login":"alice-dev""#))
        // The Foundation-free `session` function, as CGI, knows the same member.
        let who = try await http.send("GET", URL(string: "\(base)/api/session")!, headers: ["Cookie": session])
        #expect(who.status == 200 && who.text.contains(#""login":"alice-dev""#), "\(who.text)")
        #expect(try await http.send("GET", URL(string: "\(base)/api/session")!).text == #"{"member":null}"#)
        #expect(try await http.send("POST", URL(string: "\(base)/api/session")!, headers: ["Cookie": session]).status == 405)

        let json = ["Cookie": session, "Content-Type": "application/json", "Origin": base]
        let update = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: json,
                                         body: Data(#"{"name":"앨리스","jobRole":"AI","links":[{"title":"Blog","url":"https://a.example"}]}"#.utf8))
        #expect(update.status == 200, "\(update.text)")
        let invalid = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: json, body: Data(#"{"jobRole":"WIZARD"}"#.utf8))
        #expect(invalid.status == 400 && invalid.errorCode == "invalid_field")
        var crossSite = json
        crossSite["Origin"] = "https://evil.example"
        let csrf = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: crossSite, body: Data(#"{"name":"x"}"#.utf8))
        #expect(csrf.status == 403)
        let tooBig = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: json,
                                         body: Data(repeating: 0x20, count: 1_100_000))
        #expect(tooBig.status == 413)
        let after = try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session])
        #expect(after.text.contains(#""name":"앨리스""#) && after.text.contains(#""jobRole":"AI""#))

        // A resume and its PDF: a binary body through CGI, with its download headers.
        let sample = try await http.send("POST", URL(string: "\(base)/api/resume")!, headers: json, body: Data(#"{"action":"sample","language":"ko"}"#.utf8))
        #expect(sample.status == 201, "\(sample.text)")
        let id = try #require(sample.json?["id"] as? Int)
        let pdf = try await http.send("GET", URL(string: "\(base)/api/resume?id=\(id)&format=pdf")!, headers: ["Cookie": session])
        #expect(pdf.status == 200 && pdf.header("content-type") == "application/pdf")
        #expect(pdf.header("content-disposition")?.hasPrefix("attachment;") == true)
        #expect(pdf.body.starts(with: Data("%PDF-".utf8)) && pdf.body.count > 20_000)
        #expect(try await poppler("pdftotext", [], pdf: pdf.body).contains("김하늘"))  // the example's made-up developer

        // An AI rewrite through CGI: the configured model answers.
        await model.script.load([.chat(#"{"replacement":"주문 API"}"#)])
        let revise = try await http.send("POST", URL(string: "\(base)/api/revise")!, headers: json,
                                         body: Data(#"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#.utf8))
        #expect(revise.status == 200, "\(revise.text)")
        #expect(revise.json?["after"] as? String == "주문 API")
        #expect(await model.script.seen.first?.headers["authorization"] == "Bearer sk-deploy-test")

        // PRO through CGI: subscribe, approve on the fake KakaoPay's page, and come back to the pay webhook.
        let subscribe = try await http.send("POST", URL(string: "\(base)/api/subscription")!, headers: json, body: Data(#"{"language":"ko"}"#.utf8))
        #expect(subscribe.status == 201, "\(subscribe.text)")
        let checkout = try #require(subscribe.json?["redirectURL"] as? String)
        let approved = try await http.send("POST", URL(string: checkout.replacingOccurrences(of: "/info", with: "/approve"))!)
        let approvalURL = try #require(approved.header("location"))
        #expect(approvalURL.hasPrefix("\(base)/api/pay-webhook?result=approve&attempt="))
        let intruder = try await http.send("GET", URL(string: approvalURL)!, headers: ["Accept": "text/html"])  // signed out
        #expect(intruder.status == 302 && intruder.header("location") == "/me.html?pay=unauthorized")
        let webhook = try await http.send("GET", URL(string: approvalURL)!, headers: ["Cookie": session, "Accept": "text/html"])
        #expect(webhook.status == 302 && webhook.header("location") == "/me.html?pay=approved", "\(webhook.text)")
        let again = try await http.send("GET", URL(string: approvalURL)!, headers: ["Cookie": session, "Accept": "text/html"])
        #expect(again.header("location") == "/me.html?pay=already_approved")
        let plan = try await http.send("GET", URL(string: "\(base)/api/subscription")!, headers: ["Cookie": session])
        #expect(plan.json?["plan"] as? String == "PRO" && (plan.json?["payments"] as? [Any])?.count == 1, "\(plan.text)")
        #expect(await kakaoPay.state.charges.count == 1)
        #expect(try await http.send("GET", URL(string: "\(base)/api/nightly")!).status == 403)  // scheduled, never served
        // The key went to KakaoPay only: the CGI functions' log (lighttpd's error log) never holds it.
        let cgiLog = (try? String(contentsOfFile: dir.path("deploy/lighttpd-error.log"), encoding: .utf8)) ?? ""
        #expect(!cgiLog.contains(kakaoPay.secretKey))
        #expect(conf.contains("KAKAOPAY_SECRET_KEY") && !conf.contains("nightly"))

        let logout = try await http.send("POST", URL(string: "\(base)/api/logout")!, headers: ["Cookie": session, "Origin": base])
        #expect(logout.status == 200)
        #expect(try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session]).status == 401)
    }

    /// `gitfolio serve`: static pages, functions through warm pools, the local sign-in, restarts.
    @Test func serveRunsTheSiteWithWarmFunctions() async throws {
        let dir = try TempDir("gitfolio-serve")
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment
        for key in ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITFOLIO_PUBLIC_URL"] { env.removeValue(forKey: key) }
        env["GITFOLIO_SECRET_FILE"] = dir.path("secret.key")
        let root = Built.packageRoot.path
        let server = try Running(Built.executable("gitfolio"), [
            "serve", "--port", "0", "--workers", "1", "--site", root + "/site", "--content", root + "/content",
            "--out", dir.path("_site"), "--db", dir.path("g.sqlite"),
        ], environment: env)
        defer { server.stop() }
        let port = try await server.await(#"serving http://127\.0\.0\.1:(\d+)/"#)
        #expect(server.log.contains("[1/4] load"))
        let base = "http://127.0.0.1:\(port)"
        let http = TestHTTP()

        #expect(try await http.send("GET", URL(string: "\(base)/")!).text.contains("GitHub 활동을"))
        #expect(try await http.send("GET", URL(string: "\(base)/en/me.html")!).header("content-type") == "text/html; charset=utf-8")
        #expect(try await http.send("GET", URL(string: "\(base)/.gitfolio-build.json")!).status == 404)
        #expect(try await http.send("GET", URL(string: "\(base)/assets/../../g.sqlite")!).status == 404)
        #expect(try await http.send("GET", URL(string: "\(base)/api/nope")!).errorCode == "unknown_function")
        #expect(try await http.send("POST", URL(string: "\(base)/api/nightly")!).errorCode == "unknown_function")  // scheduled only
        let info = try await http.send("GET", URL(string: "\(base)/api/login?mode=info")!)
        #expect(info.json?["local"] as? Bool == true && info.json?["github"] as? Bool == false)

        // A client cannot supply its own local sign-in key: the server replaces it.
        let origin = ["Origin": base, "Content-Type": "application/json", "x-gitfolio-local-key": "guess"]
        let signIn = try await http.send("POST", URL(string: "\(base)/api/login")!, headers: origin,
                                         body: Data(#"{"login":"trial","name":"체험 사용자"}"#.utf8))
        #expect(signIn.status == 200, "\(signIn.text)")
        let session = try #require(signIn.cookie("gitfolio_session"))
        let me = try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session])
        #expect(me.status == 200 && me.text.contains("체험 사용자"))
        let who = try await http.send("GET", URL(string: "\(base)/api/session")!, headers: ["Cookie": session])
        #expect(who.status == 200 && who.text.contains(#""login":"trial""#), "\(who.text)")
        var json = origin
        json["Cookie"] = session
        let put = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: json,
                                      body: Data(#"{"name":"바뀐 이름","education":[{"schoolType":"HIGH_SCHOOL","schoolName":"서울고","status":"GRADUATED"}]}"#.utf8))
        #expect(put.status == 200, "\(put.text)")
        let big = try await http.send("PUT", URL(string: "\(base)/api/me")!, headers: json, body: Data(repeating: 0x20, count: 1_100_000))
        #expect(big.status == 413)

        // Kill the warm `me` process: the request in flight (if any) fails cleanly, then a new one serves.
        let serverPID = server.process.processIdentifier
        let workers = children(of: serverPID, named: "me")
        #expect(workers.count == 1)
        for pid in workers { kill(pid, SIGKILL) }
        try await Task.sleep(nanoseconds: 200_000_000)
        var statuses: [Int] = []
        for _ in 0..<3 { statuses.append(try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session]).status) }
        #expect(statuses.last == 200)
        #expect(statuses.allSatisfy { $0 == 200 || $0 == 502 })
        let replaced = children(of: serverPID, named: "me")
        #expect(replaced.count == 1 && replaced != workers)
        let final = try await http.send("GET", URL(string: "\(base)/api/me")!, headers: ["Cookie": session])
        #expect(final.text.contains("바뀐 이름") && final.text.contains("서울고"))
    }

    /// The hub's function calls of the browser journey through lighttpd as CGI, with the site builder
    /// `gitfolio deploy` writes a service for keeping the static pages current (issue 12).
    @Test func lighttpdRunsTheHubAndTheFollowerKeepsItsPagesCurrent() async throws {
        let lighttpd = try #require(lighttpdPath(), "lighttpd is not installed; ./test.sh installs it (apt-get install lighttpd)")
        let dir = try TempDir("gitfolio-lighttpd-hub")
        defer { dir.remove() }
        let port = freePort()
        let base = "http://127.0.0.1:\(port)"
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("GITHUB_") && !$0.key.hasPrefix("GITFOLIO_") }
        env["GITFOLIO_SECRET_FILE"] = dir.path("secret.key")
        let root = Built.packageRoot.path
        let common = ["--site", root + "/site", "--content", root + "/content", "--out", dir.path("_site"), "--db", dir.path("g.sqlite")]
        let deploy = try await runProcessAsync(Built.executable("gitfolio"),
                                               arguments: ["deploy", "--dir", dir.path("deploy"), "--port", "\(port)", "--functions", Built.directory.path] + common,
                                               environment: env, input: Data())
        #expect(deploy.status == 0, "\(deploy.err)")
        #expect(deploy.out.contains("gitfolio-site.service") && deploy.out.contains("build --follow"))
        let cron = try String(contentsOfFile: dir.path("deploy/crontab"), encoding: .utf8)
        #expect(cron.contains("* * * * * ") && cron.contains(" build --changes "))

        // Two members as a GitHub sign-in leaves them (the sign-in itself is the test above).
        let database = try AppDatabase(path: dir.path("g.sqlite"))
        func signIn(_ login: String) throws -> [String: String] {
            let member = try database.upsertLocalMember(login: login, name: login, now: Date())
            let token = Secrets.randomToken()
            try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
            return ["Cookie": "gitfolio_session=\(token)", "Origin": base, "Content-Type": "application/json"]
        }
        let a = try signIn("owner-a"), b = try signIn("reader-b")

        // The follower exactly as the unit file runs it.
        let unit = try String(contentsOfFile: dir.path("deploy/gitfolio-site.service"), encoding: .utf8)
        let exec = try #require(unit.split(separator: "\n").first { $0.hasPrefix("ExecStart=") }).dropFirst("ExecStart=".count)
        let words = exec.split(separator: " ").map(String.init)
        #expect(unit.contains("Restart=always") && unit.contains("Environment=GITFOLIO_PUBLIC_URL=\(base)"))
        var followerEnv = env
        followerEnv["GITFOLIO_PUBLIC_URL"] = base
        let follower = try Running(URL(fileURLWithPath: words[0]), Array(words.dropFirst()), environment: followerEnv)
        defer { follower.stop() }
        _ = try await follower.await("(following)")
        let server = try Running(URL(fileURLWithPath: lighttpd), ["-D", "-f", dir.path("deploy/lighttpd.conf")], environment: env)
        defer { server.stop() }
        try await waitForPort(port)
        let http = TestHTTP()
        func call(_ method: String, _ path: String, _ headers: [String: String], _ body: String? = nil) async throws -> TestHTTP.Response {
            try await http.send(method, URL(string: base + path)!, headers: headers, body: body.map { Data($0.utf8) })
        }
        /// Polls a static file until `done` holds (the follower catches up about every half second).
        func waitFor(_ path: String, timeout: TimeInterval = 15, _ done: (TestHTTP.Response) -> Bool) async throws -> TestHTTP.Response {
            let deadline = Date().addingTimeInterval(timeout)
            while true {
                let answer = try await call("GET", path, [:])
                if done(answer) { return answer }
                if Date() > deadline { throw ProcessError(message: "\(path) did not catch up: \(answer.status) \(answer.text.prefix(300))\n\(follower.log)") }
                try await Task.sleep(nanoseconds: 100_000_000)
            }
        }

        #expect(try await call("PUT", "/api/me", a, #"{"jobRole":"BACKEND"}"#).status == 200)
        // A publishes a resume; its page, thumbnail and index entry appear without anyone building.
        let sample = try await call("POST", "/api/resume", a, #"{"action":"sample","language":"ko"}"#)
        let id = try #require(sample.json?["id"] as? Int, "\(sample.text)")
        #expect(try await call("GET", "/resumes/\(id).html", [:]).status == 404)
        #expect(try await call("POST", "/api/like", b, #"{"resumeId":\#(id)}"#).status == 404, "no likes on a private resume")
        // (The example exactly as it came is refused: A makes it theirs first.)
        #expect(try await call("PUT", "/api/resume", a, #"{"id":\#(id),"version":1,"visibility":"PUBLIC"}"#).status == 409)
        #expect(try await call("POST", "/api/revise", a, #"{"action":"accept","resumeId":\#(id),"path":"aboutMe","text":"제 소개입니다.","version":1}"#).status == 200)
        let publish = try await call("PUT", "/api/resume", a, #"{"id":\#(id),"version":2,"visibility":"PUBLIC"}"#)
        #expect(publish.status == 200, "\(publish.text)")
        let page = try await waitFor("/resumes/\(id).html") { $0.status == 200 }
        #expect(page.text.contains(#"<meta property="og:image" content="\#(base)/resumes/\#(id).png">"#))
        #expect(try await call("GET", "/resumes/\(id).png", [:]).header("content-type") == "image/png")
        let index = try await call("GET", "/hub/index.json", [:])
        #expect(index.text.contains("[\(id),") && index.text.contains("Spring Boot"))
        #expect(try await call("GET", "/hub/backend/index.html", [:]).text.contains(#"data-id="\#(id)""#))

        // B views, likes and comments on a project; the owner's own view does not count.
        let view = try await call("POST", "/api/view", b, #"{"resumeId":\#(id)}"#)
        #expect(view.status == 200 && view.json?["views"] as? Int == 1, "\(view.text)")
        #expect(try await call("POST", "/api/view", b, #"{"resumeId":\#(id)}"#).json?["views"] as? Int == 1)
        #expect(try await call("POST", "/api/view", a, #"{"resumeId":\#(id)}"#).json?["own"] as? Bool == true)
        let like = try await call("POST", "/api/like", b, #"{"resumeId":\#(id)}"#)
        #expect(like.status == 200 && like.json?["likes"] as? Int == 1 && like.json?["liked"] as? Bool == true, "\(like.text)")
        let comment = try await call("POST", "/api/comment", b, #"{"resumeId":\#(id),"body":"<b>결제</b> 재시도 설계가 좋네요","anchor":"projects[0]"}"#)
        #expect(comment.status == 201, "\(comment.text)")
        #expect(try await call("POST", "/api/comment", b, #"{"resumeId":\#(id),"body":"x","anchor":"projects[99]"}"#).status == 400)
        #expect(try await call("GET", "/api/like", b).json?["liked"] as? [Int] == [id])
        let comments = try await call("GET", "/api/comment?resumeId=\(id)", [:])
        #expect(comments.text.contains(#""anchor":"projects[0]""#) && comments.text.contains("<b>결제</b>"), "\(comments.text)")

        // A sees the unread count in the session, reads the notifications, marks them read.
        #expect(try await call("GET", "/api/session", a).json?["unread"] as? Int == 2)
        let notes = try await call("GET", "/api/notifications", a)
        let items = try #require(notes.json?["notifications"] as? [[String: Any]])
        #expect(Set(items.compactMap { $0["kind"] as? String }) == ["LIKE", "COMMENT"])
        #expect(items.contains { $0["anchor"] as? String == "projects[0]" })
        #expect(try await call("POST", "/api/notifications", a, #"{"readAll":true}"#).json?["unread"] as? Int == 0)
        #expect(try await call("POST", "/api/notifications", b, #"{"readAll":"yes"}"#).status == 400)

        // The static counts catch up with the like and the comment.
        _ = try await waitFor("/hub/counts.json") { $0.text.contains(#""\#(id)":[1,"#) && $0.text.contains(",1]") }
        _ = try await waitFor("/resumes/\(id).html") { $0.text.contains(#"<span class="likes">좋아요 <span class="n">1</span>"#) }

        // A withdraws it: the page and files are gone at once, and the functions refuse it.
        #expect(try await call("PUT", "/api/resume", a, #"{"id":\#(id),"version":1,"visibility":"PRIVATE"}"#).status == 200)
        for file in ["/resumes/\(id).html", "/en/resumes/\(id).html", "/resumes/\(id).pdf", "/resumes/\(id).png"] {
            #expect(try await call("GET", file, [:]).status == 404, "\(file) is still served")
        }
        #expect(try await call("POST", "/api/view", b, #"{"resumeId":\#(id)}"#).status == 404)
        #expect(try await call("GET", "/api/comment?resumeId=\(id)", [:]).status == 404)
        _ = try await waitFor("/hub/index.json") { !$0.text.contains("[\(id),") }
        #expect(try await call("GET", "/.gitfolio-build.json", [:]).status == 403)
        #expect(try await call("GET", "/.gitfolio-build.journal", [:]).status == 403)
    }
}
