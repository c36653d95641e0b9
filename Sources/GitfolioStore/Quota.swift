import Foundation
import GitfolioCore
import GRDB

extension AppDatabase {
    public enum AIUseKind: String, Sendable { case generate = "GENERATE", revise = "REVISE" }

    /// Charges one AI use if the member's plan allows another today (Asia/Seoul), atomically: the
    /// count and the insert are one write transaction, and SQLite runs one writer at a time across
    /// every process, so parallel requests cannot pass the limit. Returns the use's id, for `refund`.
    public func chargeAIUse(memberID: Int64, kind: AIUseKind, now: Date) throws -> Int64 {
        try writer.write { db in
            guard let planText = try String.fetchOne(db, sql: "SELECT plan FROM member WHERE id = ?", arguments: [memberID]),
                  let plan = Plan(rawValue: planText)
            else { throw APIError.unauthorized() }
            let limits = Plans.limits(plan)
            let day = Plans.day(of: now)
            let used = try Int.fetchOne(db, sql: "SELECT count(*) FROM ai_use WHERE member_id = ? AND day = ?",
                                        arguments: [memberID, day]) ?? 0
            guard used < limits.aiUsesPerDay else {
                throw APIError(status: 429, code: "quota_exceeded", message: limits.isFairUseCap
                    ? "You reached today's fair-use limit of \(limits.aiUsesPerDay) AI uses; it resets at midnight (Asia/Seoul). / 오늘의 공정 사용 한도(\(limits.aiUsesPerDay)회)에 도달했습니다. 자정(한국 시간)에 초기화됩니다."
                    : "The FREE plan includes \(limits.aiUsesPerDay) AI uses a day and today's are used; they reset at midnight (Asia/Seoul), or upgrade to PRO. / FREE 플랜의 오늘 AI 사용 횟수(\(limits.aiUsesPerDay)회)를 모두 사용했습니다. 자정(한국 시간)에 초기화되며, PRO로 업그레이드할 수 있습니다.")
            }
            try db.execute(sql: "INSERT INTO ai_use (member_id, day, kind, created_at) VALUES (?, ?, ?, ?)",
                           arguments: [memberID, day, kind.rawValue, Self.epoch(now)])
            return db.lastInsertedRowID
        }
    }

    /// Gives a use back when the AI failed on our side (the member should not pay for our error).
    public func refundAIUse(id: Int64) throws {
        try writer.write { db in try db.execute(sql: "DELETE FROM ai_use WHERE id = ?", arguments: [id]) }
    }

    public func aiUses(memberID: Int64, on day: String) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM ai_use WHERE member_id = ? AND day = ?", arguments: [memberID, day]) ?? 0
        }
    }

    // MARK: Resumes

    /// Stores a new resume; refused when the member's plan holds no more.
    public func createResume(memberID: Int64, title: String, template: String, language: String, jobRole: String?,
                             document: Data, now: Date) throws -> Int64 {
        try writer.write { db in
            let plan = try String.fetchOne(db, sql: "SELECT plan FROM member WHERE id = ?", arguments: [memberID]).flatMap(Plan.init) ?? .free
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM resume WHERE member_id = ?", arguments: [memberID]) ?? 0
            guard count < Plans.limits(plan).resumes else {
                throw APIError(status: 409, code: "resume_limit", message: "Your plan holds \(Plans.limits(plan).resumes) resumes; delete one first. / 플랜의 이력서 개수 한도에 도달했습니다.")
            }
            try db.execute(sql: """
                INSERT INTO resume (member_id, title, template, language, job_role, document, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [memberID, title, template, language, jobRole, document, Self.epoch(now), Self.epoch(now)])
            return db.lastInsertedRowID
        }
    }

    /// A member's resumes, newest first, without their documents.
    public func resumes(memberID: Int64) throws -> [ResumeSummary] {
        let iso = ISO8601DateFormatter()
        return try read { db in
            try Row.fetchAll(db, sql: """
                SELECT id, title, template, language, visibility, version, updated_at FROM resume
                WHERE member_id = ? ORDER BY updated_at DESC, id DESC
                """, arguments: [memberID]).map {
                ResumeSummary(id: $0["id"], title: $0["title"], template: $0["template"], language: $0["language"],
                              visibility: $0["visibility"], version: $0["version"],
                              updatedAt: iso.string(from: Date(timeIntervalSince1970: Double($0["updated_at"] as Int64))))
            }
        }
    }

    /// Every published resume's id and version, oldest first: the site builder renders those whose
    /// version it has not rendered (every change of a document moves its version).
    public func publicResumeVersions() throws -> [(id: Int64, version: Int)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, version FROM resume WHERE visibility = 'PUBLIC' ORDER BY id").map { ($0["id"], $0["version"]) }
        }
    }

    /// A published resume's document; nil when there is none or it is private.
    public func publicResumeDocument(id: Int64) throws -> Data? {
        try read { db in
            try Data.fetchOne(db, sql: "SELECT document FROM resume WHERE id = ? AND visibility = 'PUBLIC'", arguments: [id])
        }
    }

    /// Publishes a resume or makes it private again; false when the member has no such resume.
    @discardableResult
    public func setResumeVisibility(id: Int64, memberID: Int64, visibility: String, now: Date) throws -> Bool {
        try writer.write { db in
            try db.execute(sql: "UPDATE resume SET visibility = ?, updated_at = ? WHERE id = ? AND member_id = ?",
                           arguments: [visibility, Self.epoch(now), id, memberID])
            return db.changesCount > 0
        }
    }

    public func resumeDocument(id: Int64, memberID: Int64) throws -> (document: Data, version: Int)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT document, version FROM resume WHERE id = ? AND member_id = ?", arguments: [id, memberID])
                .map { ($0["document"], $0["version"]) }
        }
    }
}

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
    /// Replaces a resume's document if it is still at `expectedVersion` (so two tabs cannot
    /// silently overwrite each other) and keeps the previous document as a revision for undo.
    /// Returns the new version.
    public func applyRevision(resumeID: Int64, memberID: Int64, expectedVersion: Int, path: String,
                              document: Data, now: Date) throws -> Int {
        try writer.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT document, version FROM resume WHERE id = ? AND member_id = ?",
                                             arguments: [resumeID, memberID]) else {
                throw APIError.resumeNotFound
            }
            let version: Int = row["version"]
            guard version == expectedVersion else {
                throw APIError(status: 409, code: "version_conflict",
                               message: "This resume changed elsewhere (now version \(version)); reload it before saving. / 다른 곳에서 이력서가 바뀌었습니다. 새로고침 후 다시 저장하세요.")
            }
            try db.execute(sql: "INSERT INTO resume_revision (resume_id, version, path, previous_document, created_at) VALUES (?, ?, ?, ?, ?)",
                           arguments: [resumeID, version, path, row["document"] as Data, Self.epoch(now)])
            // The template column follows the document, so the hub filters on what the member chose.
            try db.execute(sql: "UPDATE resume SET document = ?, template = json_extract(?, '$.template'), version = version + 1, updated_at = ? WHERE id = ?",
                           arguments: [document, document, Self.epoch(now), resumeID])
            return version + 1
        }
    }

    /// Undoes the latest accepted revision (if the resume is still at `expectedVersion`).
    /// Returns the restored document and the new version.
    public func undoRevision(resumeID: Int64, memberID: Int64, expectedVersion: Int, now: Date) throws -> (document: Data, version: Int, path: String) {
        try writer.write { db in
            guard let version = try Int.fetchOne(db, sql: "SELECT version FROM resume WHERE id = ? AND member_id = ?",
                                                 arguments: [resumeID, memberID]) else {
                throw APIError.resumeNotFound
            }
            guard version == expectedVersion else {
                throw APIError(status: 409, code: "version_conflict",
                               message: "This resume changed elsewhere (now version \(version)); reload it first. / 다른 곳에서 이력서가 바뀌었습니다.")
            }
            guard let last = try Row.fetchOne(db, sql: """
                SELECT id, path, previous_document FROM resume_revision WHERE resume_id = ? ORDER BY version DESC LIMIT 1
                """, arguments: [resumeID]) else {
                throw APIError(status: 409, code: "nothing_to_undo", message: "There is no accepted revision to undo. / 되돌릴 수정이 없습니다.")
            }
            let previous: Data = last["previous_document"]
            try db.execute(sql: "DELETE FROM resume_revision WHERE id = ?", arguments: [last["id"] as Int64])
            try db.execute(sql: "UPDATE resume SET document = ?, template = json_extract(?, '$.template'), version = version + 1, updated_at = ? WHERE id = ?",
                           arguments: [previous, previous, Self.epoch(now), resumeID])
            return (previous, version + 1, last["path"])
        }
    }
}
