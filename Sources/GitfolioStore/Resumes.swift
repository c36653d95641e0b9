import Foundation
import FunctionCore
import GitfolioCore
import GitfolioEvidence
import GitfolioResume
import StoreCore

/// A resume as stored: its document and what the store keeps beside it.
public struct StoredResume: Sendable, Equatable {
    public var id: Int64
    public var memberID: Int64
    public var title: String
    public var visibility: Visibility
    public var version: Int
    public var resume: Resume
    public var likeCount: Int
    public var viewCount: Int
    public var createdAt: Int64
    public var updatedAt: Int64
}

/// A resume in a member's list: no document.
public struct ResumeSummary: Codable, Sendable, Equatable {
    public var id: Int64
    public var title: String
    public var template: String
    public var language: String
    public var visibility: String
    public var version: Int
    /// ISO 8601, as the functions answer times.
    public var updatedAt: String
}

extension AppDatabase {
    /// The one encoding of a stored document: compact JSON, keys sorted.
    static func encode(_ resume: Resume) throws -> String { try JSONValue.serialize(resume) }

    /// A stored document that does not decode is our fault, not the member's: a database failure.
    static func decode(_ bytes: [UInt8], id: Int64, path: String) throws -> Resume {
        do {
            return try JSONValue.decode(Resume.self, from: bytes)
        } catch {
            throw StoreError.database(DatabaseFailure(kind: .corrupt, message: "resume \(id)'s document cannot be read: \(error)", path: path))
        }
    }

    func storedResume(_ row: Row) throws -> StoredResume {
        StoredResume(id: row.int64("id"), memberID: row.int64("member_id"), title: row.text("title"),
                     visibility: Visibility(rawValue: row.text("visibility")) ?? .private, version: row.int("version"),
                     resume: try Self.decode(row.bytes("document"), id: row.int64("id"), path: path),
                     likeCount: row.int("like_count"), viewCount: row.int("view_count"),
                     createdAt: row.int64("created_at"), updatedAt: row.int64("updated_at"))
    }

    /// Stores a new resume; refused when the member's plan holds no more.
    /// `settlingAIUse`: the AI use that wrote it, kept in the same transaction (a process killed
    /// after the commit has kept both, one killed before it neither). `evidence`: what it was written
    /// from, kept beside it for a later change of language (``resumeEvidence(id:memberID:)``).
    public func createResume(memberID: Int64, title: String, resume: Resume, now: Date, settlingAIUse use: Int64? = nil,
                             evidence: [RepositoryEvidence] = []) throws -> Int64 {
        let document = try Self.encode(resume)
        let evidenceDocument = evidence.isEmpty ? nil : try JSONValue.serialize(evidence)
        return try write { db in
            guard let plan = try db.text("SELECT plan FROM member WHERE id = ?", [memberID]).flatMap(Plan.init(rawValue:)) else {
                throw StoreError.memberGone
            }
            let count = try db.integer("SELECT count(*) FROM resume WHERE member_id = ?", [memberID]) ?? 0
            guard count < Plans.limits(plan).resumes else { throw StoreError.resumeLimit(Plans.limits(plan).resumes) }
            try db.execute("""
                INSERT INTO resume (member_id, title, template, language, job_role, document, card, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [memberID, title, resume.template.rawValue, resume.language.rawValue, resume.profile.jobRole?.rawValue,
                      document, try Self.card(resume), Self.epoch(now), Self.epoch(now)])
            let id = db.lastInsertRowID
            if let evidenceDocument { try db.execute("INSERT INTO resume_evidence (resume_id, evidence) VALUES (?, ?)", [id, evidenceDocument]) }
            if let use { try db.execute("UPDATE ai_use SET pending_until = NULL WHERE id = ?", [use]) }
            return id
        }
    }

    /// The evidence one of the member's resumes was generated from; empty for a resume that was not
    /// generated (the example, an import) or was generated before the evidence was kept.
    public func resumeEvidence(id: Int64, memberID: Int64) throws -> [RepositoryEvidence] {
        let row = try read { db in
            try db.one("""
                SELECT e.evidence IS NULL AS none, e.evidence FROM resume r LEFT JOIN resume_evidence e ON e.resume_id = r.id
                WHERE r.id = ? AND r.member_id = ?
                """, [id, memberID])
        }
        guard let row else { throw StoreError.resumeNotFound }
        guard row.int("none") == 0 else { return [] }
        let bytes = row.bytes("evidence")
        do {
            return try JSONValue.decode([RepositoryEvidence].self, from: bytes)
        } catch {
            throw StoreError.database(DatabaseFailure(kind: .corrupt, message: "resume \(id)'s evidence cannot be read: \(error)", path: path))
        }
    }

    /// One of the member's resumes; `resumeNotFound` when they have no such resume.
    public func resume(id: Int64, memberID: Int64) throws -> StoredResume {
        try read { db in
            guard let row = try db.one("SELECT * FROM resume WHERE id = ? AND member_id = ?", [id, memberID]) else {
                throw StoreError.resumeNotFound
            }
            return try storedResume(row)
        }
    }

    /// A member's resumes, newest first, without their documents.
    public func resumes(memberID: Int64) throws -> [ResumeSummary] {
        try read { db in
            try db.rows("""
                SELECT id, title, template, language, visibility, version,
                       strftime('%Y-%m-%dT%H:%M:%SZ', updated_at, 'unixepoch') AS updated
                FROM resume WHERE member_id = ? ORDER BY updated_at DESC, id DESC
                """, [memberID]).map {
                ResumeSummary(id: $0.int64("id"), title: $0.text("title"), template: $0.text("template"), language: $0.text("language"),
                              visibility: $0.text("visibility"), version: $0.int("version"), updatedAt: $0.text("updated"))
            }
        }
    }

    /// Every published resume, oldest first.
    public func publicResumes() throws -> [StoredResume] {
        try read { db in try db.rows("SELECT * FROM resume WHERE visibility = 'PUBLIC' ORDER BY id").map(storedResume) }
    }

    /// A published resume; nil when there is none or it is private.
    public func publicResume(id: Int64) throws -> StoredResume? {
        try read { db in
            try db.one("SELECT * FROM resume WHERE id = ? AND visibility = 'PUBLIC'", [id]).map(storedResume)
        }
    }

    /// Publishes a resume (it goes to the top of the hub's newest) or makes it private again;
    /// `resumeNotFound` when the member has no such resume. The site's change is recorded by the schema.
    public func setVisibility(_ visibility: Visibility, resumeID: Int64, memberID: Int64, now: Date) throws {
        try write { db in
            try db.execute("""
                UPDATE resume SET visibility = ?, updated_at = ?,
                    published_at = CASE WHEN ? = 'PUBLIC' AND visibility <> 'PUBLIC' THEN ? ELSE published_at END
                WHERE id = ? AND member_id = ?
                """, [visibility.rawValue, Self.epoch(now), visibility.rawValue, Self.epoch(now), resumeID, memberID])
            guard db.changes > 0 else { throw StoreError.resumeNotFound }
        }
    }

    /// Deletes one of the member's resumes, with its revisions, likes, comments and views.
    public func deleteResume(id: Int64, memberID: Int64) throws {
        try write { db in
            try db.execute("DELETE FROM resume WHERE id = ? AND member_id = ?", [id, memberID])
            guard db.changes > 0 else { throw StoreError.resumeNotFound }
        }
    }

    /// Renames one of the member's resumes (the title in their list and on the hub).
    public func renameResume(id: Int64, memberID: Int64, title: String, now: Date) throws {
        try write { db in
            try db.execute("UPDATE resume SET title = ?, updated_at = ? WHERE id = ? AND member_id = ?", [title, Self.epoch(now), id, memberID])
            guard db.changes > 0 else { throw StoreError.resumeNotFound }
        }
    }

    /// The ids of the member's public resumes (whose static files go when the account goes).
    public func publicResumeIDs(memberID: Int64) throws -> [Int64] {
        try read { db in try db.rows("SELECT id FROM resume WHERE member_id = ? AND visibility = 'PUBLIC'", [memberID]).map { $0.int64("id") } }
    }

    /// Which of these resumes are public now.
    public func publicResumeIDs(among ids: Set<Int64>) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let list = Array(ids)
        return try read { db in
            Set(try db.rows("SELECT id FROM resume WHERE visibility = 'PUBLIC' AND id IN (\(list.map { _ in "?" }.joined(separator: ",")))",
                            list).map { $0.int64("id") })
        }
    }

    /// Replaces a resume's document if it is still at `expectedVersion` (so two tabs cannot silently
    /// overwrite each other) and keeps the previous document as a revision for undo. Returns the new
    /// version. The template and job role columns follow the document, so the hub filters on them.
    public func saveResume(_ resume: Resume, id: Int64, memberID: Int64, expectedVersion: Int, path changedPath: String,
                           now: Date) throws -> Int {
        let document = try Self.encode(resume)
        return try write { db in
            guard let row = try db.one("SELECT document, version FROM resume WHERE id = ? AND member_id = ?", [id, memberID]) else {
                throw StoreError.resumeNotFound
            }
            let version = row.int("version")
            guard version == expectedVersion else { throw StoreError.versionConflict(current: version) }
            try db.execute("INSERT INTO resume_revision (resume_id, version, path, previous_document, created_at) VALUES (?, ?, ?, ?, ?)",
                           [id, version, changedPath, row.bytes("document"), Self.epoch(now)])
            try db.execute("""
                UPDATE resume SET document = ?, card = ?, template = ?, language = ?, job_role = ?, version = version + 1, updated_at = ?
                WHERE id = ?
                """, [document, try Self.card(resume), resume.template.rawValue, resume.language.rawValue, resume.profile.jobRole?.rawValue,
                      Self.epoch(now), id])
            return version + 1
        }
    }

    /// Undoes the latest accepted change (if the resume is still at `expectedVersion`). Returns the
    /// restored resume, the new version and the path of the change undone.
    public func undoRevision(resumeID: Int64, memberID: Int64, expectedVersion: Int, now: Date) throws -> (resume: Resume, version: Int, path: String) {
        try write { db in
            guard let version = try db.integer("SELECT version FROM resume WHERE id = ? AND member_id = ?", [resumeID, memberID]) else {
                throw StoreError.resumeNotFound
            }
            guard version == expectedVersion else { throw StoreError.versionConflict(current: Int(version)) }
            guard let last = try db.one("""
                SELECT id, path, previous_document FROM resume_revision WHERE resume_id = ? ORDER BY version DESC LIMIT 1
                """, [resumeID]) else { throw StoreError.nothingToUndo }
            let previous = last.bytes("previous_document")
            let resume = try Self.decode(previous, id: resumeID, path: path)
            try db.execute("DELETE FROM resume_revision WHERE id = ?", [last.int64("id")])
            try db.execute("""
                UPDATE resume SET document = ?, card = ?, template = ?, language = ?, job_role = ?, version = version + 1, updated_at = ?
                WHERE id = ?
                """, [previous, try Self.card(resume), resume.template.rawValue, resume.language.rawValue, resume.profile.jobRole?.rawValue,
                      Self.epoch(now), resumeID])
            return (resume, Int(version) + 1, last.text("path"))
        }
    }
}
