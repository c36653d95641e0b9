import Foundation
import GitfolioCore
import GitfolioEvidence

/// Everything Gitfolio asks GitHub, through one request path: the OAuth web flow and the user
/// endpoints (sign-in), and a member's repositories and per-repository details (generation), each
/// with its cache. Every answer is decoded into a Decodable type; an answer that does not decode, a
/// refused token, a rate limit or an unreachable GitHub becomes one clear `APIError`.
public struct GitHub: Sendable {
    public let transport: any HTTPTransport
    public let oauthURL: URL
    public let apiURL: URL
    public let clock: any Clock

    public init(transport: any HTTPTransport, oauthURL: URL = URL(string: "https://github.com")!,
                apiURL: URL = URL(string: "https://api.github.com")!, clock: any Clock = SystemClock()) {
        self.transport = transport
        self.oauthURL = oauthURL
        self.apiURL = apiURL
        self.clock = clock
    }

    public init(transport: any HTTPTransport, config: Config, clock: any Clock = SystemClock()) {
        self.init(transport: transport, oauthURL: URL(string: config.githubOAuthURL.description)!,
                  apiURL: URL(string: config.githubAPIURL.description)!, clock: clock)
    }

    /// The headers of every API request.
    func headers(token: String) -> [String: String] {
        ["Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json", "User-Agent": "Gitfolio",
         "X-GitHub-Api-Version": "2022-11-28"]
    }

    /// Sends one request. A refused token (401), a rate limit (429, or 403 with no requests left)
    /// and an unreachable GitHub are errors; other statuses are the caller's to read.
    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let response: OutboundResponse
        do {
            response = try await transport.send(request)
        } catch let error as APIError {
            throw error
        } catch {
            if isTimeout(error) {
                throw APIError.upstreamTimeout("github_timeout", "GitHub did not answer in time. Please try again.",
                                               korean: "GitHub가 제시간에 답하지 않았습니다. 다시 시도해 주세요.")
            }
            throw APIError.upstream("github_unreachable", "GitHub could not be reached. Please try again.",
                                    korean: "GitHub에 연결할 수 없습니다. 다시 시도해 주세요.")
        }
        if response.status == 429 || (response.status == 403 && Self.isRateLimited(response)) { throw Self.rateLimitError(response) }
        if response.status == 401 {
            throw APIError(status: 401, code: "github_token_rejected", message: "GitHub no longer accepts this sign-in. Please sign in again.",
                           korean: "GitHub 로그인이 만료되었습니다. 다시 로그인해 주세요.")
        }
        return response
    }

    /// An API GET that must succeed (2xx).
    func get(_ url: URL, token: String) async throws -> OutboundResponse {
        let response = try await send(OutboundRequest(url: url, headers: headers(token: token)))
        guard (200..<300).contains(response.status) else {
            throw APIError.upstream("github_error", "GitHub answered \(url.path) with HTTP \(response.status).",
                                    korean: "GitHub가 요청을 처리하지 못했습니다.")
        }
        return response
    }

    /// The one place an answer from GitHub becomes a typed value.
    func decode<T: Decodable>(_ type: T.Type, _ response: OutboundResponse) throws -> T {
        do {
            return try JSONValue.decode(T.self, from: Array(response.body))
        } catch {
            throw APIError.upstream("github_bad_answer", "GitHub sent an answer Gitfolio could not read.",
                                    korean: "GitHub의 응답을 읽을 수 없습니다.")
        }
    }

    static func isRateLimited(_ response: OutboundResponse) -> Bool {
        response.headers["x-ratelimit-remaining"] == "0" || response.headers["retry-after"] != nil
    }

    static func rateLimitError(_ response: OutboundResponse) -> APIError {
        let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        let when = reset.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? ""
        return APIError.unavailable("github_rate_limited", "GitHub is limiting requests for this account\(when). Please try again later.",
                                    korean: "GitHub가 이 계정의 요청을 잠시 제한하고 있습니다. 나중에 다시 시도해 주세요.")
    }

    static func formEncode(_ pairs: [(String, String)]) -> Data {
        Data(pairs.map { "\($0.0)=\(PercentEncoding.encode($0.1))" }.joined(separator: "&").utf8)
    }
}

// MARK: - Sign-in: OAuth web flow and the user

public struct GitHubAccessToken: Sendable, Equatable {
    public var accessToken: String
    public var scope: String
}

public struct GitHubUser: Sendable, Equatable, Decodable {
    public var id: Int64
    public var login: String
    public var name: String?
    public var email: String?
    public var avatarURL: String?

    enum CodingKeys: String, CodingKey {
        case id, login, name, email
        case avatarURL = "avatar_url"
    }
}

public struct GitHubEmail: Sendable, Equatable, Decodable {
    public var email: String
    public var primary: Bool
    public var verified: Bool
}

extension GitHub {
    /// Scopes: profile and verified emails always; `repo` only when the member consents to private repositories.
    public static func scopes(includePrivate: Bool) -> [String] {
        includePrivate ? ["read:user", "user:email", "repo"] : ["read:user", "user:email"]
    }

    public func authorizeURL(app: Config.GitHubApp, state: String, redirectURI: String, scopes: [String]) -> URL {
        var components = URLComponents(url: oauthURL.appendingPathComponent("login/oauth/authorize"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: app.clientID), URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: scopes.joined(separator: " ")), URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "allow_signup", value: "true"),
        ]
        return components.url!
    }

    struct TokenAnswer: Decodable {
        var access_token: String?
        var scope: String?
        var error: String?
    }

    /// Exchanges the callback's `code`. GitHub reports a bad code with HTTP 200 and an `error` field.
    public func exchange(app: Config.GitHubApp, code: String, redirectURI: String) async throws -> GitHubAccessToken {
        let response = try await send(OutboundRequest(
            method: "POST", url: oauthURL.appendingPathComponent("login/oauth/access_token"),
            headers: ["Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"],
            body: Self.formEncode([("client_id", app.clientID), ("client_secret", app.clientSecret), ("code", code),
                                   ("redirect_uri", redirectURI)])))
        guard response.status == 200 else {
            throw APIError.upstream("github_error", "GitHub answered the token exchange with HTTP \(response.status).",
                                    korean: "GitHub 로그인을 마치지 못했습니다.")
        }
        let answer = try decode(TokenAnswer.self, response)
        if let error = answer.error {
            switch error {
            case "bad_verification_code":
                throw APIError.badRequest("github_bad_verification_code",
                    "GitHub did not accept the sign-in code: it expired or was already used. Please sign in again.",
                    korean: "로그인 코드가 만료되었거나 이미 사용되었습니다. 다시 로그인해 주세요.")
            case "incorrect_client_credentials", "redirect_uri_mismatch", "unverified_user_email":
                throw APIError.upstream("github_app_misconfigured",
                    "GitHub refused the sign-in (\(error.prefix(40))); the site's GitHub app settings need attention.",
                    korean: "GitHub가 로그인을 거부했습니다. 사이트의 GitHub 앱 설정을 확인해야 합니다.")
            default:
                throw APIError.upstream("github_error", "GitHub refused the sign-in (\(error.prefix(40))).",
                                        korean: "GitHub가 로그인을 거부했습니다.")
            }
        }
        guard let token = answer.access_token, !token.isEmpty else {
            throw APIError.upstream("github_error", "GitHub's token answer had no access token.", korean: "GitHub 응답에 토큰이 없습니다.")
        }
        return GitHubAccessToken(accessToken: token, scope: answer.scope ?? "")
    }

    public func user(token: String) async throws -> GitHubUser {
        try decode(GitHubUser.self, try await get(apiURL.appendingPathComponent("user"), token: token))
    }

    public func emails(token: String) async throws -> [GitHubEmail] {
        try decode([GitHubEmail].self, try await get(apiURL.appendingPathComponent("user/emails"), token: token))
    }
}
