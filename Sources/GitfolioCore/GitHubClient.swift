import Foundation

public struct GitHubAccessToken: Sendable, Equatable {
    public var accessToken: String
    public var scope: String
    public var tokenType: String
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

    public init(id: Int64, login: String, name: String?, email: String?, avatarURL: String?) {
        self.id = id
        self.login = login
        self.name = name
        self.email = email
        self.avatarURL = avatarURL
    }
}

public struct GitHubEmail: Sendable, Equatable, Decodable {
    public var email: String
    public var primary: Bool
    public var verified: Bool
}

/// The GitHub OAuth web flow and the user endpoints, over the real HTTP transport.
public struct GitHubClient: Sendable {
    public let transport: any HTTPTransport
    public let oauthURL: URL
    public let apiURL: URL
    public let app: Config.GitHubApp

    public init(transport: any HTTPTransport, oauthURL: URL, apiURL: URL, app: Config.GitHubApp) {
        self.transport = transport
        self.oauthURL = oauthURL
        self.apiURL = apiURL
        self.app = app
    }

    /// Scopes: profile and verified emails always; `repo` only when the member consents to private repositories.
    public static func scopes(includePrivate: Bool) -> [String] {
        includePrivate ? ["read:user", "user:email", "repo"] : ["read:user", "user:email"]
    }

    public func authorizeURL(state: String, redirectURI: String, scopes: [String]) -> URL {
        var components = URLComponents(url: oauthURL.appendingPathComponent("login/oauth/authorize"), resolvingAgainstBaseURL: false)!
        components.queryItems = [
            URLQueryItem(name: "client_id", value: app.clientID),
            URLQueryItem(name: "redirect_uri", value: redirectURI),
            URLQueryItem(name: "scope", value: scopes.joined(separator: " ")),
            URLQueryItem(name: "state", value: state),
            URLQueryItem(name: "allow_signup", value: "true"),
        ]
        return components.url!
    }

    /// Exchanges the callback's `code`. GitHub reports a bad code with HTTP 200 and an `error` field.
    public func exchange(code: String, redirectURI: String) async throws -> GitHubAccessToken {
        let form = [
            ("client_id", app.clientID), ("client_secret", app.clientSecret),
            ("code", code), ("redirect_uri", redirectURI),
        ].map { "\($0.0)=\(Self.formEncode($0.1))" }.joined(separator: "&")
        let response = try await send(OutboundRequest(
            method: "POST", url: oauthURL.appendingPathComponent("login/oauth/access_token"),
            headers: ["Accept": "application/json", "Content-Type": "application/x-www-form-urlencoded"],
            body: Data(form.utf8)))
        guard response.status == 200,
              let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        else { throw APIError.upstream("github_error", "GitHub answered the token exchange with HTTP \(response.status).") }
        if let error = object["error"] as? String {
            switch error {
            case "bad_verification_code":
                throw APIError.badRequest("github_bad_verification_code",
                    "GitHub did not accept the sign-in code: it expired or was already used. Please sign in again. / 로그인 코드가 만료되었거나 이미 사용되었습니다. 다시 로그인하세요.")
            case "incorrect_client_credentials", "redirect_uri_mismatch", "unverified_user_email":
                throw APIError.upstream("github_app_misconfigured", "GitHub refused the sign-in (\(error)); the site's GitHub app settings need attention.")
            default:
                throw APIError.upstream("github_error", "GitHub refused the sign-in (\(error)).")
            }
        }
        guard let token = object["access_token"] as? String, !token.isEmpty else {
            throw APIError.upstream("github_error", "GitHub's token answer had no access_token.")
        }
        return GitHubAccessToken(accessToken: token, scope: object["scope"] as? String ?? "",
                                 tokenType: object["token_type"] as? String ?? "bearer")
    }

    public func user(token: String) async throws -> GitHubUser {
        try decode(GitHubUser.self, from: try await api("user", token: token))
    }

    public func emails(token: String) async throws -> [GitHubEmail] {
        try decode([GitHubEmail].self, from: try await api("user/emails", token: token))
    }

    private func api(_ path: String, token: String) async throws -> OutboundResponse {
        let response = try await send(OutboundRequest(
            url: apiURL.appendingPathComponent(path),
            headers: ["Accept": "application/vnd.github+json", "Authorization": "Bearer \(token)",
                      "X-GitHub-Api-Version": "2022-11-28", "User-Agent": "Gitfolio"]))
        switch response.status {
        case 200..<300:
            return response
        case 401:
            throw APIError(status: 401, code: "github_token_rejected", message: "GitHub no longer accepts this sign-in. Please sign in again.")
        case 429:
            throw Self.rateLimitError(response)
        case 403 where Self.isRateLimited(response):
            throw Self.rateLimitError(response)
        default:
            throw APIError.upstream("github_error", "GitHub answered \(path) with HTTP \(response.status).")
        }
    }

    public static func isRateLimited(_ response: OutboundResponse) -> Bool {
        response.headers["x-ratelimit-remaining"] == "0" || response.headers["retry-after"] != nil
    }

    public static func rateLimitError(_ response: OutboundResponse) -> APIError {
        let reset = response.headers["x-ratelimit-reset"].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) }
        let when = reset.map { " until \(ISO8601DateFormatter().string(from: $0))" } ?? ""
        return APIError.unavailable("github_rate_limited", "GitHub is limiting requests for this account\(when). Please try again later.")
    }

    private func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        do {
            return try await transport.send(request)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.upstream("github_unreachable", "GitHub could not be reached: \(error.localizedDescription)")
        }
    }

    private func decode<T: Decodable>(_ type: T.Type, from response: OutboundResponse) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch {
            throw APIError.upstream("github_error", "GitHub sent an answer Gitfolio could not read.")
        }
    }

    static func formEncode(_ value: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
    }
}
