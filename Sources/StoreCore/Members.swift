import GitfolioDomain

/// A signed-in member as functions see them.
public struct Member: Sendable, Equatable, Codable {
    public var id: Int64
    public var login: String
    public var githubID: Int64?
    public var plan: Plan
    public var isLocal: Bool { githubID == nil }

    public init(id: Int64, login: String, githubID: Int64?, plan: Plan) {
        self.id = id
        self.login = login
        self.githubID = githubID
        self.plan = plan
    }

    public init(row: Row) {
        self.init(id: row.int64("id"), login: row.text("login"), githubID: row.optionalInt64("github_id"),
                  plan: Plan(rawValue: row.text("plan")) ?? .free)
    }
}

/// Sessions: the queries every function shares, the fast ones (`session`, `like`, the view call)
/// and the rest alike, so no function holds a second copy of them.
extension Database {
    public static let sessionLifetimeSeconds: Int64 = 30 * 24 * 3600

    /// The member behind a session id's hash, if the session exists and has not expired.
    public func member(sessionHash: String, now: Int64) throws -> Member? {
        try statement { db in try Database.member(db, sessionHash: sessionHash, now: now) }
    }

    static func member(_ db: SQLiteConnection, sessionHash: String, now: Int64) throws(StoreError) -> Member? {
        try db.one("""
            SELECT member.id, member.login, member.github_id, member.plan
            FROM session JOIN member ON member.id = session.member_id
            WHERE session.token_hash = ? AND session.expires_at > ?
            """, [sessionHash, now]).map(Member.init(row:))
    }

    public func createSession(hash: String, memberID: Int64, now: Int64) throws {
        try write { db in
            try db.execute("DELETE FROM session WHERE member_id = ? AND expires_at <= ?", [memberID, now])
            try db.execute("INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           [hash, memberID, now, now + Database.sessionLifetimeSeconds])
        }
    }

    public func deleteSession(hash: String) throws {
        try write { db in try db.execute("DELETE FROM session WHERE token_hash = ?", [hash]) }
    }
}
