import Foundation
import GitfolioEvidence
import GRDB

/// The SQLite cache of members' GitHub imports.
extension AppDatabase: GitHubImportCache {
    public func load(memberID: Int64) throws -> (value: GitHubImport, etag: String?, fetchedAt: Date)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT body, etag, fetched_at FROM github_import WHERE member_id = ?",
                                             arguments: [memberID]),
                  let value = try? JSONDecoder().decode(GitHubImport.self, from: row["body"] as Data)
            else { return nil }
            return (value, row["etag"], Date(timeIntervalSince1970: TimeInterval(row["fetched_at"] as Int64)))
        }
    }

    public func save(memberID: Int64, value: GitHubImport, etag: String?, fetchedAt: Date) throws {
        let body = try JSONEncoder().encode(value)
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO github_import (member_id, body, etag, fetched_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id) DO UPDATE SET body = excluded.body, etag = excluded.etag, fetched_at = excluded.fetched_at
                """, arguments: [memberID, body, etag, Self.epoch(fetchedAt)])
        }
    }

    public func touch(memberID: Int64, fetchedAt: Date) throws {
        try writer.write { db in
            try db.execute(sql: "UPDATE github_import SET fetched_at = ? WHERE member_id = ?", arguments: [Self.epoch(fetchedAt), memberID])
        }
    }
}

/// The SQLite cache of REST details per member and repository (the repository name in lower case).
extension AppDatabase {
    public func cachedDetails(memberID: Int64, repository: String, notBefore: Date) throws -> RepositoryDetails? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: """
                SELECT body FROM github_details WHERE member_id = ? AND repository = ? AND fetched_at >= ?
                """, arguments: [memberID, repository.lowercased(), Self.epoch(notBefore)]) else { return nil }
            return try? JSONDecoder().decode(RepositoryDetails.self, from: row["body"] as Data)
        }
    }

    public func saveDetails(memberID: Int64, repository: String, details: RepositoryDetails, fetchedAt: Date) throws {
        let body = try JSONEncoder().encode(details)
        try writer.write { db in
            try db.execute(sql: """
                INSERT INTO github_details (member_id, repository, body, fetched_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (member_id, repository) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at
                """, arguments: [memberID, repository.lowercased(), body, Self.epoch(fetchedAt)])
        }
    }
}
