import FunctionCore

#if canImport(Glibc)
import Glibc
#endif

/// `GET /api/session`: who is signed in, as `{"member": {...}}` or `{"member": null}`.
///
/// Every page's header asks this, so it is the most frequent request of the site. It is built
/// without Foundation, GRDB or swift-crypto (FunctionCore, SQLite's C API) so that a one-shot or
/// CGI process starts about as fast as a minimal Swift executable; `GET /api/me` answers the
/// same question plus the profile, through the full stack. The member is described exactly as
/// `me` describes it (`id`, `login`, `plan`, `local`).
public final class SessionLookup {
    /// The store's default file (`Config.defaultDatabasePath`; a test keeps the two equal).
    public static let defaultDatabasePath = "content/gitfolio.sqlite"
    static let query = """
        SELECT member.id, member.login, member.plan, member.github_id IS NULL
        FROM session JOIN member ON member.id = session.member_id
        WHERE session.token_hash = ? AND session.expires_at > ?
        """

    let databasePath: String
    let secureSite: Bool
    private var statement: SQLiteStatement?

    public init(environment: [String: String]) {
        let path = environment["GITFOLIO_DB"] ?? ""
        databasePath = path.isEmpty ? Self.defaultDatabasePath : path
        secureSite = (environment["GITFOLIO_PUBLIC_URL"] ?? "").hasPrefix("https://")
    }

    public func respond(_ request: BareRequest) -> BareResponse {
        guard request.method == "GET" else {
            return .error(FunctionError(status: 405, code: "method_not_allowed",
                                        message: "Method \(request.method) is not allowed here; use GET."),
                          headers: ["allow": "GET"])
        }
        guard let token = request.cookie(SessionCookie.name) else { return .json(.object(["member": .null])) }
        let member: JSONValue?
        do {
            member = SessionCookie.isWellFormed(token) ? try lookUp(hash: SHA256Digest.hex(token.utf8)) : nil
        } catch {
            // Dropped, so that a warm process tries again on the next request.
            statement = nil
            logError("session", "\(request.method) \(request.path): the database at \(databasePath): \(error)")
            return .error(FunctionError(status: 500, code: "internal", message: "The database could not be read."))
        }
        guard let member else {
            // A stale or forged cookie is cleared so the browser stops sending it (as `me` does).
            let secure = secureSite || request.header("x-forwarded-proto") == "https"
            return .json(.object(["member": .null]), cookies: [setCookie(SessionCookie.name, "", maxAge: 0, secure: secure)])
        }
        return .json(.object(["member": member]))
    }

    private func lookUp(hash: String) throws(SQLiteConnection.Failure) -> JSONValue? {
        if statement == nil {
            statement = try SQLiteConnection(path: databasePath).prepare(Self.query)
        }
        let rows = try statement!.rows([.text(hash), .integer(Int64(time(nil)))]) { row in
            JSONValue.object([
                "id": .int(row.int64(0)),
                "login": .string(row.text(1) ?? ""),
                "plan": .string(row.text(2) == "PRO" ? "PRO" : "FREE"),
                "local": .bool(row.int64(3) != 0),
            ])
        }
        return rows.first
    }
}
