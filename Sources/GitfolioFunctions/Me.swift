import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioStore

struct MeBody: Encodable {
    var member: MemberView
    var profile: Profile
}

public enum MeHandlers {
    /// `GET /api/me`: who is signed in, and their profile.
    /// `PUT /api/me` with a whole profile: replaces it after validation.
    /// `DELETE /api/me` with `{"confirm": "<login>"}`: deletes the account and everything that is theirs.
    public static let me: ServiceHandler = { s, request, _ in
        try allow(request, "GET", "PUT", "DELETE")
        if request.method != "GET" { try s.requireSameOrigin(request) }
        guard let member = try s.currentMember(request) else {
            // A stale or forged cookie is cleared so the browser stops sending it.
            let clear = request.cookie(Services.sessionCookie) != nil ? [s.clearedSessionCookie(request)] : []
            return .error(.unauthorized(), cookies: clear)
        }
        switch request.method {
        case "PUT":
            let profile = try Profile.parse(json: try s.requireJSON(request))
            let saved = try s.database.replaceProfile(memberID: member.id, with: profile, now: s.clock.now())
            return .json(MeBody(member: MemberView(member), profile: saved))
        case "DELETE":
            let fields = try JSONFields.object(from: try s.requireJSON(request))
            try fields.allowOnly(["confirm"])
            guard try fields.string("confirm", max: 100) == member.login else {
                throw APIError.badRequest("confirmation_required",
                    "To delete the account, send {\"confirm\": \"\(member.login)\"}. / 계정을 삭제하려면 로그인 이름을 입력하세요.")
            }
            // Subscriptions, resumes, likes and comments are removed with the member by foreign keys;
            // an active KakaoPay subscription will be made inactive here once payments exist.
            try s.database.deleteMember(id: member.id)
            return .json(["deleted": true], cookies: [s.clearedSessionCookie(request)])
        default:
            guard let profile = try s.database.profile(memberID: member.id) else { throw APIError.unauthorized() }
            return .json(MeBody(member: MemberView(member), profile: profile))
        }
    }
}

/// The handlers of the function executables, with live services.
public enum Functions {
    public static func login(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionHandler {
        liveHandler(AuthHandlers.login, transport: transport)
    }
    public static func authCallback(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionHandler {
        liveHandler(AuthHandlers.authCallback, transport: transport)
    }
    public static func generate(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionHandler {
        liveHandler(GenerateHandlers.generate, transport: transport)
    }
    public static func revise(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionHandler {
        liveHandler(ReviseHandlers.revise, transport: transport)
    }
    public static func repositories(transport: @escaping @Sendable () -> any HTTPTransport) -> FunctionHandler {
        liveHandler(RepositoryHandlers.repositories, transport: transport)
    }
    public static let logout = liveHandler(AuthHandlers.logout)
    public static let me = liveHandler(MeHandlers.me)

    /// Every function by the name it is deployed under (`/api/<name>`): one executable each.
    /// (`resume`'s handler is in RenderFunctions, so that only its executable links Pango and Cairo;
    /// `session` is built without this module at all, see SessionFunction.)
    public static let names = ["auth-callback", "generate", "login", "logout", "me", "repositories", "resume", "revise", "session"]
}
