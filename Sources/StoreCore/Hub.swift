import GitfolioDomain

/// What a resume page shows live: its counts, and what the visitor did.
public struct HubCounts: Sendable, Equatable {
    public var likes: Int
    public var views: Int
    public var comments: Int
    public var liked: Bool
    public var own: Bool

    public init(likes: Int, views: Int, comments: Int, liked: Bool, own: Bool) {
        self.likes = likes
        self.views = views
        self.comments = comments
        self.liked = liked
        self.own = own
    }
}

/// The hub's writes that the fast functions make (`like`, `view`), and the session query with the
/// unread-notification count (`session`): Foundation-free, shared with the rest of the store.
extension Database {
    /// A public resume's owner and counts; `publicResumeNotFound` for a private or missing one.
    public static func publicResume(_ db: SQLiteConnection, _ id: Int64) throws -> Row {
        guard let row = try db.one("""
            SELECT member_id, like_count, view_count, comment_count FROM resume WHERE id = ? AND visibility = 'PUBLIC'
            """, [id]) else { throw StoreError.publicResumeNotFound }
        return row
    }

    /// Likes a public resume (idempotent: a second like changes nothing). The owner is notified of a
    /// member's first like only, in the same transaction; the count is kept by the schema's trigger.
    public func like(resumeID: Int64, memberID: Int64, now: Int64) throws -> HubCounts {
        try write { db in
            let row = try Database.publicResume(db, resumeID)
            let owner = row.int64("member_id")
            guard owner != memberID else { throw StoreError.ownResume }
            try db.execute("INSERT OR IGNORE INTO resume_like (resume_id, member_id, created_at) VALUES (?, ?, ?)", [resumeID, memberID, now])
            if db.changes == 1 {
                try db.execute("""
                    INSERT OR IGNORE INTO notification (member_id, kind, resume_id, actor_id, created_at) VALUES (?, 'LIKE', ?, ?, ?)
                    """, [owner, resumeID, memberID, now])
            }
            return try Database.counts(db, resumeID, viewer: memberID, owner: owner)
        }
    }

    /// Takes a like back (idempotent). The first like's notification stays: liking again does not
    /// notify again.
    public func unlike(resumeID: Int64, memberID: Int64) throws -> HubCounts {
        try write { db in
            let owner = try Database.publicResume(db, resumeID).int64("member_id")
            try db.execute("DELETE FROM resume_like WHERE resume_id = ? AND member_id = ?", [resumeID, memberID])
            return try Database.counts(db, resumeID, viewer: memberID, owner: owner)
        }
    }

    /// The public resumes a member liked, newest like first.
    public func likedResumeIDs(memberID: Int64) throws -> [Int64] {
        try statement { db in
            try db.rows("""
                SELECT resume_like.resume_id AS id FROM resume_like JOIN resume ON resume.id = resume_like.resume_id
                WHERE resume_like.member_id = ? AND resume.visibility = 'PUBLIC' ORDER BY resume_like.created_at DESC
                """, [memberID]).map { $0.int64("id") }
        }
    }

    /// Counts one view of a public resume per visitor per hour, atomically (the primary key decides,
    /// not a check before the insert); the owner's own views are not counted. `visitor` is `m:<id>`
    /// for a member, else a keyed hash of the client's address.
    public func recordView(resumeID: Int64, visitor: String, viewerID: Int64?, now: Int64) throws -> HubCounts {
        try write { db in
            let owner = try Database.publicResume(db, resumeID).int64("member_id")
            if viewerID != owner {
                try db.execute("INSERT OR IGNORE INTO resume_view (resume_id, visitor, hour) VALUES (?, ?, ?)", [resumeID, visitor, now / 3600])
                if db.changes == 1 { try db.execute("UPDATE resume SET view_count = view_count + 1 WHERE id = ?", [resumeID]) }
            }
            return try Database.counts(db, resumeID, viewer: viewerID, owner: owner)
        }
    }

    /// Forgets the visitors of views counted before `now`'s previous hour: they only stop a visitor
    /// being counted twice within the hour, and the counts stay in `resume.view_count`. (The nightly
    /// batch calls it, so the table holds about an hour of visitors, not every visit ever.)
    @discardableResult
    public func forgetOldViews(now: Int64) throws -> Int {
        try write { db in
            try db.execute("DELETE FROM resume_view WHERE hour < ?", [now / 3600 - 1])
            return db.changes
        }
    }

    static func counts(_ db: SQLiteConnection, _ resumeID: Int64, viewer: Int64?, owner: Int64) throws -> HubCounts {
        let row = try db.one("""
            SELECT like_count, view_count, comment_count,
                   EXISTS (SELECT 1 FROM resume_like WHERE resume_id = resume.id AND member_id = ?) AS liked
            FROM resume WHERE id = ?
            """, [viewer ?? -1, resumeID])!
        return HubCounts(likes: row.int("like_count"), views: row.int("view_count"), comments: row.int("comment_count"),
                         liked: row.bool("liked"), own: viewer == owner)
    }

    /// The member behind a session and their unread notifications, in one statement (the pages'
    /// header asks this on every page).
    public func signedIn(sessionHash: String, now: Int64) throws -> (member: Member, unread: Int)? {
        try statement { db in
            try db.one("""
                SELECT member.id, member.login, member.github_id, member.plan,
                       (SELECT count(*) FROM notification WHERE notification.member_id = member.id AND read_at IS NULL) AS unread
                FROM session JOIN member ON member.id = session.member_id
                WHERE session.token_hash = ? AND session.expires_at > ?
                """, [sessionHash, now]).map { (Member(row: $0), $0.int("unread")) }
        }
    }
}
