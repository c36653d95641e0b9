import Foundation
import GitfolioCore
import GitfolioGitHub
import GitfolioStore

public enum AuthCallbackFunction {
    /// `GET /api/auth-callback?code&state` (or `?error=access_denied&state`) from GitHub.
    /// Browsers are sent back to the sign-in page with an error code; other clients get JSON.
    public static let handler: ServiceHandler = { s, request, context in
        try request.allow("GET")
        let clearState = s.config.cookie(Services.stateCookie, "", path: "/api/", maxAge: 0, request: request)
        do {
            return try await completeSignIn(s, request, clearState: clearState)
        } catch let error as any ResponseError {
            guard request.header("accept")?.contains("text/html") == true else { throw error }
            let answer = error.apiError
            if answer.status >= 500 { context.log.error("sign-in failed: \(error)") }
            // The code goes into the URL percent-encoded: nothing a client sent can split the header.
            return .redirect(to: "/login.html?error=\(PercentEncoding.encode(answer.code))", cookies: [clearState])
        }
    }

    static func completeSignIn(_ s: Services, _ request: FunctionRequest, clearState: String) async throws -> FunctionResponse {
        try s.limit(RateLimits.signIn, member: nil, request)
        guard let state = request.query("state"), !state.isEmpty, state.count <= 100 else {
            throw APIError.badRequest("invalid_state", "The sign-in link is missing its state; please start again.",
                                      korean: "로그인 링크가 올바르지 않습니다. 처음부터 다시 시작해 주세요.")
        }
        // The state must be the one this browser was given, and must still be in the store (once).
        guard let cookieState = request.cookie(Services.stateCookie), Secrets.constantTimeEqual(cookieState, state),
              let saved = try s.database.consumeOAuthState(hash: Secrets.sha256Hex(state), now: s.now)
        else {
            throw APIError.badRequest("invalid_state", "This sign-in attempt is unknown, expired or was already used; please start again.",
                                      korean: "로그인 시도가 만료되었거나 이미 사용되었습니다. 처음부터 다시 시작해 주세요.")
        }
        if let error = request.query("error") {
            if error == "access_denied" {
                throw APIError.forbidden("access_denied", "GitHub sign-in was cancelled.", korean: "GitHub 로그인이 취소되었습니다.")
            }
            // GitHub's documented authorize errors keep their name; anything else a client put in the
            // query becomes one fixed code, so nothing from the URL reaches a header.
            let known = ["redirect_uri_mismatch", "application_suspended", "temporarily_unavailable", "server_error"]
            let code = known.contains(error) ? error : "error"
            throw APIError.badRequest("github_\(code)", "GitHub reported a sign-in error.", korean: "GitHub가 로그인 오류를 알려 왔습니다.")
        }
        guard let code = request.query("code"), !code.isEmpty, code.count <= 100 else {
            throw APIError.badRequest("missing_code", "GitHub's answer carried no code; please sign in again.",
                                      korean: "GitHub 응답에 코드가 없습니다. 다시 로그인해 주세요.")
        }
        guard let app = s.config.github else {
            throw APIError.unavailable("github_not_configured", "GitHub sign-in is not set up on this server.",
                                       korean: "이 서버에는 GitHub 로그인이 설정되어 있지 않습니다.")
        }
        let github = s.github
        let token = try await github.exchange(app: app, code: code, redirectURI: s.redirectURI)
        let user = try await github.user(token: token.accessToken)
        var email = user.email ?? ""
        if let emails = try? await github.emails(token: token.accessToken),
           let primary = emails.first(where: { $0.primary && $0.verified }) ?? emails.first(where: \.verified) {
            email = primary.email
        }
        let member = try s.database.upsertGitHubMember(
            account: GitHubAccount(id: user.id, login: user.login, name: user.name ?? "", email: email, avatarURL: user.avatarURL ?? ""),
            tokenCiphertext: try s.cipher.seal(token.accessToken), scope: token.scope.isEmpty ? saved.scope : token.scope, now: s.now)
        let session = try s.startSession(for: member, request: request)
        return .redirect(to: saved.returnTo, cookies: [session, clearState])
    }
}
