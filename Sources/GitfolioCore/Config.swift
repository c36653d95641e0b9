import Foundation

/// Everything a function or command reads from its environment, in one place.
///
/// | variable | meaning | default |
/// | --- | --- | --- |
/// | `GITFOLIO_DB` | SQLite file | `content/gitfolio.sqlite` |
/// | `GITFOLIO_SECRET_KEY` | base64 of 32 bytes, encrypts tokens at rest | read from `GITFOLIO_SECRET_FILE` |
/// | `GITFOLIO_SECRET_FILE` | key file, created (0600) on first use | `secret.key` beside the database |
/// | `GITFOLIO_PUBLIC_URL` | the origin users reach the site at | `http://127.0.0.1:8080` |
/// | `GITHUB_CLIENT_ID`, `GITHUB_CLIENT_SECRET` | the GitHub OAuth app | unset: GitHub sign-in off |
/// | `GITHUB_OAUTH_URL`, `GITHUB_API_URL` | GitHub endpoints (tests point them at a fake) | github.com, api.github.com |
/// | `GITFOLIO_LOCAL_SIGNIN_KEY` | set only by `gitfolio serve` on loopback | unset |
public struct Config: Sendable {
    public struct GitHubApp: Sendable {
        public var clientID: String
        public var clientSecret: String
        public init(clientID: String, clientSecret: String) {
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    public var databasePath: String
    public var secretKey: String?
    public var secretFile: String
    public var publicURL: URL
    public var github: GitHubApp?
    public var githubOAuthURL: URL
    public var githubAPIURL: URL
    public var localSignInKey: String?

    public static let defaultDatabasePath = "content/gitfolio.sqlite"

    public init(environment env: [String: String] = ProcessInfo.processInfo.environment) throws {
        databasePath = env["GITFOLIO_DB"].nonEmpty ?? Config.defaultDatabasePath
        secretKey = env["GITFOLIO_SECRET_KEY"].nonEmpty
        secretFile = env["GITFOLIO_SECRET_FILE"].nonEmpty
            ?? URL(fileURLWithPath: databasePath).deletingLastPathComponent().appendingPathComponent("secret.key").path
        publicURL = try Config.url(env["GITFOLIO_PUBLIC_URL"].nonEmpty ?? "http://127.0.0.1:8080", name: "GITFOLIO_PUBLIC_URL")
        if let id = env["GITHUB_CLIENT_ID"].nonEmpty {
            guard let secret = env["GITHUB_CLIENT_SECRET"].nonEmpty else {
                throw APIError.internal("GITHUB_CLIENT_ID is set but GITHUB_CLIENT_SECRET is not.")
            }
            github = GitHubApp(clientID: id, clientSecret: secret)
        }
        githubOAuthURL = try Config.url(env["GITHUB_OAUTH_URL"].nonEmpty ?? "https://github.com", name: "GITHUB_OAUTH_URL")
        githubAPIURL = try Config.url(env["GITHUB_API_URL"].nonEmpty ?? "https://api.github.com", name: "GITHUB_API_URL")
        localSignInKey = env["GITFOLIO_LOCAL_SIGNIN_KEY"].nonEmpty
    }

    /// The origin (`scheme://host[:port]`) browsers send in `Origin` for this site.
    public var publicOrigin: String { Config.origin(of: publicURL) }

    public var isHTTPS: Bool { publicURL.scheme == "https" }

    public static func origin(of url: URL) -> String {
        var origin = "\(url.scheme ?? "http")://\(url.host ?? "")"
        if let port = url.port { origin += ":\(port)" }
        return origin
    }

    private static func url(_ string: String, name: String) throws -> URL {
        guard let url = URL(string: string.hasSuffix("/") ? String(string.dropLast()) : string),
              let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil
        else { throw APIError.internal("\(name) must be an http(s) URL.") }
        return url
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        switch self {
        case .some(let s) where !s.isEmpty: return s
        default: return nil
        }
    }
}
