import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport
import Testing

/// The GitHub OAuth web flow through the real handlers and the real HTTP client, against a
/// local fake GitHub that speaks the documented wire format.
@Suite struct OAuthFlowTests {
    /// Plays the browser: login → GitHub authorize → callback. Returns the callback response.
    func signIn(_ h: Harness, _ github: FakeGitHub, query: String = "return_to=/me.html",
                tamper: ((inout String, inout String) -> Void)? = nil) async throws -> FunctionResponse {
        let login = await h.call(LoginFunction.handler, browser("GET", "/api/login", query: query, origin: nil))
        #expect(login.statusCode == 302)
        let location = try #require(login.headers["location"])
        #expect(location.hasPrefix(github.baseURL.absoluteString + "/login/oauth/authorize?"))
        let stateCookie = try #require(login.cookie("gitfolio_oauth")).split(separator: ";")[0]
        // The browser follows the redirect to GitHub, which redirects back with code and state.
        let authorize = try await TestHTTP().send("GET", URL(string: location)!)
        #expect(authorize.status == 302)
        let back = try #require(authorize.header("location"))
        let callback = try #require(URLComponents(string: back))
        #expect(callback.path == "/api/auth-callback")
        var query = callback.percentEncodedQuery ?? ""
        var cookie = String(stateCookie)
        tamper?(&query, &cookie)
        return await h.call(AuthCallbackFunction.handler, browser("GET", "/api/auth-callback", query: query, cookie: cookie, origin: nil))
    }

    @Test func fullFlowCreatesMemberSessionAndEncryptedToken() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }

        let login = await h.call(LoginFunction.handler, browser("GET", "/api/login", query: "private=1", origin: nil))
        let url = try #require(URLComponents(string: login.headers["location"] ?? ""))
        let items = Dictionary(uniqueKeysWithValues: (url.queryItems ?? []).map { ($0.name, $0.value ?? "") })
        #expect(items["client_id"] == github.clientID)
        #expect(items["scope"] == "read:user user:email repo")
        #expect(items["redirect_uri"] == "http://127.0.0.1:8080/api/auth-callback")
        #expect((items["state"] ?? "").count >= 43)

        let callback = try await signIn(h, github)
        #expect(callback.statusCode == 302)
        #expect(callback.headers["location"] == "/me.html")
        let session = try #require(callback.cookie("gitfolio_session"))
        #expect(session.contains("HttpOnly") && session.contains("SameSite=Lax") && !session.contains("Secure"))
        #expect(callback.cookie("gitfolio_oauth")?.contains("Max-Age=0") == true)
        try expectCookieLivesAsLongAsItsSession(session, database: h.database)

        let me = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: String(session.split(separator: ";")[0])))
        #expect(me.statusCode == 200)
        let member = try #require(me.json?["member"] as? [String: Any])
        #expect(member["login"] as? String == "alice-dev")
        let profile = try #require(me.json?["profile"] as? [String: Any])
        #expect(profile["name"] as? String == "김앨리스")
        #expect(profile["email"] as? String == "alice@example.com")  // the primary verified address

        // The token is stored encrypted: the ciphertext does not contain it, and it decrypts back.
        let tokens = await github.state.issuedTokens
        let issued = try #require(tokens.last)
        let id = try #require(member["id"] as? Int)
        let found = try h.database.encryptedGitHubToken(memberID: Int64(id))
        let stored = try #require(found)
        #expect(Data(stored.ciphertext).range(of: Data(issued.utf8)) == nil)
        #expect(try h.services.cipher.open(stored.ciphertext) == issued)
        let raw = try Data(contentsOf: URL(fileURLWithPath: h.dir.path("gitfolio.sqlite")))
            + ((try? Data(contentsOf: URL(fileURLWithPath: h.dir.path("gitfolio.sqlite-wal")))) ?? Data())
        #expect(raw.range(of: Data(issued.utf8)) == nil)
    }

    @Test func secondSignInKeepsEditedProfileAndUpdatesLogin() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let first = try await signIn(h, github)
        let cookie = String(try #require(first.cookie("gitfolio_session")).split(separator: ";")[0])
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"Alice K","email":"a@k.dev"}"#))
        #expect(put.statusCode == 200)
        var renamed = FakeGitHub.alice
        renamed.login = "alice-renamed"
        await github.state.setUser(renamed)
        let second = try await signIn(h, github)
        let cookie2 = String(try #require(second.cookie("gitfolio_session")).split(separator: ";")[0])
        let me = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie2))
        #expect((me.json?["member"] as? [String: Any])?["login"] as? String == "alice-renamed")
        #expect((me.json?["profile"] as? [String: Any])?["name"] as? String == "Alice K")
        #expect(try h.database.memberCount() == 1)
    }

    @Test func badVerificationCodeIsAClearErrorAndCreatesNothing() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let response = try await signIn(h, github) { query, _ in
            query = query.replacingOccurrences(of: #"code=[^&]+"#, with: "code=expired-code", options: .regularExpression)
        }
        #expect(response.statusCode == 400)
        #expect(response.errorCode == "github_bad_verification_code")
        #expect(response.cookie("gitfolio_session") == nil)
        #expect(try h.database.memberCount() == 0)
        #expect(await github.state.tokenExchanges == 1)
    }

    @Test func accessDeniedIsReportedAndCreatesNothing() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        await github.state.setDeny(true)
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let response = try await signIn(h, github)
        #expect(response.statusCode == 403)
        #expect(response.errorCode == "access_denied")
        #expect(try h.database.memberCount() == 0)
        #expect(await github.state.tokenExchanges == 0)
    }

    @Test func browsersAreSentBackToTheSignInPageWithTheErrorCode() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        await github.state.setDeny(true)
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let login = await h.call(LoginFunction.handler, browser("GET", "/api/login", origin: nil))
        let authorize = try await TestHTTP().send("GET", URL(string: login.headers["location"]!)!)
        let query = URLComponents(string: authorize.header("location")!)!.percentEncodedQuery!
        let cookie = String(login.cookie("gitfolio_oauth")!.split(separator: ";")[0])
        let response = await h.call(AuthCallbackFunction.handler,
                                    browser("GET", "/api/auth-callback", query: query, cookie: cookie, origin: nil,
                                            extra: ["accept": "text/html,application/xhtml+xml"]))
        #expect(response.statusCode == 302)
        #expect(response.headers["location"] == "/login.html?error=access_denied")
    }

    @Test(arguments: ["wrong-state", "missing-cookie", "cookie-mismatch", "missing-state"])
    func wrongStateIsRefusedBeforeAnyExchange(kind: String) async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let response = try await signIn(h, github) { query, cookie in
            switch kind {
            case "wrong-state":
                let forged = Secrets.randomToken()
                query = query.replacingOccurrences(of: #"state=[^&]+"#, with: "state=\(forged)", options: .regularExpression)
                cookie = "gitfolio_oauth=\(forged)"  // even a matching cookie cannot make up a state
            case "missing-cookie": cookie = ""
            case "cookie-mismatch": cookie = "gitfolio_oauth=\(Secrets.randomToken())"
            default: query = query.replacingOccurrences(of: #"&?state=[^&]+"#, with: "", options: .regularExpression)
            }
        }
        #expect(response.statusCode == 400)
        #expect(response.errorCode == "invalid_state")
        #expect(await github.state.tokenExchanges == 0)
        #expect(try h.database.memberCount() == 0)
    }

    @Test func stateCanBeUsedOnlyOnce() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        var replay: (String, String) = ("", "")
        let first = try await signIn(h, github) { query, cookie in replay = (query, cookie) }
        #expect(first.statusCode == 302)
        let again = await h.call(AuthCallbackFunction.handler,
                                 browser("GET", "/api/auth-callback", query: replay.0, cookie: replay.1, origin: nil))
        #expect(again.statusCode == 400)
        #expect(again.errorCode == "invalid_state")
    }

    @Test func expiredStateIsRefused() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let state = Secrets.randomToken()
        try h.database.saveOAuthState(hash: Secrets.sha256Hex(state), scope: "read:user", returnTo: "/me.html",
                                      now: Date().addingTimeInterval(-601))
        let response = await h.call(AuthCallbackFunction.handler, browser(
            "GET", "/api/auth-callback", query: "code=abc&state=\(state)", cookie: "gitfolio_oauth=\(state)", origin: nil))
        #expect(response.errorCode == "invalid_state")
    }

    @Test func rateLimitedGitHubIsReportedAsSuch() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        await github.state.setRateLimited(true)
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let response = try await signIn(h, github)
        #expect(response.statusCode == 503)
        #expect(response.errorCode == "github_rate_limited")
        #expect(try h.database.memberCount() == 0)
    }

    @Test func wrongClientSecretIsAServerSideProblemNotTheUsers() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        var env = h.environment
        env["GITHUB_CLIENT_SECRET"] = "wrong"
        let services = try Services.live(config: try Config(environment: env), transport: URLSessionTransport())
        let login = try await LoginFunction.handler(services, browser("GET", "/api/login", origin: nil), FunctionContext(name: "t", mode: .oneShot))
        let authorize = try await TestHTTP().send("GET", URL(string: login.headers["location"]!)!)
        let query = URLComponents(string: authorize.header("location")!)!.percentEncodedQuery!
        let cookie = String(login.cookie("gitfolio_oauth")!.split(separator: ";")[0])
        let response = await FunctionRunner.respond(
            .success(browser("GET", "/api/auth-callback", query: query, cookie: cookie, origin: nil)),
            context: FunctionContext(name: "t", mode: .oneShot)) { r, c in try await AuthCallbackFunction.handler(services, r, c) }
        #expect(response.statusCode == 502)
        #expect(response.errorCode == "github_app_misconfigured")
        #expect(!(response.errorMessage ?? "").contains("wrong"))
    }

    /// GitHub's `error` value comes from the query: it must never reach a header as it is (issue 15,
    /// defect 8: `x%0d%0aSet-Cookie: …` split the redirect under `serve`).
    @Test func anErrorFromTheQueryCannotSplitTheRedirect() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github)
        defer { h.dir.remove() }
        let login = await h.call(LoginFunction.handler, browser("GET", "/api/login", origin: nil))
        let cookie = String(try #require(login.cookie("gitfolio_oauth")).split(separator: ";")[0])
        let state = String(cookie.dropFirst("gitfolio_oauth=".count))
        let response = await h.call(AuthCallbackFunction.handler, browser(
            "GET", "/api/auth-callback", query: "state=\(state)&error=x%0d%0aSet-Cookie:%20gitfolio_session=attacker",
            cookie: cookie, origin: nil, extra: ["accept": "text/html"]))
        #expect(response.statusCode == 302)
        let location = try #require(response.headers["location"])
        #expect(!CGI.breaksLine(location) && !location.contains("attacker"))
        #expect(response.cookies.allSatisfy { !$0.contains("attacker") })
    }

    @Test func returnToMustStayOnThisSite() {
        #expect(Services.safeReturnPath("/me.html?x=1") == "/me.html?x=1")
        for hostile in ["https://evil.example/", "//evil.example", "/\\evil.example", "javascript:alert(1)", nil] {
            #expect(Services.safeReturnPath(hostile) == "/me.html")
        }
    }

    @Test func secureCookieBehindHTTPS() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let h = try Harness(github: github, publicURL: "https://gitfolio.example")
        defer { h.dir.remove() }
        let login = await h.call(LoginFunction.handler, browser("GET", "/api/login", origin: nil))
        #expect(login.cookie("gitfolio_oauth")?.contains("; Secure") == true)
        #expect(login.headers["location"]?.contains("redirect_uri=https://gitfolio.example/api/auth-callback") == true)
    }
}

extension FakeGitHub.State {
    func setUser(_ user: FakeGitHub.User) { self.user = user }
}

/// The session cookie's `Max-Age` is the server-side session's lifetime, exactly: a cookie that
/// outlived its session would be sent (and refused) for nothing; one kept a thousand times longer
/// is a cookie that never goes away.
func expectCookieLivesAsLongAsItsSession(_ setCookie: String, database: AppDatabase, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let attributes = setCookie.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
    let maxAge = try #require(attributes.first { $0.hasPrefix("Max-Age=") }.flatMap { Int64($0.dropFirst(8)) }, sourceLocation: sourceLocation)
    let token = String(attributes[0].dropFirst("gitfolio_session=".count))
    let lifetime = try database.database.read {
        try $0.integer("SELECT expires_at - created_at FROM session WHERE token_hash = ?", [Secrets.sha256Hex(token)])
    }
    #expect(maxAge == lifetime, sourceLocation: sourceLocation)
    #expect(maxAge == 30 * 24 * 3600, sourceLocation: sourceLocation)
    #expect(attributes.contains("Path=/") && attributes.contains("HttpOnly") && attributes.contains("SameSite=Lax"), sourceLocation: sourceLocation)
}
