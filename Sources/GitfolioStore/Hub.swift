import Foundation
import FunctionCore
import GitfolioCore
import GitfolioResume
import StoreCore

/// What the hub's card shows of a resume, kept in `resume.card` whenever the document is saved, so
/// that the hub's pages and index are built without reading any document.
public struct HubCard: Codable, Sendable, Equatable {
    /// The name on the resume.
    public var name: String
    /// The first technologies of its stack.
    public var skills: [String]
    /// The school types of its education entries.
    public var schools: [String]
    public var language: String

    public init(name: String, skills: [String], schools: [String], language: String) {
        self.name = name
        self.skills = skills
        self.schools = schools
        self.language = language
    }

    public init(_ resume: Resume) {
        name = resume.profile.name
        skills = Array(resume.techStack.prefix(6))
        schools = resume.profile.education.map(\.schoolType.rawValue)
        language = resume.language.rawValue
    }
}

/// A public resume on the hub: its card, counts and dates, no document.
public struct HubEntry: Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var jobRole: String?
    public var template: String
    public var card: HubCard
    public var likes: Int
    public var views: Int
    public var comments: Int
    public var publishedAt: Int64
    public var version: Int
}

/// A comment as readers see it.
public struct CommentView: Codable, Sendable, Equatable {
    public var id: Int64
    public var author: String
    public var authorId: Int64
    public var anchor: String?
    public var body: String
    public var createdAt: Int64
    public var edited: Bool
}

public struct NotificationView: Codable, Sendable, Equatable {
    public var id: Int64
    public var kind: String
    public var resumeId: Int64
    public var resumeTitle: String
    public var actor: String
    public var commentId: Int64?
    public var anchor: String?
    /// The name of the project the anchor is in (`projects[1]`, `projects[1].bullets[0]`, …), so the
    /// owner reads which project a comment is about rather than a path; nil for other anchors.
    public var anchorProject: String?
    /// Whether the resume is still public (a withdrawn one's page is gone: nothing to link to).
    public var available: Bool
    public var excerpt: String?
    public var createdAt: Int64
    public var read: Bool
}

extension AppDatabase {
    static func card(_ resume: Resume) throws -> String { try JSONValue.serialize(HubCard(resume)) }

    static func entry(_ row: Row) -> HubEntry {
        HubEntry(id: row.int64("id"), title: row.text("title"), jobRole: row.optionalText("job_role"), template: row.text("template"),
                 card: (try? JSONValue.decode(HubCard.self, from: row.bytes("card"))) ?? HubCard(name: "", skills: [], schools: [], language: "ko"),
                 likes: row.int("like_count"), views: row.int("view_count"), comments: row.int("comment_count"),
                 publishedAt: row.int64("published_at"), version: row.int("version"))
    }

    static let entryColumns = "id, title, job_role, template, card, like_count, view_count, comment_count, coalesce(published_at, updated_at) AS published_at, version"

    /// Every public resume on the hub, newest published first.
    public func hubEntries() throws -> [HubEntry] {
        try read { db in
            try db.rows("""
                SELECT \(Self.entryColumns) FROM resume WHERE visibility = 'PUBLIC' ORDER BY published_at DESC, id DESC
                """).map(Self.entry)
        }
    }

    /// One public resume's entry, if it is public.
    public func hubEntry(id: Int64) throws -> HubEntry? {
        try read { db in try db.one("SELECT \(Self.entryColumns) FROM resume WHERE id = ? AND visibility = 'PUBLIC'", [id]).map(Self.entry) }
    }

    /// Cards of resumes saved before the hub existed get filled once.
    public func fillMissingCards() throws {
        let missing = try read { db in try db.rows("SELECT id, document FROM resume WHERE card = '{}'") }
        for row in missing {
            let resume = try Self.decode(row.bytes("document"), id: row.int64("id"), path: path)
            try write { db in try db.execute("UPDATE resume SET card = ? WHERE id = ? AND card = '{}'", [try Self.card(resume), row.int64("id")]) }
        }
    }

    // MARK: Site changes

    /// The changes the site has not caught up with: the last one's id, the resumes whose page (and
    /// files) changed, and those whose counts alone changed.
    public func siteChanges() throws -> (last: Int64, pages: Set<Int64>, counts: Set<Int64>)? {
        try read { db in
            let rows = try db.rows("SELECT id, resume_id, kind FROM site_change ORDER BY id")
            guard let last = rows.last?.int64("id") else { return nil }
            let pages = Set(rows.filter { $0.text("kind") == "page" }.map { $0.int64("resume_id") })
            return (last, pages, Set(rows.map { $0.int64("resume_id") }).subtracting(pages))
        }
    }

    /// The hub entries of these resumes (those still public).
    public func hubEntries(ids: [Int64]) throws -> [HubEntry] {
        guard !ids.isEmpty else { return [] }
        return try read { db in
            try db.rows("""
                SELECT \(Self.entryColumns) FROM resume WHERE visibility = 'PUBLIC' AND id IN (\(ids.map { _ in "?" }.joined(separator: ",")))
                """, ids).map(Self.entry)
        }
    }

    /// Every public resume's counts: likes, views, comments.
    public func hubCounts() throws -> [(id: Int64, likes: Int, views: Int, comments: Int)] {
        try read { db in
            try db.rows("SELECT id, like_count, view_count, comment_count FROM resume WHERE visibility = 'PUBLIC'").map {
                ($0.int64("id"), $0.int("like_count"), $0.int("view_count"), $0.int("comment_count"))
            }
        }
    }

    /// Forgets changes the site has caught up with.
    public func forgetSiteChanges(through id: Int64) throws {
        try write { db in try db.execute("DELETE FROM site_change WHERE id <= ?", [id]) }
    }

    // MARK: Comments

    public static let maxCommentLength = 1000
    /// At most this many comments by one member in `commentWindow` seconds.
    public static let commentBurst = 5
    public static let commentWindow: Int64 = 60

    /// Adds a comment to a public resume; the owner (if it is not theirs) is notified in the same
    /// transaction. Refused past `commentBurst` comments a minute.
    /// Adds a comment and notifies the resume's owner, in one transaction; returns the comment as
    /// readers see it (read in the same transaction, so a deletion right after cannot take it away).
    public func addComment(resumeID: Int64, memberID: Int64, anchor: String?, body: String, now: Date) throws -> CommentView {
        let t = Self.epoch(now)
        return try write { db in
            let owner = try Database.publicResume(db, resumeID).int64("member_id")
            let recent = try db.rows("""
                SELECT created_at FROM comment WHERE member_id = ? AND created_at > ? ORDER BY created_at LIMIT ?
                """, [memberID, t - Self.commentWindow, Self.commentBurst])
            if recent.count >= Self.commentBurst {
                throw StoreError.commentRateLimited(retryAfter: max(1, Int(recent[0].int64("created_at") + Self.commentWindow - t)))
            }
            try db.execute("INSERT INTO comment (resume_id, member_id, anchor, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                           [resumeID, memberID, anchor, body, t, t])
            let id = db.lastInsertRowID
            if owner != memberID {
                try db.execute("""
                    INSERT INTO notification (member_id, kind, resume_id, actor_id, comment_id, created_at) VALUES (?, 'COMMENT', ?, ?, ?, ?)
                    """, [owner, resumeID, memberID, id, t])
            }
            return try Self.commentViews(db, where: "comment.id = ?", [id]).first!
        }
    }

    /// A page of a public resume's comments, newest first, before the comment `before` (exclusive):
    /// one statement whatever the page size (the authors come from the same query).
    public func comments(resumeID: Int64, before: Int64?, limit: Int) throws -> [CommentView] {
        try read { db in
            _ = try Database.publicResume(db, resumeID)
            return try Self.commentViews(db, where: "comment.resume_id = ? AND comment.id < ? ORDER BY comment.id DESC LIMIT ?",
                                         [resumeID, before ?? Int64.max, limit])
        }
    }

    /// Comments with their authors' names, in one statement.
    static func commentViews(_ db: SQLiteConnection, where condition: String, _ arguments: [any SQLBindable]) throws -> [CommentView] {
        try db.rows("""
            SELECT comment.id, comment.member_id, comment.anchor, comment.body, comment.created_at, comment.updated_at,
                   CASE WHEN member.name <> '' THEN member.name ELSE member.login END AS author
            FROM comment JOIN member ON member.id = comment.member_id
            WHERE \(condition)
            """, arguments).map {
            CommentView(id: $0.int64("id"), author: $0.text("author"), authorId: $0.int64("member_id"), anchor: $0.optionalText("anchor"),
                        body: $0.text("body"), createdAt: $0.int64("created_at"), edited: $0.int64("updated_at") != $0.int64("created_at"))
        }
    }

    /// The author edits their own comment.
    public func editComment(id: Int64, memberID: Int64, body: String, now: Date) throws {
        try write { db in
            guard let row = try db.one("""
                SELECT comment.member_id FROM comment JOIN resume ON resume.id = comment.resume_id
                WHERE comment.id = ? AND resume.visibility = 'PUBLIC'
                """, [id]) else { throw StoreError.commentNotFound }
            guard row.int64("member_id") == memberID else { throw StoreError.notYourComment }
            // Always later than its creation, so an edit within the same second still shows as one.
            try db.execute("UPDATE comment SET body = ?, updated_at = max(?, created_at + 1) WHERE id = ?", [body, Self.epoch(now), id])
        }
    }

    /// The author, or the resume's owner, deletes a comment (its notification goes with it).
    public func deleteComment(id: Int64, memberID: Int64) throws {
        try write { db in
            guard let row = try db.one("""
                SELECT comment.member_id AS author, resume.member_id AS owner FROM comment JOIN resume ON resume.id = comment.resume_id
                WHERE comment.id = ?
                """, [id]) else { throw StoreError.commentNotFound }
            guard row.int64("author") == memberID || row.int64("owner") == memberID else { throw StoreError.notYourComment }
            try db.execute("DELETE FROM comment WHERE id = ?", [id])
        }
    }

    // MARK: Notifications

    /// The member's latest notifications and how many are unread.
    public func notifications(memberID: Int64, limit: Int = 50) throws -> (items: [NotificationView], unread: Int) {
        try read { db in
            let items = try db.rows("""
                SELECT notification.id, notification.kind, notification.resume_id, notification.comment_id, notification.created_at,
                       notification.read_at, resume.title, resume.visibility = 'PUBLIC' AS available,
                       CASE WHEN actor.name <> '' THEN actor.name ELSE actor.login END AS actor,
                       comment.anchor, substr(comment.body, 1, 140) AS excerpt,
                       CASE WHEN comment.anchor GLOB 'projects[[][0-9]*[]]*'
                            THEN json_extract(CAST(resume.document AS TEXT),
                                              '$.' || substr(comment.anchor, 1, instr(comment.anchor, ']')) || '.name')
                       END AS anchor_project
                FROM notification
                JOIN resume ON resume.id = notification.resume_id
                JOIN member AS actor ON actor.id = notification.actor_id
                LEFT JOIN comment ON comment.id = notification.comment_id
                WHERE notification.member_id = ? ORDER BY notification.id DESC LIMIT ?
                """, [memberID, limit]).map {
                NotificationView(id: $0.int64("id"), kind: $0.text("kind"), resumeId: $0.int64("resume_id"), resumeTitle: $0.text("title"),
                                 actor: $0.text("actor"), commentId: $0.optionalInt64("comment_id"), anchor: $0.optionalText("anchor"),
                                 anchorProject: $0.optionalText("anchor_project"), available: $0.bool("available"), excerpt: $0.optionalText("excerpt"),
                                 createdAt: $0.int64("created_at"), read: $0["read_at"] != .null)
            }
            let unread = try db.integer("SELECT count(*) FROM notification WHERE member_id = ? AND read_at IS NULL", [memberID]) ?? 0
            return (items, Int(unread))
        }
    }

    /// Marks one of the member's notifications (or, with nil, all of them) as read.
    public func markNotificationsRead(memberID: Int64, id: Int64?, now: Date) throws {
        try write { db in
            if let id {
                try db.execute("UPDATE notification SET read_at = coalesce(read_at, ?) WHERE id = ? AND member_id = ?", [Self.epoch(now), id, memberID])
                guard db.changes == 1 else { throw StoreError.notificationNotFound }
            } else {
                try db.execute("UPDATE notification SET read_at = ? WHERE member_id = ? AND read_at IS NULL", [Self.epoch(now), memberID])
            }
        }
    }
}
