import Foundation
import GitfolioCore
import StoreCore

/// The nightly batch's queries. Each due subscription (one member) is handled in its own
/// transactions, so one bad row fails alone; the clean-up sweeps each table in key order, one range
/// of keys per short transaction, so functions serving members are never held up for long.
extension AppDatabase {
    /// A monthly charge the batch is about to ask KakaoPay for.
    public struct PlannedCharge: Sendable, Equatable {
        public var subscription: Subscription
        /// The period this charge pays for (the subscription's `period` + 1).
        public var period: Int
        /// Derived from (subscription, period): a rerun asks KakaoPay for the same charge.
        public var partnerOrderID: String
        /// An earlier run wrote this charge down and did not record how it ended (it was killed, or
        /// KakaoPay gave no answer): find out before asking again.
        public var resuming: Bool
        /// KakaoPay's time of the last payment recorded for this subscription.
        public var lastRecordedApproval: String?
        /// The dates the period covers.
        public var periodStart: CivilDate
        public var periodEnd: CivilDate
    }

    public enum ChargeStep: Sendable, Equatable {
        /// Not due (any more), or already tried tonight.
        case nothingToDo
        /// The subscription ended tonight: cancelled and paid up to tonight, or charges failed too often.
        case ended(reason: String)
        case charge(PlannedCharge)
    }

    public static func chargeOrderID(subscriptionID: Int64, period: Int) -> String { "gitfolio-sub\(subscriptionID)-p\(period)" }

    /// Subscriptions whose paid period ends on or before `date`: the cancelled ones (to end) or the
    /// active ones (to charge), by id.
    public func dueSubscriptionIDs(on date: CivilDate, cancelled: Bool) throws -> [Int64] {
        try read { db in
            try db.rows("SELECT id FROM subscription WHERE status = ? AND paid_until <= ? ORDER BY id",
                        [cancelled ? "CANCELLED" : "ACTIVE", date.iso]).map { $0.int64("id") }
        }
    }

    /// Ends a cancelled subscription whose paid period is over, in one transaction; the member is FREE again.
    public func expireCancelled(subscriptionID: Int64, on date: CivilDate, now: Date) throws -> Bool {
        try write { db in
            guard let row = try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [subscriptionID]) else { return false }
            let subscription = try Subscription(row: row)
            guard subscription.status == .cancelled, subscription.paidUntil <= date else { return false }
            try Self.end(db, subscription, reason: "CANCELLED", now: Self.epoch(now))
            return true
        }
    }

    /// Decides, in one write transaction, what tonight does with a due subscription: ends a cancelled
    /// one whose period is over, or writes the charge down (PENDING) before KakaoPay is asked. A
    /// charge declined on an earlier night is tried again, once a night, `retries` times.
    public func beginCharge(subscriptionID: Int64, on date: CivilDate, now: Date, retries: Int) throws -> ChargeStep {
        try write { db in
            let t = Self.epoch(now)
            guard let row = try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [subscriptionID]) else { return .nothingToDo }
            let subscription = try Subscription(row: row)
            guard subscription.status != .ended, subscription.paidUntil <= date else { return .nothingToDo }
            if subscription.status == .cancelled {
                try Self.end(db, subscription, reason: "CANCELLED", now: t)
                return .ended(reason: "CANCELLED")
            }
            let period = subscription.period + 1
            let orderID = Self.chargeOrderID(subscriptionID: subscription.id, period: period)
            var resuming = false
            if let existing = try db.one("SELECT * FROM charge WHERE subscription_id = ? AND period = ?", [subscription.id, period]) {
                let charge = Self.chargeState(existing)
                switch charge.status {
                case .paid:
                    throw BillingError.badRow("subscription \(subscription.id): period \(period) is paid but the subscription was not extended")
                case .pending:
                    resuming = true
                    try db.execute("UPDATE charge SET last_attempt_on = ?, updated_at = ? WHERE subscription_id = ? AND period = ?",
                                   [date.iso, t, subscription.id, period])
                case .declined:
                    if charge.attempts > retries {
                        try Self.end(db, subscription, reason: "UNPAID", now: t)
                        try Self.notify(db, subscription.memberID, .endedUnpaid, date, t)
                        return .ended(reason: "UNPAID")
                    }
                    if charge.lastAttemptOn >= date.iso { return .nothingToDo }
                    try db.execute("""
                        UPDATE charge SET status = 'PENDING', attempts = attempts + 1, last_attempt_on = ?, started_at = ?, updated_at = ?
                        WHERE subscription_id = ? AND period = ?
                        """, [date.iso, t, t, subscription.id, period])
                }
            } else {
                try db.execute("""
                    INSERT INTO charge (subscription_id, period, partner_order_id, status, attempts, last_attempt_on, started_at, updated_at)
                    VALUES (?, ?, ?, 'PENDING', 1, ?, ?, ?)
                    """, [subscription.id, period, orderID, date.iso, t, t])
            }
            let last = try db.text("SELECT approved_at FROM payment WHERE subscription_id = ? ORDER BY period DESC LIMIT 1", [subscription.id])
            return .charge(PlannedCharge(subscription: subscription, period: period, partnerOrderID: orderID, resuming: resuming,
                                         lastRecordedApproval: last, periodStart: subscription.paidUntil,
                                         periodEnd: subscription.periodEnd(startingOn: subscription.paidUntil)))
        }
    }

    /// KakaoPay charged: the payment, the charge paid and the period extended, in one transaction.
    /// A subscription cancelled meanwhile stays cancelled (its member keeps what they paid for).
    public func recordCharge(_ charge: PlannedCharge, payment: ApprovedPayment, now: Date) throws {
        try write { db in
            let t = Self.epoch(now)
            guard let status = try db.text("SELECT status FROM charge WHERE subscription_id = ? AND period = ?",
                                           [charge.subscription.id, charge.period]) else {
                throw BillingError.badRow("subscription \(charge.subscription.id): the charge of period \(charge.period) is gone")
            }
            if status == "PAID" { return }
            try db.execute("""
                INSERT INTO payment (subscription_id, period, partner_order_id, tid, aid, amount, vat, approved_at, period_start, period_end, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [charge.subscription.id, charge.period, charge.partnerOrderID, payment.tid, payment.aid, payment.amount, payment.vat,
                      payment.approvedAt, charge.periodStart.iso, charge.periodEnd.iso, t])
            try db.execute("UPDATE charge SET status = 'PAID', last_error = NULL, updated_at = ? WHERE subscription_id = ? AND period = ?",
                           [t, charge.subscription.id, charge.period])
            try db.execute("UPDATE subscription SET period = ?, paid_until = ? WHERE id = ? AND period = ?",
                           [charge.period, charge.periodEnd.iso, charge.subscription.id, charge.period - 1])
            guard db.changes == 1 else {
                throw BillingError.badRow("subscription \(charge.subscription.id) changed while period \(charge.period) was charged")
            }
        }
    }

    /// KakaoPay refused the charge: not extended. After `retries` further nights of refusals the
    /// subscription ends and the member is told; until then they are told the charge failed.
    @discardableResult
    public func recordDeclinedCharge(_ charge: PlannedCharge, error: String, on date: CivilDate, retries: Int, now: Date) throws -> Bool {
        try write { db in
            let t = Self.epoch(now)
            try db.execute("UPDATE charge SET status = 'DECLINED', last_error = ?, updated_at = ? WHERE subscription_id = ? AND period = ? AND status = 'PENDING'",
                           [String(error.prefix(300)), t, charge.subscription.id, charge.period])
            let attempts = Int(try db.integer("SELECT attempts FROM charge WHERE subscription_id = ? AND period = ?",
                                              [charge.subscription.id, charge.period]) ?? 0)
            guard let row = try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [charge.subscription.id]) else { return false }
            let subscription = try Subscription(row: row)
            if attempts > retries {
                if subscription.status != .ended { try Self.end(db, subscription, reason: "UNPAID", now: t) }
                try Self.notify(db, subscription.memberID, .endedUnpaid, date, t)
                return true
            }
            try Self.notify(db, subscription.memberID, .chargeDeclined, date, t)
            return false
        }
    }

    /// KakaoPay says the sid is inactive (the member stopped it there): no charge can be made, so the
    /// subscription ends with its paid period.
    public func endInactiveAtKakaoPay(_ charge: PlannedCharge, error: String, now: Date) throws {
        try write { db in
            let t = Self.epoch(now)
            try db.execute("UPDATE charge SET status = 'DECLINED', last_error = ?, updated_at = ? WHERE subscription_id = ? AND period = ?",
                           [String(error.prefix(300)), t, charge.subscription.id, charge.period])
            guard let row = try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [charge.subscription.id]) else { return }
            let subscription = try Subscription(row: row)
            if subscription.status != .ended { try Self.end(db, subscription, reason: "INACTIVE_AT_KAKAOPAY", now: t) }
        }
    }

    /// KakaoPay gave no answer: the charge stays PENDING (the next run finds out what happened).
    public func noteChargeUnknown(_ charge: PlannedCharge, error: String, now: Date) throws {
        try write { db in
            try db.execute("UPDATE charge SET last_error = ?, updated_at = ? WHERE subscription_id = ? AND period = ? AND status = 'PENDING'",
                           [String(error.prefix(300)), Self.epoch(now), charge.subscription.id, charge.period])
        }
    }

    static func end(_ db: SQLiteConnection, _ subscription: Subscription, reason: String, now: Int64) throws {
        try db.execute("UPDATE subscription SET status = 'ENDED', end_reason = ?, ended_at = ? WHERE id = ? AND status <> 'ENDED'",
                       [reason, now, subscription.id])
        try db.execute("UPDATE member SET plan = 'FREE', updated_at = ? WHERE id = ? AND plan <> 'FREE'", [now, subscription.memberID])
    }

    static func notify(_ db: SQLiteConnection, _ memberID: Int64, _ kind: BillingNotice.Kind, _ date: CivilDate, _ now: Int64) throws {
        try db.execute("INSERT OR IGNORE INTO billing_notice (member_id, kind, day, created_at) VALUES (?, ?, ?, ?)",
                       [memberID, kind.rawValue, date.iso, now])
    }

    // MARK: Quota and stale state

    /// What one clean-up removed.
    public struct CleanUpCounts: Sendable, Equatable, Encodable {
        public var aiUses = 0
        public var sessions = 0
        public var oauthStates = 0
        public var cacheRows = 0
        public var checkouts = 0
        public var notices = 0
        /// Hub view visitors of hours before the last (the counts stay on the resumes).
        public var views = 0
        public init() {}
        public static func += (a: inout CleanUpCounts, b: CleanUpCounts) {
            a.aiUses += b.aiUses
            a.sessions += b.sessions
            a.oauthStates += b.oauthStates
            a.cacheRows += b.cacheRows
            a.checkouts += b.checkouts
            a.notices += b.notices
            a.views += b.views
        }
    }

    /// The limits of what the clean-up keeps.
    public struct CleanUpPolicy: Sendable {
        /// AI uses of days before this one are removed: the quota counts the current Asia/Seoul day only.
        public var quotaDay: CivilDate
        /// Sessions and OAuth states that expired by then.
        public var now: Int64
        /// GitHub details older than an hour are never served again; imports unused for 30 days go.
        public var detailsBefore: Int64
        public var importsBefore: Int64
        public init(quotaDay: CivilDate, now: Int64) {
            self.quotaDay = quotaDay
            self.now = now
            detailsBefore = now - 3600
            importsBefore = now - 30 * 86_400
        }
    }

    /// One kind of stale row the clean-up removes, swept through its table in key order (the order
    /// the rows are stored in, as a single DELETE would go), a range of keys per transaction.
    public struct Sweep: Sendable {
        public enum Kind: String, Sendable, CaseIterable { case aiUses, sessions, githubDetails, githubImports }
        public var kind: Kind
        var table: String
        /// `rowid`, or `token_hash` for the sessions (a table without rowid, keyed by a hex hash).
        var key: String
        var condition: String
        var arguments: [SQLValue]

        public static func all(_ policy: CleanUpPolicy) -> [Sweep] {
            [Sweep(kind: .aiUses, table: "ai_use", key: "rowid", condition: "day < ?", arguments: [.text(policy.quotaDay.iso)]),
             Sweep(kind: .sessions, table: "session", key: "token_hash", condition: "expires_at <= ?", arguments: [.integer(policy.now)]),
             Sweep(kind: .githubDetails, table: "github_details", key: "rowid", condition: "fetched_at < ?", arguments: [.integer(policy.detailsBefore)]),
             Sweep(kind: .githubImports, table: "github_import", key: "rowid", condition: "fetched_at < ?", arguments: [.integer(policy.importsBefore)])]
        }
    }

    /// Settings of this process's connection for the clean-up's run of deletions: a larger page cache
    /// (64 MiB), and no automatic checkpoint after each commit (`checkpoint()` once at the end instead).
    /// Each short transaction then costs an append to the WAL, not a copy into the database file with
    /// an fsync; the rows a range deletes are scattered over the indexes, so consecutive ranges rewrite
    /// the same index pages, which a checkpoint per commit would write to disk again and again.
    public func prepareForBatch() throws {
        try database.statement { db in
            _ = try db.rows("PRAGMA cache_size = -65536")
            _ = try db.rows("PRAGMA wal_autocheckpoint = 0")
        }
    }

    /// Copies the WAL into the database file and restarts it, then puts back SQLite's automatic
    /// checkpoints (every 1,000 pages).
    public func checkpoint() throws {
        try database.statement { db in
            _ = try db.rows("PRAGMA wal_checkpoint(TRUNCATE)")
            _ = try db.rows("PRAGMA wal_autocheckpoint = 1000")
        }
    }

    /// A range of keys, both ends included.
    public struct KeyRange: Sendable, Equatable {
        public var low: SQLValue
        public var high: SQLValue
    }

    /// The key ranges a sweep goes through: `rows` rowids at a time, or for the session hashes (hex, evenly
    /// spread) their one- or two-digit prefixes, whichever makes ranges of at most about `rows` sessions.
    public func ranges(of sweep: Sweep, rows: Int64 = 20_000) throws -> [KeyRange] {
        if sweep.key == "token_hash" {
            let count = try read { db in try db.integer("SELECT count(*) FROM session") ?? 0 }
            let hex = Array("0123456789abcdef").map(String.init)
            let prefixes = count <= rows * 16 ? hex : hex.flatMap { a in hex.map { a + $0 } }
            return prefixes.map { KeyRange(low: .text($0), high: .text($0 + String(repeating: "f", count: 64 - $0.count))) }
        }
        let (low, high) = try read { db in
            let row = try db.one("SELECT coalesce(min(rowid), 0) AS low, coalesce(max(rowid), -1) AS high FROM \(sweep.table)")!
            return (row.int64("low"), row.int64("high"))
        }
        guard low <= high else { return [] }
        return stride(from: low, through: high, by: Int(rows)).map { KeyRange(low: .integer($0), high: .integer(min(high, $0 + rows - 1))) }
    }

    /// Removes the sweep's stale rows with keys in `range`, in one transaction; how many.
    public func sweep(_ sweep: Sweep, _ range: KeyRange) throws -> Int {
        try write { db in
            try db.execute("DELETE FROM \(sweep.table) WHERE \(sweep.key) BETWEEN ? AND ? AND \(sweep.condition)",
                           [range.low, range.high] + sweep.arguments)
            return db.changes
        }
    }

    /// The stale rows of a range (key and member), for removing them one at a time when the range fails.
    public func staleRows(_ sweep: Sweep, _ range: KeyRange) throws -> [(key: SQLValue, memberID: Int64)] {
        try read { db in
            try db.rows("SELECT \(sweep.key) AS k, member_id FROM \(sweep.table) WHERE \(sweep.key) BETWEEN ? AND ? AND \(sweep.condition)",
                        [range.low, range.high] + sweep.arguments).map { ($0["k"], $0.int64("member_id")) }
        }
    }

    /// Removes one stale row, in its own transaction.
    public func sweepRow(_ sweep: Sweep, key: SQLValue) throws -> Int {
        try self.sweep(sweep, KeyRange(low: key, high: key))
    }

    /// Stale state that belongs to no member: expired OAuth states, payment attempts that ended or
    /// expired a day ago (approved ones after 30 days; an approval in progress is never removed),
    /// notices older than 90 days, and the hub's view visitors of hours before the last.
    public func cleanUpShared(policy: CleanUpPolicy) throws -> CleanUpCounts {
        var counts = try write { db in
            var counts = CleanUpCounts()
            try db.execute("DELETE FROM oauth_state WHERE expires_at <= ?", [policy.now])
            counts.oauthStates = db.changes
            try db.execute("""
                DELETE FROM checkout WHERE (status IN ('READY','CANCELLED','FAILED') AND expires_at <= ?)
                    OR (status = 'APPROVED' AND expires_at <= ?)
                """, [policy.now - 86_400, policy.now - 30 * 86_400])
            counts.checkouts = db.changes
            try db.execute("DELETE FROM billing_notice WHERE day < ?", [policy.quotaDay.adding(days: -90).iso])
            counts.notices = db.changes
            return counts
        }
        counts.views = try database.forgetOldViews(now: policy.now)
        return counts
    }
}
