import Foundation
import GitfolioCore
import StoreCore

public typealias Member = StoreCore.Member

/// A GitHub account as the sign-in reads it.
public struct GitHubAccount: Sendable, Equatable {
    public var id: Int64
    public var login: String
    public var name: String
    public var email: String
    public var avatarURL: String

    public init(id: Int64, login: String, name: String, email: String, avatarURL: String) {
        self.id = id
        self.login = login
        self.name = name
        self.email = email
        self.avatarURL = avatarURL
    }
}

extension AppDatabase {
    // MARK: OAuth state

    /// Remembers an OAuth `state` (by hash) for ten minutes, GitHub's own code lifetime.
    public func saveOAuthState(hash: String, scope: String, returnTo: String, now: Date) throws {
        try write { db in
            try db.execute("DELETE FROM oauth_state WHERE expires_at <= ?", [Self.epoch(now)])
            try db.execute("INSERT INTO oauth_state (state_hash, scope, return_to, expires_at) VALUES (?, ?, ?, ?)",
                           [hash, scope, returnTo, Self.epoch(now) + 600])
        }
    }

    /// Takes a `state` out of the store: it can be used once, and only before it expires.
    public func consumeOAuthState(hash: String, now: Date) throws -> (scope: String, returnTo: String)? {
        try write { db in
            guard let row = try db.one("DELETE FROM oauth_state WHERE state_hash = ? RETURNING scope, return_to, expires_at", [hash])
            else { return nil }
            return row.int64("expires_at") > Self.epoch(now) ? (row.text("scope"), row.text("return_to")) : nil
        }
    }

    // MARK: Members

    /// Creates or refreshes the member for a GitHub account and stores their (encrypted) token.
    /// Profile fields the member edited are kept; empty ones are filled from GitHub.
    public func upsertGitHubMember(account: GitHubAccount, tokenCiphertext: [UInt8], scope: String, now: Date) throws -> Member {
        try write { db in
            let t = Self.epoch(now)
            try db.execute("""
                INSERT INTO member (github_id, login, name, email, avatar_url, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (github_id) DO UPDATE SET
                    login = excluded.login,
                    name = CASE WHEN member.name = '' THEN excluded.name ELSE member.name END,
                    email = CASE WHEN member.email = '' THEN excluded.email ELSE member.email END,
                    avatar_url = CASE WHEN member.avatar_url = '' THEN excluded.avatar_url ELSE member.avatar_url END,
                    updated_at = excluded.updated_at
                """, [account.id, String(account.login.prefix(100)), TextRules.prefix(account.name, 50),
                      TextRules.prefix(account.email, 254), TextRules.prefix(account.avatarURL, 500), t, t])
            let member = Member(row: try db.one("SELECT * FROM member WHERE github_id = ?", [account.id])!)
            try db.execute("""
                INSERT INTO github_token (member_id, ciphertext, scope, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id) DO UPDATE SET ciphertext = excluded.ciphertext, scope = excluded.scope,
                    updated_at = excluded.updated_at
                """, [member.id, tokenCiphertext, scope, t])
            return member
        }
    }

    /// A member for the offline local sign-in (no GitHub account).
    public func upsertLocalMember(login: String, name: String, now: Date) throws -> Member {
        try write { db in
            let t = Self.epoch(now)
            try db.execute("""
                INSERT INTO member (local_login, login, name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (local_login) DO UPDATE SET updated_at = excluded.updated_at
                """, [login, login, name, t, t])
            return Member(row: try db.one("SELECT * FROM member WHERE local_login = ?", [login])!)
        }
    }

    public func encryptedGitHubToken(memberID: Int64) throws -> (ciphertext: [UInt8], scope: String)? {
        try read { db in
            try db.one("SELECT ciphertext, scope FROM github_token WHERE member_id = ?", [memberID])
                .map { ($0.bytes("ciphertext"), $0.text("scope")) }
        }
    }

    /// Deletes the member and, through foreign keys, everything that is theirs.
    @discardableResult
    public func deleteMember(id: Int64) throws -> Bool {
        try write { db in
            try db.execute("DELETE FROM member WHERE id = ?", [id])
            return db.changes > 0
        }
    }

    public func memberCount() throws -> Int {
        try read { db in Int(try db.integer("SELECT count(*) FROM member") ?? 0) }
    }

    // MARK: Sessions (the queries live in StoreCore, shared with the Foundation-free functions)

    public func createSession(hash: String, memberID: Int64, now: Date) throws {
        try database.createSession(hash: hash, memberID: memberID, now: Self.epoch(now))
    }

    public func member(sessionHash: String, now: Date) throws -> Member? {
        try database.member(sessionHash: sessionHash, now: Self.epoch(now))
    }

    public func deleteSession(hash: String) throws {
        try database.deleteSession(hash: hash)
    }
}
