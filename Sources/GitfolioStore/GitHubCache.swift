import Foundation
import GitfolioCore
import GitfolioGitHub
import StoreCore

/// The SQLite side of the GitHub client's two caches: a member's import (the repository list, with
/// its ETag) and REST details per member and repository. The client decides what is fresh.
extension AppDatabase: GitHubCache {
    public func loadImport(memberID: Int64) throws -> (body: [UInt8], etag: String?, fetchedAt: Int64)? {
        try read { db in
            try db.one("SELECT body, etag, fetched_at FROM github_import WHERE member_id = ?", [memberID])
                .map { ($0.bytes("body"), $0.optionalText("etag"), $0.int64("fetched_at")) }
        }
    }

    public func saveImport(memberID: Int64, body: [UInt8], etag: String?, fetchedAt: Int64) throws {
        try write { db in
            try db.execute("""
                INSERT INTO github_import (member_id, body, etag, fetched_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id) DO UPDATE SET body = excluded.body, etag = excluded.etag, fetched_at = excluded.fetched_at
                """, [memberID, body, etag, fetchedAt])
        }
    }

    public func touchImport(memberID: Int64, fetchedAt: Int64) throws {
        try write { db in try db.execute("UPDATE github_import SET fetched_at = ? WHERE member_id = ?", [fetchedAt, memberID]) }
    }

    /// Details of a repository (name compared in lower case) fetched at `notBefore` or later.
    public func loadDetails(memberID: Int64, repository: String, notBefore: Int64) throws -> [UInt8]? {
        try read { db in
            try db.one("SELECT body FROM github_details WHERE member_id = ? AND repository = ? AND fetched_at >= ?",
                       [memberID, repository.lowercased(), notBefore]).map { $0.bytes("body") }
        }
    }

    public func saveDetails(memberID: Int64, repository: String, body: [UInt8], fetchedAt: Int64) throws {
        try write { db in
            try db.execute("""
                INSERT INTO github_details (member_id, repository, body, fetched_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id, repository) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at
                """, [memberID, repository.lowercased(), body, fetchedAt])
        }
    }
}
