import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioStore

public enum AuthHandlers {
    /// `GET /api/login`: starts the GitHub OAuth web flow (`?private=1` also asks for `repo`,
    /// `?return_to=/path` says where to land). `GET ?mode=info` says which sign-ins are on.
    /// `POST` with `{"login","name"}`: the local sign-in, only under `gitfolio serve` on loopback.
    public static let login: ServiceHandler = { s, request, context in
        try allow(request, "GET", "POST")
        if request.method == "POST" { return try localSignIn(s, request, context) }
        if request.query("mode") == "info" {
            return .json(["github": s.config.github != nil, "local": localSignInAllowed(s, request, context)])
        }
        guard let github = s.github else {
            throw APIError.unavailable("github_not_configured",
                "GitHub sign-in is not configured here (set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET). "
                + "Run `gitfolio serve` on your own machine to use the local sign-in. / GitHub 로그인이 설정되지 않았습니다.")
        }
        let state = Secrets.randomToken()
        let scopes = GitHubClient.scopes(includePrivate: request.query("private") == "1")
        try s.database.saveOAuthState(hash: Secrets.sha256Hex(state), scope: scopes.joined(separator: " "),
                                      returnTo: Services.safeReturnPath(request.query("return_to")), now: s.clock.now())
        let url = github.authorizeURL(state: state, redirectURI: s.redirectURI, scopes: scopes)
        return .redirect(to: url.absoluteString,
                         cookies: [s.cookie(Services.stateCookie, state, path: "/api/", maxAge: 600, request: request)])
    }

    /// `GET /api/auth-callback?code&state` (or `?error=access_denied&state`) from GitHub.
    /// Browsers are sent back to the sign-in page with an error code; other clients get JSON.
    public static let authCallback: ServiceHandler = { s, request, context in
        try allow(request, "GET")
        let clearState = s.cookie(Services.stateCookie, "", path: "/api/", maxAge: 0, request: request)
        do {
            return try await completeSignIn(s, request, clearState: clearState)
        } catch let error as APIError {
            guard request.header("accept")?.contains("text/html") == true else { throw error }
            if error.status >= 500 { context.log.error("sign-in failed: \(error)") }
            return .redirect(to: "/login.html?error=\(error.code)", cookies: [clearState])
        }
    }

    static func completeSignIn(_ s: Services, _ request: FunctionRequest, clearState: String) async throws -> FunctionResponse {
        guard let state = request.query("state"), !state.isEmpty, state.count <= 100 else {
            throw APIError.badRequest("invalid_state", "The sign-in link is missing its state; please start again.")
        }
        // The state must be the one this browser was given, and must still be in the store (once).
        guard let cookieState = request.cookie(Services.stateCookie), Secrets.constantTimeEqual(cookieState, state),
              let saved = try s.database.consumeOAuthState(hash: Secrets.sha256Hex(state), now: s.clock.now())
        else {
            throw APIError.badRequest("invalid_state",
                "This sign-in attempt is unknown, expired or was already used; please start again. / 로그인을 다시 시작하세요.")
        }
        if let error = request.query("error") {
            if error == "access_denied" {
                throw APIError.forbidden("access_denied", "GitHub sign-in was cancelled. / GitHub 로그인이 취소되었습니다.")
            }
            throw APIError.badRequest("github_\(error.prefix(40))", "GitHub reported a sign-in error (\(error.prefix(40))).")
        }
        guard let code = request.query("code"), !code.isEmpty, code.count <= 100 else {
            throw APIError.badRequest("missing_code", "GitHub's answer carried no code; please sign in again.")
        }
        guard let github = s.github else {
            throw APIError.unavailable("github_not_configured", "GitHub sign-in is not configured here.")
        }
        let token = try await github.exchange(code: code, redirectURI: s.redirectURI)
        let user = try await github.user(token: token.accessToken)
        var email = user.email ?? ""
        if let emails = try? await github.emails(token: token.accessToken),
           let primary = emails.first(where: { $0.primary && $0.verified }) ?? emails.first(where: \.verified) {
            email = primary.email
        }
        let member = try s.database.upsertGitHubMember(
            user: user, email: email, tokenCiphertext: try s.cipher.seal(token.accessToken),
            scope: token.scope.isEmpty ? saved.scope : token.scope, now: s.clock.now())
        let session = try s.startSession(for: member, request: request)
        return .redirect(to: saved.returnTo, cookies: [session, clearState])
    }

    /// The offline sign-in: on only when no GitHub app is configured, in a warm process started by
    /// `gitfolio serve` (which sets a per-run key, binds to loopback and adds the key to each
    /// request it forwards), for a request from a loopback address. CGI and one-shot never allow it.
    static func localSignInAllowed(_ s: Services, _ request: FunctionRequest, _ context: FunctionContext) -> Bool {
        guard s.config.github == nil, context.mode == .warm, let key = s.config.localSignInKey,
              let given = request.header("x-gitfolio-local-key"), Secrets.constantTimeEqual(key, given)
        else { return false }
        let ip = request.requestContext.http.sourceIp
        return ip == "127.0.0.1" || ip == "::1" || ip.hasPrefix("127.") || ip == "::ffff:127.0.0.1"
    }

    static func localSignIn(_ s: Services, _ request: FunctionRequest, _ context: FunctionContext) throws -> FunctionResponse {
        try s.requireSameOrigin(request)
        guard localSignInAllowed(s, request, context) else {
            throw APIError.forbidden("local_signin_disabled",
                "The local sign-in works only with `gitfolio serve` on this machine and no GitHub app configured.")
        }
        let fields = try JSONFields.object(from: try s.requireJSON(request))
        try fields.allowOnly(["login", "name"])
        let login = try fields.string("login", max: 39, required: true)
        guard login.range(of: "^[A-Za-z0-9][A-Za-z0-9-]*$", options: .regularExpression) != nil else {
            throw fields.invalid("login", "may hold only letters, digits and '-'", "에는 영문자, 숫자, '-'만 쓸 수 있습니다")
        }
        let name = try fields.string("name", max: 50)
        let member = try s.database.upsertLocalMember(login: login, name: name.isEmpty ? login : name, now: s.clock.now())
        let session = try s.startSession(for: member, request: request)
        return .json(["member": MemberView(member)], cookies: [session])
    }

    /// `POST /api/logout`: ends this browser's session.
    public static let logout: ServiceHandler = { s, request, _ in
        try allow(request, "POST")
        try s.requireSameOrigin(request)
        if let token = request.cookie(Services.sessionCookie), !token.isEmpty, token.count <= 100 {
            try s.database.deleteSession(hash: Secrets.sha256Hex(token))
        }
        return .json(["signedOut": true], cookies: [s.clearedSessionCookie(request)])
    }
}
