import Foundation
import GRDB
import GitfolioCore

/// A signed-in member as functions see them.
public struct Member: Sendable, Equatable, Codable {
    public var id: Int64
    public var login: String
    public var githubID: Int64?
    public var plan: Plan
    public var isLocal: Bool { githubID == nil }
}

extension Member {
    init(row: Row) {
        id = row["id"]
        login = row["login"]
        githubID = row["github_id"]
        plan = Plan(rawValue: row["plan"]) ?? .free
    }
}

extension AppDatabase {
    static func epoch(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970) }

    // MARK: OAuth state

    /// Remembers an OAuth `state` (by hash) for ten minutes, GitHub's own code lifetime.
    public func saveOAuthState(hash: String, scope: String, returnTo: String, now: Date) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM oauth_state WHERE expires_at <= ?", arguments: [Self.epoch(now)])
            try db.execute(
                sql: "INSERT INTO oauth_state (state_hash, scope, return_to, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, scope, returnTo, Self.epoch(now) + 600])
        }
    }

    /// Takes a `state` out of the store: it can be used once, and only before it expires.
    public func consumeOAuthState(hash: String, now: Date) throws -> (scope: String, returnTo: String)? {
        try writer.write { db in
            guard let row = try Row.fetchOne(
                db, sql: "DELETE FROM oauth_state WHERE state_hash = ? RETURNING scope, return_to, expires_at",
                arguments: [hash])
            else { return nil }
            let expires: Int64 = row["expires_at"]
            return expires > Self.epoch(now) ? (row["scope"], row["return_to"]) : nil
        }
    }

    // MARK: Members

    /// Creates or refreshes the member for a GitHub account and stores their (encrypted) token.
    /// Profile fields the member edited are kept; empty ones are filled from GitHub.
    public func upsertGitHubMember(user: GitHubUser, email: String, tokenCiphertext: Data, scope: String, now: Date) throws -> Member {
        try writer.write { db in
            let t = Self.epoch(now)
            try db.execute(sql: """
                INSERT INTO member (github_id, login, name, email, avatar_url, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (github_id) DO UPDATE SET
                    login = excluded.login,
                    name = CASE WHEN member.name = '' THEN excluded.name ELSE member.name END,
                    email = CASE WHEN member.email = '' THEN excluded.email ELSE member.email END,
                    avatar_url = CASE WHEN member.avatar_url = '' THEN excluded.avatar_url ELSE member.avatar_url END,
                    updated_at = excluded.updated_at
                """, arguments: [user.id, user.login, String((user.name ?? "").prefix(50)), String(email.prefix(254)),
                                 String((user.avatarURL ?? "").prefix(500)), t, t])
            let row = try Row.fetchOne(db, sql: "SELECT * FROM member WHERE github_id = ?", arguments: [user.id])!
            let member = Member(row: row)
            try db.execute(sql: """
                INSERT INTO github_token (member_id, ciphertext, scope, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id) DO UPDATE SET ciphertext = excluded.ciphertext, scope = excluded.scope,
                    updated_at = excluded.updated_at
                """, arguments: [member.id, tokenCiphertext, scope, t])
            return member
        }
    }

    /// A member for the offline local sign-in (no GitHub account).
    public func upsertLocalMember(login: String, name: String, now: Date) throws -> Member {
        try writer.write { db in
            let t = Self.epoch(now)
            try db.execute(sql: """
                INSERT INTO member (local_login, login, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (local_login) DO UPDATE SET updated_at = excluded.updated_at
                """, arguments: [login, login, name, t, t])
            return Member(row: try Row.fetchOne(db, sql: "SELECT * FROM member WHERE local_login = ?", arguments: [login])!)
        }
    }

    public func encryptedGitHubToken(memberID: Int64) throws -> (ciphertext: Data, scope: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT ciphertext, scope FROM github_token WHERE member_id = ?", arguments: [memberID])
                .map { ($0["ciphertext"], $0["scope"]) }
        }
    }

    /// Deletes the member and, through foreign keys, everything that is theirs.
    @discardableResult
    public func deleteMember(id: Int64) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM member WHERE id = ?", arguments: [id])
            return db.changesCount > 0
        }
    }

    public func memberCount() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM member") ?? 0 }
    }

    // MARK: Sessions

    public static let sessionLifetime: TimeInterval = 30 * 24 * 3600

    public func createSession(hash: String, memberID: Int64, now: Date) throws {
        try writer.write { db in
            let t = Self.epoch(now)
            try db.execute(sql: "DELETE FROM session WHERE member_id = ? AND expires_at <= ?", arguments: [memberID, t])
            try db.execute(
                sql: "INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                arguments: [hash, memberID, t, t + Int64(Self.sessionLifetime)])
        }
    }

    /// The member behind a session id's hash, if the session exists and has not expired.
    public func member(sessionHash: String, now: Date) throws -> Member? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT member.* FROM session JOIN member ON member.id = session.member_id
                WHERE session.token_hash = ? AND session.expires_at > ?
                """), arguments: [sessionHash, Self.epoch(now)]).map(Member.init(row:))
        }
    }

    public func deleteSession(hash: String) throws {
        try writer.write { db in
            try db.execute(sql: "DELETE FROM session WHERE token_hash = ?", arguments: [hash])
        }
    }
}
