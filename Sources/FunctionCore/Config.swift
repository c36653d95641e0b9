/// Everything Gitfolio reads from its environment, in one place: every variable is listed once in
/// `Config.Variable` (its meaning and default, whether it is a secret, whether functions need it),
/// and `gitfolio serve`, `gitfolio deploy`, the functions and the commands take their settings
/// from here. Foundation-free, so the fast functions read it too.
public struct Config: Sendable {
    public enum Variable: String, CaseIterable, Sendable {
        case database = "GITFOLIO_DB"
        case secretKey = "GITFOLIO_SECRET_KEY"
        case secretFile = "GITFOLIO_SECRET_FILE"
        case publicURL = "GITFOLIO_PUBLIC_URL"
        case githubClientID = "GITHUB_CLIENT_ID"
        case githubClientSecret = "GITHUB_CLIENT_SECRET"
        case githubOAuthURL = "GITHUB_OAUTH_URL"
        case githubAPIURL = "GITHUB_API_URL"
        case llmProvider = "GITFOLIO_LLM_PROVIDER"
        case llmBaseURL = "GITFOLIO_LLM_BASE_URL"
        case llmModel = "GITFOLIO_LLM_MODEL"
        case llmAPIKey = "GITFOLIO_LLM_API_KEY"
        case llmConfigFile = "GITFOLIO_LLM_CONFIG"
        case logLevel = "GITFOLIO_LOG_LEVEL"
        case trustedProxies = "GITFOLIO_TRUSTED_PROXIES"
        case siteDirectory = "GITFOLIO_SITE_DIR"
        case localSignInKey = "GITFOLIO_LOCAL_SIGNIN_KEY"
        case functionMode = "GITFOLIO_FUNCTION_MODE"
        case githubToken = "GITHUB_TOKEN"
        case kakaoPaySecretKey = "KAKAOPAY_SECRET_KEY"
        case kakaoPayCID = "KAKAOPAY_CID"
        case kakaoPayAPIURL = "KAKAOPAY_API_URL"

        public var meaning: String {
            switch self {
            case .database: "SQLite file"
            case .secretKey: "base64 of 32 bytes; encrypts GitHub tokens at rest"
            case .secretFile: "key file, created with mode 0600 on first use"
            case .publicURL: "the URL people use; OAuth redirect, cookies and origin checks derive from it"
            case .githubClientID, .githubClientSecret: "your GitHub OAuth app; its callback URL is `<public URL>/api/auth-callback`"
            case .githubOAuthURL, .githubAPIURL: "GitHub's endpoints (tests point them at a fake)"
            case .llmProvider: "`openai` (any OpenAI-compatible server) or `anthropic`"
            case .llmBaseURL, .llmModel, .llmAPIKey: "where, which model, and the key (optional for local servers)"
            case .llmConfigFile: "a JSON file with `provider`, `baseURL`, `model`, `apiKey`; a variable above that is set wins over it"
            case .logLevel: "`debug`, `info`, `warning`, `error` (logs go to stderr)"
            case .trustedProxies: "addresses of reverse proxies in front of the runner, comma-separated: only from these is `X-Forwarded-For` believed (view counts)"
            case .siteDirectory: "the built static site; functions remove a withdrawn resume's files from it at once"
            case .localSignInKey: "set only by `gitfolio serve` on loopback, for the local sign-in"
            case .functionMode: "`warm` makes a function read newline-delimited events (set by `gitfolio serve`)"
            case .githubToken: "a GitHub token for `gitfolio resume --github` (scopes `read:user`, and `repo` for private repositories)"
            case .kakaoPaySecretKey: "KakaoPay's secret key (`SECRET_KEY …` of your KakaoPay developers app); PRO subscriptions need it"
            case .kakaoPayCID: "the KakaoPay recurring-payment merchant id (CID); `TCSUBSCRIP` is KakaoPay's test CID"
            case .kakaoPayAPIURL: "KakaoPay's API (tests point it at a fake)"
            }
        }

        public var defaultText: String {
            switch self {
            case .database: "`content/gitfolio.sqlite`"
            case .secretKey: "read from `GITFOLIO_SECRET_FILE`"
            case .secretFile: "`secret.key` beside the database"
            case .publicURL: "`http://127.0.0.1:8080`"
            case .githubClientID, .githubClientSecret: "unset: GitHub sign-in off"
            case .githubOAuthURL: "`https://github.com`"
            case .githubAPIURL: "`https://api.github.com`"
            case .llmProvider: "unset: no model; generation uses the offline writer, AI revision is unavailable"
            case .llmBaseURL, .llmModel, .llmAPIKey: "OpenAI's or Anthropic's URL; no model; no key"
            case .llmConfigFile: "unset"
            case .logLevel: "`info`"
            case .trustedProxies: "unset: the address the runner reports is the visitor's"
            case .siteDirectory: "unset (`serve` and `deploy` set it)"
            case .localSignInKey, .functionMode, .githubToken: "unset"
            case .kakaoPaySecretKey: "unset: subscribing answers \"payments are not configured\""
            case .kakaoPayCID: "`TCSUBSCRIP`"
            case .kakaoPayAPIURL: "`https://open-api.kakaopay.com`"
            }
        }

        /// Values never printed, logged or put in an error.
        public var isSecret: Bool {
            [.secretKey, .githubClientSecret, .llmAPIKey, .localSignInKey, .githubToken, .kakaoPaySecretKey].contains(self)
        }

        /// Not for function processes: set by the runner for its own processes, or read by a command only.
        public var isInternal: Bool { self == .localSignInKey || self == .functionMode || self == .githubToken }
    }

    /// The settings a GitHub OAuth app gives.
    public struct GitHubApp: Sendable, Equatable {
        public var clientID: String
        public var clientSecret: String
        public init(clientID: String, clientSecret: String) {
            self.clientID = clientID
            self.clientSecret = clientSecret
        }
    }

    /// The settings KakaoPay's recurring payments need. The key never leaves this value except in the
    /// `Authorization` header of a request to KakaoPay: every description of it is redacted.
    public struct KakaoPaySettings: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        public var secretKey: String
        public var cid: String
        public var apiURL: WebAddress

        public init(secretKey: String, cid: String = "TCSUBSCRIP", apiURL: WebAddress = WebAddress("https://open-api.kakaopay.com")!) {
            self.secretKey = secretKey
            self.cid = cid
            self.apiURL = apiURL
        }

        public var description: String { "KakaoPay(cid: \(cid), api: \(apiURL), key: <redacted>)" }
        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: ["cid": cid, "apiURL": apiURL.description], displayStyle: .struct) }
    }

    /// The values of the variables that are set (and not empty), by name. (Keyed by the name rather
    /// than the enum: a dictionary of our own key type costs a one-shot process a runtime metadata
    /// lookup and a conformance scan at start-up.)
    let values: [String: String]
    public var databasePath: String
    public var secretKey: String?
    public var secretFile: String
    public var publicURL: WebAddress
    public var github: GitHubApp?
    public var githubOAuthURL: WebAddress
    public var githubAPIURL: WebAddress
    public var localSignInKey: String?
    public var logLevel: Log.Level
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    public var trustedProxies: Set<String>
    public var siteDirectory: String?
    /// KakaoPay's settings; nil when no secret key is configured (subscribing is then refused).
    public var kakaoPay: KakaoPaySettings?

    public static let defaultDatabasePath = "content/gitfolio.sqlite"

    /// Reads the variables; a malformed value is an error that names the variable (never its value).
    public init(environment env: [String: String]) throws(APIError) {
        var values: [String: String] = [:]
        for variable in Variable.allCases {
            if let value = env[variable.rawValue], !value.isEmpty { values[variable.rawValue] = value }
        }
        self.values = values
        func value(_ variable: Variable) -> String? { values[variable.rawValue] }
        databasePath = value(.database) ?? Config.defaultDatabasePath
        secretKey = value(.secretKey)
        secretFile = value(.secretFile) ?? Config.directory(of: databasePath) + "/secret.key"
        publicURL = try Config.address(value(.publicURL) ?? "http://127.0.0.1:8080", .publicURL)
        if let id = value(.githubClientID) {
            guard let secret = value(.githubClientSecret) else {
                throw .internal("GITHUB_CLIENT_ID is set but GITHUB_CLIENT_SECRET is not.")
            }
            github = GitHubApp(clientID: id, clientSecret: secret)
        }
        githubOAuthURL = try Config.address(value(.githubOAuthURL) ?? "https://github.com", .githubOAuthURL)
        githubAPIURL = try Config.address(value(.githubAPIURL) ?? "https://api.github.com", .githubAPIURL)
        localSignInKey = value(.localSignInKey)
        logLevel = Log.Level(name: value(.logLevel))
        trustedProxies = Set((value(.trustedProxies) ?? "").split(separator: ",").map { String($0.filter { $0 != " " }) }.filter { !$0.isEmpty })
        siteDirectory = value(.siteDirectory)
        let kakaoPayURL = try Config.address(value(.kakaoPayAPIURL) ?? "https://open-api.kakaopay.com", .kakaoPayAPIURL)
        if let key = value(.kakaoPaySecretKey) {
            let cid = value(.kakaoPayCID) ?? "TCSUBSCRIP"
            guard cid.utf8.count <= 10, cid.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .internal("KAKAOPAY_CID must be a KakaoPay CID (10 characters at most).")
            }
            guard key.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
                throw .internal("KAKAOPAY_SECRET_KEY must be printable ASCII without spaces.")
            }
            kakaoPay = KakaoPaySettings(secretKey: key, cid: cid, apiURL: kakaoPayURL)
        }
    }

    public subscript(variable: Variable) -> String? { values[variable.rawValue] }

    public var isHTTPS: Bool { publicURL.scheme == "https" }

    /// The origin (`scheme://host[:port]`) browsers send in `Origin` for this site.
    public var publicOrigin: String { publicURL.origin }

    /// The operator's settings to hand to function processes (`serve`'s pools, `deploy`'s CGI
    /// environment): every variable that is set, except those a runner sets for itself.
    public func functionEnvironment(overriding overrides: [Variable: String] = [:]) -> [(String, String)] {
        Variable.allCases.compactMap { variable in
            guard let value = overrides[variable] ?? (variable.isInternal ? nil : values[variable.rawValue]) else { return nil }
            return (variable.rawValue, value)
        }
    }

    static func address(_ text: String, _ variable: Variable) throws(APIError) -> WebAddress {
        guard let address = WebAddress(text), address.scheme == "http" || address.scheme == "https" else {
            throw .internal("\(variable.rawValue) must be an http(s) URL.")
        }
        return address
    }

    /// `a/b/c.sqlite` → `a/b`; `c.sqlite` → `.`.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}

/// An absolute http(s) address, parsed without Foundation: `scheme://host[:port][/path]`.
public struct WebAddress: Sendable, Equatable, CustomStringConvertible {
    public var scheme: String
    public var host: String
    public var port: Int?
    /// Without a trailing slash; empty for the root.
    public var path: String

    public init?(_ text: String) {
        // On the UTF-8 bytes: a one-shot function parses three of these at start-up.
        let bytes = Array(text.utf8)
        func string(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        var i = 0
        while i + 2 < bytes.count, !(bytes[i] == UInt8(ascii: ":") && bytes[i + 1] == UInt8(ascii: "/") && bytes[i + 2] == UInt8(ascii: "/")) {
            i += 1
        }
        guard i + 2 < bytes.count, i > 0 else { return nil }
        scheme = string(0..<i).lowercased()
        let start = i + 3
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "?"), bytes[end] != UInt8(ascii: "#") { end += 1 }
        var slash = start
        while slash < end, bytes[slash] != UInt8(ascii: "/") { slash += 1 }
        var pathEnd = end
        while pathEnd > slash, bytes[pathEnd - 1] == UInt8(ascii: "/") { pathEnd -= 1 }
        path = string(slash..<pathEnd)
        let authority = bytes[start..<slash]
        guard !authority.contains(UInt8(ascii: "@")) else { return nil }
        var hostEnd = slash
        if authority.first == UInt8(ascii: "[") {
            guard let close = authority.firstIndex(of: UInt8(ascii: "]")) else { return nil }
            hostEnd = close + 1
        } else if let colon = authority.lastIndex(of: UInt8(ascii: ":")) {
            hostEnd = colon
        }
        host = string(start..<hostEnd).lowercased()
        if hostEnd < slash {
            guard bytes[hostEnd] == UInt8(ascii: ":"), let p = Int(string((hostEnd + 1)..<slash)), (1...65535).contains(p) else { return nil }
            port = p
        } else {
            port = nil
        }
        guard !host.isEmpty, host.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "%") }) else { return nil }
        if (scheme == "http" && port == 80) || (scheme == "https" && port == 443) { port = nil }
    }

    /// `scheme://host[:port]`.
    public var origin: String { "\(scheme)://\(host)" + (port.map { ":\($0)" } ?? "") }

    /// The host as a `Host` header names it: `host[:port]`.
    public var hostHeader: String { host + (port.map { ":\($0)" } ?? "") }

    public var description: String { origin + path }

    /// This address with `relative` appended as path segments: `https://a/v1` + `chat/completions`.
    public func appending(_ relative: String) -> String {
        description + "/" + relative.drop(while: { $0 == "/" })
    }
}
