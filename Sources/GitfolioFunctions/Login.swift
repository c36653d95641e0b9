import Foundation
import GitfolioCore
import GitfolioGitHub
import GitfolioStore

public enum LoginFunction {
    /// `GET /api/login`: starts the GitHub OAuth web flow (`?private=1` also asks for `repo`,
    /// `?return_to=/path` says where to land). `GET ?mode=info` says which sign-ins are on.
    /// `POST` with `{"login","name"}`: the local sign-in, only under `gitfolio serve` on loopback.
    public static let handler: ServiceHandler = { s, request, context in
        try request.allow("GET", "POST")
        if request.method == "POST" { return try localSignIn(s, request, context) }
        if request.query("mode") == "info" {
            return .json(["github": .bool(s.config.github != nil), "local": .bool(localSignInAllowed(s, request, context))] as JSONValue)
        }
        guard let app = s.config.github else {
            throw APIError.unavailable("github_not_configured",
                "GitHub sign-in is not set up on this server. Run Gitfolio on your own machine (./serve.sh) to use the local sign-in.",
                korean: "이 서버에는 GitHub 로그인이 설정되어 있지 않습니다. 내 컴퓨터에서 Gitfolio를 실행하면(./serve.sh) 로컬 로그인을 쓸 수 있습니다.")
        }
        try s.limit(RateLimits.signIn, member: nil, request)
        let state = Secrets.randomToken()
        let scopes = GitHub.scopes(includePrivate: request.query("private") == "1")
        try s.database.saveOAuthState(hash: Secrets.sha256Hex(state), scope: scopes.joined(separator: " "),
                                      returnTo: Services.safeReturnPath(request.query("return_to")), now: s.now)
        let url = s.github.authorizeURL(app: app, state: state, redirectURI: s.redirectURI, scopes: scopes)
        return .redirect(to: url.absoluteString,
                         cookies: [s.config.cookie(Services.stateCookie, state, path: "/api/", maxAge: 600, request: request)])
    }

    /// The offline sign-in: on only when no GitHub app is configured, in a warm process started by
    /// `gitfolio serve` (which sets a per-run key, binds to loopback and adds the key to each
    /// request it forwards), for a request from a loopback address. CGI and one-shot never allow it.
    static func localSignInAllowed(_ s: Services, _ request: FunctionRequest, _ context: FunctionContext) -> Bool {
        guard s.config.github == nil, context.mode == .warm, let key = s.config.localSignInKey,
              let given = request.header("x-gitfolio-local-key"), Secrets.constantTimeEqual(key, given)
        else { return false }
        let ip = request.sourceIp
        return ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("127.") || ip == "::ffff:127.0.0.1"
    }

    struct LocalSignIn: Decodable {
        var login: String
        var name: String
        enum CodingKeys: String, CodingKey { case login, name }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            login = try c.text(.login, max: 39, required: true)
            guard login.range(of: "^[A-Za-z0-9][A-Za-z0-9-]*$", options: .regularExpression) != nil else {
                throw FieldError(c.path(.login), .rule(english: "may hold only letters, digits and hyphens, starting with a letter or digit",
                                                       korean: "영문자, 숫자, 하이픈(-)만 쓸 수 있고 영문자나 숫자로 시작해야 합니다"))
            }
            name = try c.text(.name, max: 50)
        }
    }

    static func localSignIn(_ s: Services, _ request: FunctionRequest, _ context: FunctionContext) throws -> FunctionResponse {
        try s.config.requireSameOrigin(request)
        guard localSignInAllowed(s, request, context) else {
            throw APIError.forbidden("local_signin_disabled",
                "The local sign-in works only when Gitfolio runs on your own machine without a GitHub app.",
                korean: "로컬 로그인은 GitHub 앱 없이 내 컴퓨터에서 Gitfolio를 실행할 때만 쓸 수 있습니다.")
        }
        try s.limit(RateLimits.signIn, member: nil, request)
        let input = try request.decodeBody(LocalSignIn.self)
        let member = try s.database.upsertLocalMember(login: input.login, name: input.name.isEmpty ? input.login : input.name, now: s.now)
        let session = try s.startSession(for: member, request: request)
        return .json(["member": try JSONValue(encoding: MemberView(member))] as JSONValue, cookies: [session])
    }
}

public enum LogoutFunction {
    /// `POST /api/logout`: ends this browser's session.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("POST")
        try s.config.requireSameOrigin(request)
        if let token = request.cookie(SessionCookie.name), !token.isEmpty, token.count <= 100 {
            try s.database.deleteSession(hash: Secrets.sha256Hex(token))
        }
        return .json(["signedOut": true] as JSONValue, cookies: [s.config.clearedSessionCookie(request)])
    }
}
