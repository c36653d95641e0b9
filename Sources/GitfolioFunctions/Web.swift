import Foundation
import FunctionCore
import FunctionRuntime
import GitfolioCore
import GitfolioStore

/// Cookies, sessions and request checks shared by every handler.
extension Services {
    static let sessionCookie = SessionCookie.name
    static let stateCookie = "gitfolio_oauth"

    func isSecure(_ request: FunctionRequest) -> Bool {
        config.isHTTPS || request.header("x-forwarded-proto") == "https"
    }

    func cookie(_ name: String, _ value: String, path: String = "/", maxAge: Int, request: FunctionRequest) -> String {
        setCookie(name, value, path: path, maxAge: maxAge, secure: isSecure(request))
    }

    /// Starts a session for `member` and returns its Set-Cookie value.
    func startSession(for member: Member, request: FunctionRequest) throws -> String {
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: clock.now())
        return cookie(Self.sessionCookie, token, maxAge: Int(AppDatabase.sessionLifetime), request: request)
    }

    func clearedSessionCookie(_ request: FunctionRequest) -> String {
        cookie(Self.sessionCookie, "", maxAge: 0, request: request)
    }

    /// The signed-in member, or nil. A session id of the wrong form is treated like an unknown one.
    func currentMember(_ request: FunctionRequest) throws -> Member? {
        guard let token = request.cookie(Self.sessionCookie), SessionCookie.isWellFormed(token) else { return nil }
        return try database.member(sessionHash: Secrets.sha256Hex(token), now: clock.now())
    }

    public func requireMember(_ request: FunctionRequest) throws -> Member {
        guard let member = try currentMember(request) else { throw APIError.unauthorized() }
        return member
    }

    /// Refuses cross-site state changes: the `Origin` must be this site's; without one, the
    /// browser's `Sec-Fetch-Site` must say same-origin, or the request must carry the
    /// `x-gitfolio-csrf` header that only same-origin scripts can send without a CORS preflight.
    public func requireSameOrigin(_ request: FunctionRequest) throws {
        if let origin = request.header("origin") {
            var allowed: Set<String> = [config.publicOrigin]
            if let host = request.header("host") {
                allowed.insert("\(isSecure(request) ? "https" : "http")://\(host)")
            }
            guard allowed.contains(origin) else {
                throw APIError.forbidden("cross_site_request", "This request came from another site (\(origin)) and was refused.")
            }
        } else if let site = request.header("sec-fetch-site") {
            guard site == "same-origin" || site == "none" else {
                throw APIError.forbidden("cross_site_request", "This request came from another site and was refused.")
            }
        } else if request.header("x-gitfolio-csrf") == nil {
            throw APIError.forbidden("csrf_header_missing", "State-changing requests must send the x-gitfolio-csrf header.")
        }
    }

    public func requireJSON(_ request: FunctionRequest) throws -> Data {
        let type = request.header("content-type")?.lowercased() ?? ""
        guard type.hasPrefix("application/json") else {
            throw APIError(status: 415, code: "unsupported_media_type", message: "Send the body as application/json.")
        }
        return try request.bodyData()
    }

    /// A path on this site to return to after signing in; anything else becomes the My page.
    package static func safeReturnPath(_ value: String?) -> String {
        guard let value, value.hasPrefix("/"), !value.hasPrefix("//"), !value.contains("\\"), value.count <= 200,
              !value.unicodeScalars.contains(where: { $0.value < 0x21 })
        else { return "/me.html" }
        return value
    }
}

public func allow(_ request: FunctionRequest, _ methods: String...) throws {
    guard methods.contains(request.method) else { throw APIError.methodNotAllowed(request.method, allowed: methods) }
}

/// What every function says about a member: never tokens, never internal columns.
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
