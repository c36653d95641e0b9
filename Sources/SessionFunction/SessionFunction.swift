import FunctionCore
import StoreCore

#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/session`: who is signed in, as `{"member": {...}, "unread": n}` (n: their unread
/// notifications, for the header's badge) or `{"member": null}`.
///
/// Every page's header asks this, so it is the most frequent request of the site. It is built
/// without Foundation, GRDB-free like the whole store, and without swift-crypto (FunctionCore and
/// StoreCore only), so that a one-shot or CGI process starts about as fast as a minimal Swift
/// executable. It runs the store's own session query (StoreCore) and describes the member exactly
/// as `me` does (`id`, `login`, `plan`, `local`).
public final class SessionFunction {
    let config: Config
    private var database: Database?

    public init(config: Config) { self.config = config }

    /// The handler with the process's configuration; a configuration error is answered per request.
    public static func live(environment: [String: String] = processEnvironment()) -> FunctionRunner.Handler {
        do {
            let function = SessionFunction(config: try Config(environment: environment))
            return function.respond
        } catch {
            return { _, _ in throw error }
        }
    }

    public func respond(_ request: FunctionRequest, _ context: FunctionContext) throws -> FunctionResponse {
        try request.allow("GET")
        guard request.cookie(SessionCookie.name) != nil else { return .json(["member": nil] as JSONValue) }
        var signedIn: (member: Member, unread: Int)?
        if let token = request.sessionToken {
            do {
                if database == nil { database = try Database(path: config.databasePath) }
                signedIn = try database!.signedIn(sessionHash: SHA256Digest.hex(token.utf8), now: Int64(time(nil)))
            } catch {
                // Dropped, so that a warm process opens the file again on the next request.
                database = nil
                throw error
            }
        }
        guard let (member, unread) = signedIn else {
            // A stale or forged cookie is cleared so the browser stops sending it (as `me` does).
            return .json(["member": nil] as JSONValue, cookies: [config.clearedSessionCookie(request)])
        }
        return .json(["member": ["id": .int(member.id), "login": .string(member.login), "plan": .string(member.plan.rawValue),
                                 "local": .bool(member.isLocal)],
                      "unread": .int(Int64(unread))] as JSONValue)
    }
}
