import Foundation
import GitfolioCore
import StoreCore

extension AppDatabase {
    public enum AIUseKind: String, Sendable { case generate = "GENERATE", revise = "REVISE" }

    /// How long a charged use stays pending at most: longer than any request runs (GitHub's calls
    /// and the model's, with their timeouts and retries). A pending use older than this belongs to a
    /// process that died before it could keep the result or give the use back.
    public static let aiUsePendingSeconds: Int64 = 15 * 60

    /// Charges one AI use if the member's plan allows another today (Asia/Seoul), atomically: the
    /// count and the insert are one write transaction, and SQLite runs one writer at a time across
    /// every process, so parallel requests cannot pass the limit. Returns the use's id, for `settle`
    /// (the result is kept) or `refund` (it failed on our side).
    ///
    /// The use is pending until settled: if the process is killed in between (`kill -9`, a crash, a
    /// runner's timeout), neither happens, and the use is given back here, by the member's next charge
    /// once `aiUsePendingSeconds` have passed; until then it counts, so that parallel requests still
    /// cannot pass the limit.
    public func chargeAIUse(memberID: Int64, kind: AIUseKind, now: Date) throws -> Int64 {
        try write { db in
            guard let plan = try db.text("SELECT plan FROM member WHERE id = ?", [memberID]).flatMap(Plan.init(rawValue:)) else {
                throw StoreError.memberGone
            }
            let limits = Plans.limits(plan)
            let day = Plans.day(ofEpoch: Self.epoch(now))
            try db.execute("DELETE FROM ai_use WHERE member_id = ? AND pending_until IS NOT NULL AND pending_until <= ?",
                           [memberID, Self.epoch(now)])
            let used = try db.integer("SELECT count(*) FROM ai_use WHERE member_id = ? AND day = ?", [memberID, day]) ?? 0
            guard used < limits.aiUsesPerDay else { throw StoreError.aiQuotaExceeded(limit: limits.aiUsesPerDay, fairUse: limits.isFairUseCap) }
            try db.execute("INSERT INTO ai_use (member_id, day, kind, created_at, pending_until) VALUES (?, ?, ?, ?, ?)",
                           [memberID, day, kind.rawValue, Self.epoch(now), Self.epoch(now) + Self.aiUsePendingSeconds])
            return db.lastInsertRowID
        }
    }

    /// Keeps a use: its result was stored or is being answered.
    public func settleAIUse(id: Int64) throws {
        try write { db in try db.execute("UPDATE ai_use SET pending_until = NULL WHERE id = ?", [id]) }
    }

    /// Keeps a use and its result in one transaction (a revision's rewrite): a process killed after it
    /// leaves both, and `keptAIResult` finds the result by what was asked.
    public func settleAIUse(id: Int64, requestKey: String, result: String) throws {
        try write { db in
            try db.execute("UPDATE ai_use SET pending_until = NULL, request_key = ?, result = ? WHERE id = ?", [requestKey, result, id])
        }
    }

    /// The result kept with the member's latest use for this request, if it was charged within
    /// `aiUsePendingSeconds` (the longest a request runs). Not answered again automatically: asking the
    /// same rewrite again is a new use (a member may want another wording).
    public func keptAIResult(memberID: Int64, requestKey: String, now: Date) throws -> String? {
        try read { db in
            try db.text("""
                SELECT result FROM ai_use WHERE member_id = ? AND request_key = ? AND pending_until IS NULL
                AND result IS NOT NULL AND created_at >= ? ORDER BY id DESC LIMIT 1
                """, [memberID, requestKey, Self.epoch(now) - Self.aiUsePendingSeconds])
        }
    }

    /// Gives a use back when the AI failed on our side (the member should not pay for our error).
    public func refundAIUse(id: Int64) throws {
        try write { db in try db.execute("DELETE FROM ai_use WHERE id = ?", [id]) }
    }

    /// The member's AI uses on an Asia/Seoul day (`YYYY-MM-DD`).
    public func aiUses(memberID: Int64, on day: String) throws -> Int {
        try read { db in Int(try db.integer("SELECT count(*) FROM ai_use WHERE member_id = ? AND day = ?", [memberID, day]) ?? 0) }
    }
}
