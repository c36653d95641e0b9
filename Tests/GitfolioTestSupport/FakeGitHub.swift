import Foundation
import GitfolioCore
import HTTPServer

/// A local stand-in for github.com and api.github.com that follows GitHub's documented wire
/// format for the OAuth web flow and the user endpoints. Test support only: never shipped.
public final class FakeGitHub: Sendable {
    public struct User: Sendable {
        public var id: Int64
        public var login: String
        public var name: String?
        public var publicEmail: String?
        public var emails: [(email: String, primary: Bool, verified: Bool)]
        public init(id: Int64, login: String, name: String?, publicEmail: String? = nil,
                    emails: [(email: String, primary: Bool, verified: Bool)]) {
            self.id = id
            self.login = login
            self.name = name
            self.publicEmail = publicEmail
            self.emails = emails
        }
    }

    /// What the fake has seen and what it will do next.
    public actor State {
        var codes: [String: (user: User, scope: String, expires: Date, used: Bool)] = [:]
        var tokens: [String: User] = [:]
        public var user: User
        public var denyAuthorization = false
        public var rateLimited = false
        public private(set) var tokenExchanges = 0
        public private(set) var issuedTokens: [String] = []
        /// Repositories the user owns and ones they contributed to, for GraphQL and REST.
        public var owned: [FakeRepository] = []
        public var contributed: [FakeRepository] = []
        /// Changes whenever the repository list changes: the list's ETag.
        public var listVersion = 1
        /// Added before every answer, to imitate the network.
        public var latency: Duration = .zero
        public var graphQLRateLimited = false
        /// "METHOD /path" of every API request, in order.
        public private(set) var apiRequests: [String] = []
        /// The login each API request was authenticated as, in order ("-" for a token the fake does not know).
        public private(set) var callers: [String] = []
        /// The `author` of every commits query, in order.
        public private(set) var commitAuthors: [String] = []
        func recordCaller(_ login: String?) { callers.append(login ?? "-") }
        func recordCommitAuthor(_ author: String?) { commitAuthors.append(author ?? "") }

        public func setRepositories(owned: [FakeRepository], contributed: [FakeRepository]) {
            self.owned = owned
            self.contributed = contributed
            listVersion += 1
        }
        public func setLatency(_ latency: Duration) { self.latency = latency }
        public func setGraphQLRateLimited(_ limited: Bool) { graphQLRateLimited = limited }
        public func resetRequests() { apiRequests = [] }
        func record(_ request: String) { apiRequests.append(request) }

        init(user: User) { self.user = user }

        public func setDeny(_ deny: Bool) { denyAuthorization = deny }
        public func setRateLimited(_ limited: Bool) { rateLimited = limited }

        func issueCode(scope: String) -> String {
            let code = Secrets.randomToken(bytes: 10)
            codes[code] = (user, scope, Date().addingTimeInterval(600), false)
            return code
        }

        func exchange(code: String) -> (token: String, scope: String)? {
            tokenExchanges += 1
            guard let entry = codes[code], !entry.used, entry.expires > Date() else { return nil }
            codes[code]?.used = true
            let token = "gho_" + Secrets.randomToken(bytes: 27)
            tokens[token] = entry.user
            issuedTokens.append(token)
            return (token, entry.scope)
        }

        func user(forToken token: String) -> User? { tokens[token] }

        /// A token for the current user, as if they had signed in.
        public func issueToken() -> String { issueToken(for: user) }

        /// A token for any account (another member, or the server's own).
        public func issueToken(for account: User) -> String {
            let token = "gho_" + Secrets.randomToken(bytes: 27)
            tokens[token] = account
            return token
        }
    }

    public let clientID: String
    public let clientSecret: String
    public let state: State
    private let running: LoopbackServer

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public static let alice = User(id: 583_231, login: "alice-dev", name: "김앨리스",
                                   emails: [("alice@old.example", false, true), ("alice@example.com", true, true),
                                            ("unverified@example.com", false, false)])

    public init(user: User = FakeGitHub.alice, clientID: String = "Iv1.testclient", clientSecret: String = "test-secret") async throws {
        self.clientID = clientID
        self.clientSecret = clientSecret
        let state = State(user: user)
        self.state = state
        var routes = LoopbackServer.Routes()
        routes.add("GET /login/oauth/authorize") { request in
            await FakeGitHub.authorize(request, state: state, clientID: clientID)
        }
        routes.add("POST /login/oauth/access_token") { request in
            await FakeGitHub.accessToken(request, state: state, clientID: clientID, clientSecret: clientSecret)
        }
        routes.add("GET /user") { request in
            await FakeGitHub.api(request, state: state) { user in
                try JSONSerialization.data(withJSONObject: [
                    "login": user.login, "id": user.id, "node_id": "MDQ6VXNlcj\(user.id)",
                    "avatar_url": "https://avatars.githubusercontent.com/u/\(user.id)?v=4",
                    "html_url": "https://github.com/\(user.login)", "type": "User", "site_admin": false,
                    "name": user.name as Any? ?? NSNull(), "email": user.publicEmail as Any? ?? NSNull(),
                    "public_repos": 12, "followers": 3, "following": 4, "created_at": "2019-03-02T10:00:00Z",
                ])
            }
        }
        routes.add("GET /user/emails") { request in
            await FakeGitHub.api(request, state: state) { user in
                try JSONSerialization.data(withJSONObject: user.emails.map {
                    ["email": $0.email, "primary": $0.primary, "verified": $0.verified, "visibility": $0.primary ? "private" : NSNull()]
                })
            }
        }
        routes.add("POST /graphql") { request in
            await FakeGitHub.graphQL(request, state: state)
        }
        routes.add("GET /user/repos") { request in
            await FakeGitHub.userRepos(request, state: state)
        }
        routes.add("GET /repos/*") { request in
            if request.path.hasSuffix("/commits") { return await FakeGitHub.commits(request, state: state) }
            if request.path.split(separator: "/").count >= 4 && request.path.split(separator: "/")[3] == "contents" {
                return await FakeGitHub.contents(request, state: state)
            }
            return FakeGitHub.json(404, ["message": "Not Found"])
        }
        routes.add("GET /search/issues") { request in
            await FakeGitHub.searchIssues(request, state: state)
        }
        running = try await LoopbackServer(routes: routes)
    }

    public var port: UInt16 { running.port }

    public func stop() async { await running.stop() }

    static func redirectTo(_ base: String, _ items: [URLQueryItem]) -> HTTPResponse {
        var components = URLComponents(string: base)!
        components.queryItems = (components.queryItems ?? []) + items
        return HTTPResponse(status: 302, headers: ["Location": components.url!.absoluteString])
    }

    static func authorize(_ request: HTTPRequest, state: State, clientID: String) async -> HTTPResponse {
        let q = Dictionary(request.queryItems.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        guard q["client_id"] == clientID, let redirect = q["redirect_uri"] else {
            return HTTPResponse(status: 404, headers: [:], body: Data("Not Found".utf8))
        }
        let oauthState = q["state"] ?? ""
        if await state.denyAuthorization {
            return redirectTo(redirect, [
                URLQueryItem(name: "error", value: "access_denied"),
                URLQueryItem(name: "error_description", value: "The user has denied your application access."),
                URLQueryItem(name: "error_uri", value: "https://docs.github.com/apps/troubleshooting-authorization-request-errors/#access-denied"),
                URLQueryItem(name: "state", value: oauthState),
            ])
        }
        let code = await state.issueCode(scope: (q["scope"] ?? "").replacingOccurrences(of: " ", with: ","))
        return redirectTo(redirect, [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: oauthState)])
    }

    static func accessToken(_ request: HTTPRequest, state: State, clientID: String, clientSecret: String) async -> HTTPResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        var form: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            if kv.count == 2 { form[kv[0]] = kv[1] }
        }
        let json = request.header("Accept")?.contains("application/json") == true
        func answer(_ values: [String: String]) -> HTTPResponse {
            // Without Accept: application/json GitHub answers form-encoded.
            if json {
                return HTTPResponse(status: 200, headers: ["Content-Type": "application/json; charset=utf-8"],
                                    body: try! JSONSerialization.data(withJSONObject: values))
            }
            let text = values.map { "\($0.key)=\($0.value)" }.joined(separator: "&")
            return HTTPResponse(status: 200, headers: ["Content-Type": "application/x-www-form-urlencoded; charset=utf-8"],
                                body: Data(text.utf8))
        }
        guard form["client_id"] == clientID, form["client_secret"] == clientSecret else {
            return answer(["error": "incorrect_client_credentials",
                           "error_description": "The client_id and/or client_secret passed are incorrect."])
        }
        guard let code = form["code"], let issued = await state.exchange(code: code) else {
            return answer(["error": "bad_verification_code", "error_description": "The code passed is incorrect or expired.",
                           "error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"])
        }
        return answer(["access_token": issued.token, "scope": issued.scope, "token_type": "bearer"])
    }

    static func api(_ request: HTTPRequest, state: State, body: (User) throws -> Data) async -> HTTPResponse {
        var headers = ["Content-Type": "application/json; charset=utf-8", "x-ratelimit-limit": "5000"]
        let reset = String(Int(Date().timeIntervalSince1970) + 3600)
        headers["x-ratelimit-reset"] = reset
        if await state.rateLimited {
            headers["x-ratelimit-remaining"] = "0"
            return HTTPResponse(status: 403, headers: headers, body: Data(
                #"{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}"#.utf8))
        }
        headers["x-ratelimit-remaining"] = "4999"
        let auth = request.header("Authorization") ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : auth.hasPrefix("token ") ? String(auth.dropFirst(6)) : ""
        let caller = await state.user(forToken: token)
        await state.recordCaller(caller?.login)
        guard let user = caller else {
            return HTTPResponse(status: 401, headers: headers, body: Data(
                #"{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest"}"#.utf8))
        }
        return HTTPResponse(status: 200, headers: headers, body: (try? body(user)) ?? Data())
    }
}
