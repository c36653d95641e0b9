import Foundation
import GitfolioCore
import StoreCore

// MARK: - Types

/// A member's attempt to subscribe: made when KakaoPay's `ready` answered, bound to that member, with
/// the `tid` KakaoPay gave for it. The approval URL names it by a random token (only its hash is kept).
public struct Checkout: Sendable, Equatable {
    public enum Status: String, Sendable { case ready = "READY", approving = "APPROVING", approved = "APPROVED", cancelled = "CANCELLED", failed = "FAILED" }
    public var id: Int64
    public var memberID: Int64
    public var partnerOrderID: String
    public var tid: String
    public var amount: Int
    public var language: String
    public var status: Status
    public var createdAt: Int64
    public var expiresAt: Int64

    init(row: Row) throws {
        guard let status = Status(rawValue: row.text("status")) else { throw BillingError.badRow("checkout \(row.int64("id")): status") }
        id = row.int64("id")
        memberID = row.int64("member_id")
        partnerOrderID = row.text("partner_order_id")
        tid = row.text("tid")
        amount = row.int("amount")
        language = row.text("language")
        self.status = status
        createdAt = row.int64("created_at")
        expiresAt = row.int64("expires_at")
    }
}

/// A PRO subscription. It is PRO until `paidUntil` (an Asia/Seoul date, not included), when the next
/// charge is due; `anchorDay` is the day of the month it started, so a month without that day ends
/// on its last day and the next returns to it.
public struct Subscription: Sendable, Equatable {
    public enum Status: String, Sendable { case active = "ACTIVE", cancelled = "CANCELLED", ended = "ENDED" }
    public var id: Int64
    public var memberID: Int64
    public var sid: String
    public var partnerUserID: String
    public var itemName: String
    public var amount: Int
    public var status: Status
    public var anchorDay: Int
    /// The number of the period paid last (1: the first month, paid at approval).
    public var period: Int
    public var paidUntil: CivilDate
    public var endReason: String?
    public var startedAt: Int64
    public var cancelledAt: Int64?
    public var endedAt: Int64?

    /// Reads a row, refusing one whose values make no sense (a bad row is reported, never guessed at).
    init(row: Row) throws {
        let id = row.int64("id")
        guard let status = Status(rawValue: row.text("status")) else { throw BillingError.badRow("subscription \(id): status \(row.text("status").prefix(20))") }
        guard let paidUntil = CivilDate(iso: row.text("paid_until")) else {
            throw BillingError.badRow("subscription \(id): paid_until \(row.text("paid_until").prefix(20)) is not a date")
        }
        let anchor = row.int("anchor_day"), period = row.int("period"), amount = row.int("amount")
        guard (1...31).contains(anchor), period >= 1, amount > 0, !row.text("sid").isEmpty, !row.text("partner_user_id").isEmpty else {
            throw BillingError.badRow("subscription \(id): anchor day, period, amount, sid or user id out of range")
        }
        self.id = id
        memberID = row.int64("member_id")
        sid = row.text("sid")
        partnerUserID = row.text("partner_user_id")
        itemName = row.text("item_name")
        self.amount = amount
        self.status = status
        anchorDay = anchor
        self.period = period
        self.paidUntil = paidUntil
        endReason = row.optionalText("end_reason")
        startedAt = row.int64("started_at")
        cancelledAt = row.optionalInt64("cancelled_at")
        endedAt = row.optionalInt64("ended_at")
    }

    /// The end of the period that starts on `date` (the same day next month, anchored).
    public func periodEnd(startingOn date: CivilDate) -> CivilDate { date.adding(months: 1, anchorDay: anchorDay) }
}

/// One payment KakaoPay made, as the member's history shows it.
public struct PaymentRecord: Sendable, Equatable {
    public var period: Int
    public var partnerOrderID: String
    public var aid: String?
    public var amount: Int
    public var approvedAt: String
    public var periodStart: String
    public var periodEnd: String
}

/// A monthly charge of a subscription (period 2 onwards).
public struct ChargeState: Sendable, Equatable {
    public enum Status: String, Sendable { case pending = "PENDING", paid = "PAID", declined = "DECLINED" }
    public var subscriptionID: Int64
    public var period: Int
    public var partnerOrderID: String
    public var status: Status
    public var attempts: Int
    public var lastAttemptOn: String
    public var lastError: String?
}

/// What a member is told about their subscription: a declined charge, or PRO ended because charges failed.
public struct BillingNotice: Sendable, Equatable {
    public enum Kind: String, Sendable { case chargeDeclined = "CHARGE_DECLINED", endedUnpaid = "ENDED_UNPAID" }
    public var kind: Kind
    public var day: String
}

/// The answer KakaoPay gave for a payment, as the store records it (`aid` and `tid` are unknown for a
/// charge recovered after an interrupted run: KakaoPay confirmed it, but its answer was lost).
public struct ApprovedPayment: Sendable, Equatable {
    public var sid: String
    public var aid: String?
    public var tid: String?
    public var amount: Int
    public var vat: Int?
    public var approvedAt: String
    public init(sid: String, aid: String?, tid: String?, amount: Int, vat: Int?, approvedAt: String) {
        self.sid = sid
        self.aid = aid
        self.tid = tid
        self.amount = amount
        self.vat = vat
        self.approvedAt = approvedAt
    }
}

/// The store's refusals and failures about plans and payments, each with its answer to a member.
public enum BillingError: Error, Sendable, Equatable, CustomStringConvertible {
    case alreadySubscribed
    case approvalInProgress
    case unknownCheckout
    case notYourCheckout
    case checkoutExpired
    case checkoutEnded(Checkout.Status)
    case noSubscription
    /// A row whose values cannot be processed (reported by the nightly batch, which skips it).
    case badRow(String)

    public var description: String {
        switch self {
        case .alreadySubscribed: "already subscribed"
        case .approvalInProgress: "an approval is in progress"
        case .unknownCheckout: "unknown checkout"
        case .notYourCheckout: "checkout of another member"
        case .checkoutExpired: "checkout expired"
        case .checkoutEnded(let status): "checkout ended (\(status.rawValue))"
        case .noSubscription: "no subscription"
        case .badRow(let what): "bad row: \(what)"
        }
    }
}

extension BillingError: ResponseError {
    public var apiError: APIError {
        switch self {
        case .alreadySubscribed:
            .conflict("already_subscribed", "You already have PRO.", korean: "이미 PRO를 이용하고 있습니다.")
        case .approvalInProgress:
            .conflict("approval_in_progress", "Your payment is being completed; reload this page in a moment.",
                      korean: "결제를 마무리하는 중입니다. 잠시 후 새로고침해 주세요.")
        case .unknownCheckout:
            .notFound("unknown_payment", "This payment link is not one of yours, or it is too old. Nothing was charged; start again from My page.",
                      korean: "알 수 없거나 오래된 결제 링크입니다. 결제된 금액은 없습니다. 내 페이지에서 다시 시작해 주세요.")
        case .notYourCheckout:
            .forbidden("not_your_payment", "This payment was started by another account; nothing was changed. Sign in with the account that started it.",
                       korean: "다른 계정에서 시작한 결제입니다. 아무것도 바뀌지 않았습니다. 결제를 시작한 계정으로 로그인해 주세요.")
        case .checkoutExpired:
            APIError(status: 410, code: "payment_expired", message: "This payment expired before it was approved; nothing was charged. Start again from My page.",
                     korean: "결제가 승인되기 전에 만료되었습니다. 결제된 금액은 없습니다. 내 페이지에서 다시 시작해 주세요.")
        case .checkoutEnded(let status):
            .conflict(status == .cancelled ? "payment_cancelled" : "payment_failed",
                      "This payment was \(status == .cancelled ? "cancelled" : "not completed"); nothing was charged. Start again from My page.",
                      korean: "\(status == .cancelled ? "취소된" : "실패한") 결제입니다. 결제된 금액은 없습니다. 내 페이지에서 다시 시작해 주세요.")
        case .noSubscription:
            .notFound("no_subscription", "You have no active subscription.", korean: "이용 중인 구독이 없습니다.")
        case .badRow:
            .internal(description)
        }
    }
}

// MARK: - Queries

extension AppDatabase {
    static let subscriptionColumns = """
        id, member_id, sid, partner_user_id, item_name, amount, status, anchor_day, period, paid_until, end_reason,
        started_at, cancelled_at, ended_at
        """

    /// The member's subscription that is not over (active, or cancelled and still paid for), if any.
    public func liveSubscription(memberID: Int64) throws -> Subscription? {
        try read { db in try Self.liveSubscription(db, memberID: memberID) }
    }

    static func liveSubscription(_ db: SQLiteConnection, memberID: Int64) throws -> Subscription? {
        try db.one("SELECT \(subscriptionColumns) FROM subscription WHERE member_id = ? AND status <> 'ENDED'", [memberID])
            .map(Subscription.init(row:))
    }

    public func subscription(id: Int64) throws -> Subscription? {
        try read { db in try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [id]).map(Subscription.init(row:)) }
    }

    // MARK: Subscribing

    /// Records an attempt KakaoPay's `ready` accepted. Refused when the member already has PRO.
    public func createCheckout(tokenHash: String, memberID: Int64, partnerOrderID: String, tid: String, amount: Int,
                               language: String, now: Date, lifetime: Int64) throws {
        try write { db in
            guard try db.integer("SELECT 1 FROM member WHERE id = ?", [memberID]) != nil else { throw StoreError.memberGone }
            if try Self.liveSubscription(db, memberID: memberID) != nil { throw BillingError.alreadySubscribed }
            let t = Self.epoch(now)
            try db.execute("""
                INSERT INTO checkout (token_hash, member_id, partner_order_id, tid, amount, language, status, created_at, expires_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'READY', ?, ?, ?)
                """, [tokenHash, memberID, partnerOrderID, tid, amount, language, t, t + lifetime, t])
        }
    }

    public func checkout(tokenHash: String) throws -> Checkout? {
        try read { db in try db.one("SELECT * FROM checkout WHERE token_hash = ?", [tokenHash]).map(Checkout.init(row:)) }
    }

    public func checkouts(memberID: Int64) throws -> [Checkout] {
        try read { db in try db.rows("SELECT * FROM checkout WHERE member_id = ? ORDER BY id", [memberID]).map(Checkout.init(row:)) }
    }

    /// What the approval of a checkout may do now.
    public enum ApprovalClaim: Sendable, Equatable {
        /// This process owns the approval until `leaseUntil`: it asks KakaoPay, then records or releases.
        case claimed(Checkout)
        /// Approved already (a reload, a second click): nothing to do.
        case alreadyApproved
    }

    /// Takes the approval of a checkout for this process, in one write transaction: it must be the
    /// member's, unexpired, not ended, the member must have no live subscription, and no approval of
    /// theirs may be in progress elsewhere (a second tab, a double click). An approval whose process
    /// died (its lease ran out) can be taken again.
    public func claimApproval(tokenHash: String, memberID: Int64, now: Date, lease: Int64) throws -> ApprovalClaim {
        try write { db in
            let t = Self.epoch(now)
            guard let row = try db.one("SELECT * FROM checkout WHERE token_hash = ?", [tokenHash]) else { throw BillingError.unknownCheckout }
            let checkout = try Checkout(row: row)
            guard checkout.memberID == memberID else { throw BillingError.notYourCheckout }
            switch checkout.status {
            case .approved: return .alreadyApproved
            case .cancelled, .failed: throw BillingError.checkoutEnded(checkout.status)
            case .approving where row.int64("lease_until") > t: throw BillingError.approvalInProgress
            case .ready, .approving: break
            }
            // An approval taken over after its process died is finished whatever the time: KakaoPay may
            // have approved it. A fresh one must be within the checkout's life.
            if checkout.status == .ready && checkout.expiresAt <= t { throw BillingError.checkoutExpired }
            if try Self.liveSubscription(db, memberID: memberID) != nil { throw BillingError.alreadySubscribed }
            if try db.integer("SELECT 1 FROM checkout WHERE member_id = ? AND status = 'APPROVING' AND id <> ? AND lease_until > ?",
                              [memberID, checkout.id, t]) != nil {
                throw BillingError.approvalInProgress
            }
            try db.execute("UPDATE checkout SET status = 'APPROVING', lease_until = ?, updated_at = ? WHERE id = ?", [t + lease, t, checkout.id])
            var claimed = checkout
            claimed.status = .approving
            return .claimed(claimed)
        }
    }

    /// Gives an approval back (KakaoPay refused the pg_token, or could not be reached): the checkout is
    /// as it was, and a reload can try again.
    public func releaseApproval(checkoutID: Int64, now: Date) throws {
        try write { db in
            try db.execute("UPDATE checkout SET status = 'READY', lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'APPROVING'",
                           [Self.epoch(now), checkoutID])
        }
    }

    /// Ends a checkout on KakaoPay's cancel or fail return (only the member's own, only if not approved).
    @discardableResult
    public func endCheckout(tokenHash: String, memberID: Int64, as status: Checkout.Status, now: Date) throws -> Checkout {
        try write { db in
            guard let row = try db.one("SELECT * FROM checkout WHERE token_hash = ?", [tokenHash]) else { throw BillingError.unknownCheckout }
            let checkout = try Checkout(row: row)
            guard checkout.memberID == memberID else { throw BillingError.notYourCheckout }
            guard checkout.status == .ready else { return checkout }
            try db.execute("UPDATE checkout SET status = ?, updated_at = ? WHERE id = ?", [status.rawValue, Self.epoch(now), checkout.id])
            var ended = checkout
            ended.status = status
            return ended
        }
    }

    /// Records an approved first payment, in one transaction: the subscription (PRO until the same day
    /// next month in Asia/Seoul, anchored on today), its first payment, the checkout approved, the
    /// member PRO. Only the process holding the approval gets here.
    public func recordApproval(checkoutID: Int64, memberID: Int64, payment: ApprovedPayment, itemName: String,
                               today: CivilDate, now: Date) throws -> Subscription {
        try write { db in
            let t = Self.epoch(now)
            guard let row = try db.one("SELECT * FROM checkout WHERE id = ?", [checkoutID]) else { throw BillingError.unknownCheckout }
            let checkout = try Checkout(row: row)
            guard checkout.memberID == memberID, checkout.status == .approving else { throw BillingError.approvalInProgress }
            guard try db.integer("SELECT 1 FROM member WHERE id = ?", [memberID]) != nil else { throw StoreError.memberGone }
            let paidUntil = today.adding(months: 1, anchorDay: today.day)
            try db.execute("""
                INSERT INTO subscription (member_id, sid, partner_user_id, item_name, amount, status, anchor_day, period, paid_until, started_at)
                VALUES (?, ?, ?, ?, ?, 'ACTIVE', ?, 1, ?, ?)
                """, [memberID, payment.sid, String(memberID), itemName, payment.amount, today.day, paidUntil.iso, t])
            let subscriptionID = db.lastInsertRowID
            try db.execute("""
                INSERT INTO payment (subscription_id, period, partner_order_id, tid, aid, amount, vat, approved_at, period_start, period_end, created_at)
                VALUES (?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, [subscriptionID, checkout.partnerOrderID, payment.tid, payment.aid, payment.amount, payment.vat, payment.approvedAt,
                      today.iso, paidUntil.iso, t])
            try db.execute("UPDATE checkout SET status = 'APPROVED', lease_until = NULL, updated_at = ? WHERE id = ?", [t, checkoutID])
            try db.execute("UPDATE member SET plan = 'PRO', updated_at = ? WHERE id = ?", [t, memberID])
            return try Subscription(row: try db.one("SELECT \(Self.subscriptionColumns) FROM subscription WHERE id = ?", [subscriptionID])!)
        }
    }

    /// Approvals whose process died while KakaoPay was asked (the lease ran out): the nightly batch
    /// finds out what became of them.
    public func abandonedApprovals(now: Date) throws -> [Checkout] {
        try read { db in
            try db.rows("SELECT * FROM checkout WHERE status = 'APPROVING' AND lease_until <= ? ORDER BY id", [Self.epoch(now)])
                .map(Checkout.init(row:))
        }
    }

    /// An abandoned approval KakaoPay never completed: back to READY, where it expires.
    public func abandonApproval(checkoutID: Int64, leaseUntilBefore now: Date) throws {
        try write { db in
            try db.execute("UPDATE checkout SET status = 'READY', lease_until = NULL, updated_at = ? WHERE id = ? AND status = 'APPROVING' AND lease_until <= ?",
                           [Self.epoch(now), checkoutID, Self.epoch(now)])
        }
    }

    /// Takes an abandoned approval for the nightly batch (so a browser reload cannot record it at the same time).
    public func claimAbandonedApproval(checkoutID: Int64, now: Date, lease: Int64) throws -> Checkout? {
        try write { db in
            let t = Self.epoch(now)
            try db.execute("UPDATE checkout SET lease_until = ?, updated_at = ? WHERE id = ? AND status = 'APPROVING' AND lease_until <= ?",
                           [t + lease, t, checkoutID, t])
            guard db.changes == 1 else { return nil }
            return try db.one("SELECT * FROM checkout WHERE id = ?", [checkoutID]).map(Checkout.init(row:))
        }
    }

    // MARK: Cancelling

    /// The member cancelled (KakaoPay has already made the sid inactive): PRO lasts until `paidUntil`.
    public func markCancelled(subscriptionID: Int64, now: Date) throws {
        try write { db in
            try db.execute("UPDATE subscription SET status = 'CANCELLED', cancelled_at = ? WHERE id = ? AND status = 'ACTIVE'",
                           [Self.epoch(now), subscriptionID])
        }
    }

    // MARK: What My page shows

    public struct BillingView: Sendable {
        public var plan: Plan
        public var subscription: Subscription?
        /// The charge of the next period when it was tried and not yet paid.
        public var openCharge: ChargeState?
        public var payments: [PaymentRecord]
        public var notices: [BillingNotice]
        public var aiUsesToday: Int
    }

    public func billingView(memberID: Int64, today: CivilDate) throws -> BillingView {
        try read { db in
            guard let plan = try db.text("SELECT plan FROM member WHERE id = ?", [memberID]).flatMap(Plan.init(rawValue:)) else {
                throw StoreError.memberGone
            }
            let subscription = try Self.liveSubscription(db, memberID: memberID)
            var open: ChargeState?
            if let subscription {
                open = try db.one("SELECT * FROM charge WHERE subscription_id = ? AND period = ? AND status <> 'PAID'",
                                  [subscription.id, subscription.period + 1]).map(Self.chargeState)
            }
            let payments = try db.rows("""
                SELECT payment.* FROM payment JOIN subscription ON subscription.id = payment.subscription_id
                WHERE subscription.member_id = ? ORDER BY payment.approved_at DESC, payment.id DESC LIMIT 24
                """, [memberID]).map {
                PaymentRecord(period: $0.int("period"), partnerOrderID: $0.text("partner_order_id"), aid: $0.optionalText("aid"),
                              amount: $0.int("amount"), approvedAt: $0.text("approved_at"), periodStart: $0.text("period_start"),
                              periodEnd: $0.text("period_end"))
            }
            let notices = try db.rows("SELECT kind, day FROM billing_notice WHERE member_id = ? AND day >= ? ORDER BY day DESC, id DESC LIMIT 5",
                                      [memberID, today.adding(days: -30).iso]).compactMap { row in
                BillingNotice.Kind(rawValue: row.text("kind")).map { BillingNotice(kind: $0, day: row.text("day")) }
            }
            let uses = Int(try db.integer("SELECT count(*) FROM ai_use WHERE member_id = ? AND day = ?", [memberID, today.iso]) ?? 0)
            return BillingView(plan: plan, subscription: subscription, openCharge: open, payments: payments, notices: notices, aiUsesToday: uses)
        }
    }

    static func chargeState(_ row: Row) -> ChargeState {
        ChargeState(subscriptionID: row.int64("subscription_id"), period: row.int("period"), partnerOrderID: row.text("partner_order_id"),
                    status: ChargeState.Status(rawValue: row.text("status")) ?? .pending, attempts: row.int("attempts"),
                    lastAttemptOn: row.text("last_attempt_on"), lastError: row.optionalText("last_error"))
    }

    public func charge(subscriptionID: Int64, period: Int) throws -> ChargeState? {
        try read { db in try db.one("SELECT * FROM charge WHERE subscription_id = ? AND period = ?", [subscriptionID, period]).map(Self.chargeState) }
    }

    public func payments(subscriptionID: Int64) throws -> [PaymentRecord] {
        try read { db in
            try db.rows("SELECT * FROM payment WHERE subscription_id = ? ORDER BY period", [subscriptionID]).map {
                PaymentRecord(period: $0.int("period"), partnerOrderID: $0.text("partner_order_id"), aid: $0.optionalText("aid"),
                              amount: $0.int("amount"), approvedAt: $0.text("approved_at"), periodStart: $0.text("period_start"),
                              periodEnd: $0.text("period_end"))
            }
        }
    }
}
