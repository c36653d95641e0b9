import Foundation
import GitfolioCore
import GitfolioStore

/// Sessions and the signed-in member, shared by every handler.
extension Services {
    static let stateCookie = "gitfolio_oauth"

    /// Starts a session for `member` and returns its Set-Cookie value.
    func startSession(for member: Member, request: FunctionRequest) throws -> String {
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: now)
        return config.cookie(SessionCookie.name, token, maxAge: Int(Database.sessionLifetimeSeconds), request: request)
    }

    /// The signed-in member, or nil. A session id of the wrong form is treated like an unknown one.
    func currentMember(_ request: FunctionRequest) throws -> Member? {
        guard let token = request.sessionToken else { return nil }
        return try database.member(sessionHash: Secrets.sha256Hex(token), now: now)
    }

    public func requireMember(_ request: FunctionRequest) throws -> Member {
        guard let member = try currentMember(request) else { throw APIError.unauthorized() }
        return member
    }

    /// A path on this site to return to after signing in; anything else becomes the My page.
    package static func safeReturnPath(_ value: String?) -> String {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), value.count <= 200,
              !value.unicodeScalars.contains(where: { $0.value < 0x21 })
        else { return "/me.html" }
        return value
    }
}

/// What every function says about a member: never tokens, never internal columns. `session`
/// (built without this module) answers the same four fields; a test keeps the two equal.
struct MemberView: Encodable {
    var id: Int64
    var login: String
    var plan: String
    var local: Bool
    init(_ member: Member) {
        id = member.id
        login = member.login
        plan = member.plan.rawValue
        local = member.isLocal
    }
}
