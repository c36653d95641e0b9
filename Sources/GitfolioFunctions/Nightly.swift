import Foundation
import GitfolioCore
import GitfolioPay
import GitfolioStore

/// The nightly batch, run at midnight Asia/Seoul for one date (from its input, or the clock at run
/// time). In order:
///
/// 1. approvals whose process died while KakaoPay was asked are looked up (`order`) and recorded;
/// 2. cancelled subscriptions whose paid period is over end (the member is FREE again);
/// 3. each active subscription due that day is charged with `subscription`: the charge is written
///    down first with an order id derived from (subscription, period), so a run killed at any point
///    and run again finds it, asks KakaoPay what happened (`status`; a repeated request is refused as
///    a duplicate) and never charges twice or misses one. A paid charge extends the period; a declined
///    one does not, and is tried again on the following nights as the plan table says, then PRO ends
///    and the member is told;
/// 4. the FREE quota is restored (the AI uses of earlier days go: a quota counts one Asia/Seoul day)
///    and stale state is removed (expired sessions and OAuth states, old GitHub cache rows, ended
///    payment attempts), each table swept in the order its rows are stored, one range of keys per
///    short transaction (so functions serving members never wait long for the write lock).
///
/// Each member's subscription is handled in its own transactions: a row that cannot be processed is
/// reported and skipped. The summary says what happened; `ok` is false when anything failed.
public struct NightlyBatch: Sendable {
    public var services: Services
    public var date: CivilDate
    public var concurrency: Int
    public var log: Log
    /// Rows (by rowid) per clean-up transaction.
    public var chunk: Int64

    public init(services: Services, date: CivilDate, concurrency: Int = 4, log: Log, chunk: Int64 = 20_000) {
        self.services = services
        self.date = date
        self.concurrency = max(1, concurrency)
        self.log = log
        self.chunk = max(1, chunk)
    }

    public struct Problem: Encodable, Sendable, Equatable {
        public var step: String
        public var subscription: Int64?
        public var member: Int64?
        public var message: String
    }

    public struct Timings: Encodable, Sendable {
        /// Approvals and charges: the part that waits for KakaoPay.
        public var charging = 0.0
        /// Expiry, quota restore and clean-up.
        public var database = 0.0
        public var total = 0.0
        /// The parts of `database`: expiry, and each clean-up sweep.
        public var parts: [String: Double] = [:]
    }

    public struct Summary: Encodable, Sendable {
        public var date: String
        public var ok = true
        public var charged = 0
        public var failed = 0
        public var expired = 0
        public var skipped = 0
        /// Of `charged`: charges an interrupted run had made and this one recorded (no second charge).
        public var recovered = 0
        /// First payments whose approval was interrupted, found made and recorded.
        public var approvalsCompleted = 0
        public var cleaned = AppDatabase.CleanUpCounts()
        public var errors: [Problem] = []
        public var seconds = Timings()

        mutating func problem(_ step: String, _ subscription: Int64?, _ member: Int64?, _ message: String) {
            errors.append(Problem(step: step, subscription: subscription, member: member, message: String(message.prefix(500))))
        }
    }

    enum Outcome: Sendable {
        case nothing
        case charged(recovered: Bool)
        case declined(ended: Bool, String)
        case unknown(String)
        case ended
        case inactive(String)
        case skipped(String)
        case chargedUnrecorded(String)
    }

    var database: AppDatabase { services.database }

    public func run() async -> Summary {
        var summary = Summary(date: date.iso)
        let started = Date()
        let pay = services.kakaoPay

        // 1. Interrupted approvals.
        if let pay { await completeApprovals(pay, &summary) }

        // 2. Expiry of cancelled subscriptions.
        let expiryStart = Date()
        do {
            for id in try database.dueSubscriptionIDs(on: date, cancelled: true) {
                do {
                    if try database.expireCancelled(subscriptionID: id, on: date, now: services.now) { summary.expired += 1 }
                } catch {
                    summary.skipped += 1
                    summary.problem("expire", id, nil, "\(error)")
                    log.error("subscription \(id): skipped: \(error)")
                }
            }
        } catch {
            summary.problem("expire", nil, nil, "listing due subscriptions failed: \(error)")
        }
        summary.seconds.database += Date().timeIntervalSince(expiryStart)
        summary.seconds.parts["expiry"] = Date().timeIntervalSince(expiryStart)

        // 3. Charges.
        let chargeStart = Date()
        do {
            let due = try database.dueSubscriptionIDs(on: date, cancelled: false)
            if let pay {
                await charge(due, pay, &summary)
            } else if !due.isEmpty {
                summary.skipped += due.count
                summary.problem("charge", nil, nil, "KakaoPay is not configured (KAKAOPAY_SECRET_KEY): \(due.count) due subscriptions were not charged")
            }
        } catch {
            summary.problem("charge", nil, nil, "listing due subscriptions failed: \(error)")
        }
        summary.seconds.charging = Date().timeIntervalSince(chargeStart)

        // 4. Quota restore and clean-up.
        let cleanStart = Date()
        cleanUp(&summary)
        summary.seconds.database += Date().timeIntervalSince(cleanStart)

        summary.seconds.total = Date().timeIntervalSince(started)
        summary.ok = summary.failed == 0 && summary.skipped == 0 && summary.errors.isEmpty
        return summary
    }

    // MARK: Approvals

    func completeApprovals(_ pay: KakaoPay, _ summary: inout Summary) async {
        let abandoned: [Checkout]
        do { abandoned = try database.abandonedApprovals(now: services.now) } catch {
            summary.problem("approvals", nil, nil, "\(error)")
            return
        }
        for candidate in abandoned {
            do {
                guard let checkout = try database.claimAbandonedApproval(checkoutID: candidate.id, now: services.now, lease: Billing.approvalLease)
                else { continue }
                switch await PayWebhookFunction.lookUp(pay, checkout, log: log) {
                case .made(let approval):
                    let start = CivilDate(iso: String(approval.approvedAt.prefix(10)))
                    _ = try Billing.record(services, checkout, approval, startDay: start, log: log)
                    summary.approvalsCompleted += 1
                case .notMade:
                    // Nothing was taken: the checkout goes back to READY, where it expires.
                    try database.releaseApproval(checkoutID: checkout.id, now: services.now)
                case .unknown:
                    summary.problem("approvals", nil, checkout.memberID,
                                    "checkout \(checkout.id): KakaoPay's order lookup gave no usable answer; the next run asks again")
                }
            } catch {
                summary.problem("approvals", nil, candidate.memberID, "checkout \(candidate.id): \(error)")
            }
        }
    }

    // MARK: Charges

    func charge(_ ids: [Int64], _ pay: KakaoPay, _ summary: inout Summary) async {
        var pending = ids.makeIterator()
        await withTaskGroup(of: (Int64, Outcome).self) { group in
            for _ in 0..<concurrency {
                guard let id = pending.next() else { break }
                group.addTask { (id, await self.charge(id, pay)) }
            }
            while let (id, outcome) = await group.next() {
                switch outcome {
                case .nothing: break
                case .charged(let recovered):
                    summary.charged += 1
                    if recovered { summary.recovered += 1 }
                case .declined(let ended, let why):
                    summary.failed += 1
                    if ended { summary.expired += 1 }
                    summary.problem("charge", id, nil, (ended ? "declined; the retries are used up and PRO ended: " : "declined: ") + why)
                case .unknown(let why):
                    summary.failed += 1
                    summary.problem("charge", id, nil, "no answer from KakaoPay; the next run finds out whether it was charged: " + why)
                case .ended:
                    summary.expired += 1
                case .inactive(let why):
                    summary.failed += 1
                    summary.expired += 1
                    summary.problem("charge", id, nil, "the sid is inactive at KakaoPay; the subscription ended: " + why)
                case .chargedUnrecorded(let why):
                    summary.failed += 1
                    summary.problem("charge", id, nil, "charged, but not recorded; the next run records it: " + why)
                case .skipped(let why):
                    summary.skipped += 1
                    summary.problem("charge", id, nil, "skipped: " + why)
                    log.error("subscription \(id): skipped: \(why)")
                }
                if let id = pending.next() { group.addTask { (id, await self.charge(id, pay)) } }
            }
        }
    }

    /// One member's due subscription.
    func charge(_ id: Int64, _ pay: KakaoPay) async -> Outcome {
        let retries = Plans.limits(.pro).failedChargeRetries
        let plan: AppDatabase.PlannedCharge
        do {
            switch try database.beginCharge(subscriptionID: id, on: date, now: services.now, retries: retries) {
            case .nothingToDo: return .nothing
            case .ended: return .ended
            case .charge(let planned): plan = planned
            }
        } catch {
            return .skipped("\(error)")
        }
        let sid = plan.subscription.sid
        // An earlier run wrote this charge down and stopped before recording its end: ask KakaoPay first.
        if plan.resuming {
            do {
                if let made = try await earlierCharge(plan, pay) { return record(plan, made, recovered: true) }
            } catch {
                return failure(plan, error)
            }
        }
        let approval: KakaoPay.Approval
        do {
            approval = try await pay.charge(sid: sid, partnerOrderID: plan.partnerOrderID, partnerUserID: plan.subscription.partnerUserID,
                                            itemName: plan.subscription.itemName, amount: plan.subscription.amount)
        } catch let error where error.isRefusal(KakaoPayRefusal.duplicateRequest) {
            // This exact charge was made before (its answer was lost): record it, do not ask again.
            do {
                guard let made = try await earlierCharge(plan, pay, duplicate: true) else { return failure(plan, error) }
                return record(plan, made, recovered: true)
            } catch {
                return failure(plan, error)
            }
        } catch {
            return failure(plan, error)
        }
        log.debug("subscription \(id): KakaoPay charged period \(plan.period) (\(approval.aid)); recording")
        return record(plan, Billing.payment(approval, sid: sid), recovered: false)
    }

    /// The payment an earlier run made for this charge, from KakaoPay's last approval of the sid,
    /// when that is newer than the last payment recorded here (or when KakaoPay called a request
    /// for this order id a duplicate).
    func earlierCharge(_ plan: AppDatabase.PlannedCharge, _ pay: KakaoPay, duplicate: Bool = false) async throws(KakaoPayError) -> ApprovedPayment? {
        let status = try await pay.status(sid: plan.subscription.sid)
        guard let last = status.lastApprovedAt, last > (plan.lastRecordedApproval ?? "") || duplicate else { return nil }
        return ApprovedPayment(sid: plan.subscription.sid, aid: nil, tid: nil, amount: plan.subscription.amount, vat: nil, approvedAt: last)
    }

    func record(_ plan: AppDatabase.PlannedCharge, _ payment: ApprovedPayment, recovered: Bool) -> Outcome {
        do {
            try database.recordCharge(plan, payment: payment, now: services.now)
            return .charged(recovered: recovered)
        } catch {
            log.error("subscription \(plan.subscription.id): KakaoPay charged period \(plan.period) but recording failed: \(error)")
            return .chargedUnrecorded("\(error)")
        }
    }

    func failure(_ plan: AppDatabase.PlannedCharge, _ error: KakaoPayError) -> Outcome {
        let id = plan.subscription.id
        log.warning("subscription \(id), period \(plan.period): \(error)")
        do {
            guard let refusal = error.refusal else {
                try database.noteChargeUnknown(plan, error: error.description, now: services.now)
                return .unknown(error.description)
            }
            if refusal.code == KakaoPayRefusal.inactiveSID || refusal.code == KakaoPayRefusal.unknownSID {
                try database.endInactiveAtKakaoPay(plan, error: error.description, now: services.now)
                return .inactive(error.description)
            }
            let ended = try database.recordDeclinedCharge(plan, error: error.description, on: date,
                                                          retries: Plans.limits(.pro).failedChargeRetries, now: services.now)
            return .declined(ended: ended, error.description)
        } catch {
            return .skipped("\(error)")
        }
    }

    // MARK: Quota and stale state

    func cleanUp(_ summary: inout Summary) {
        let policy = AppDatabase.CleanUpPolicy(quotaDay: date, now: Int64(services.now.timeIntervalSince1970))
        do { try database.prepareForBatch() } catch { log.warning("batch settings of the connection: \(error)") }
        for sweep in AppDatabase.Sweep.all(policy) {
            let started = Date()
            defer { summary.seconds.parts[sweep.kind.rawValue] = Date().timeIntervalSince(started) }
            let ranges: [AppDatabase.KeyRange]
            do { ranges = try database.ranges(of: sweep, rows: chunk) } catch {
                summary.problem("clean-up", nil, nil, "\(sweep.kind.rawValue): \(error)")
                continue
            }
            var removed = 0
            for range in ranges {
                do {
                    removed += try database.sweep(sweep, range)
                } catch {
                    // One bad row fails its range: redo the range one row at a time, skipping only the bad one.
                    log.warning("clean-up of \(sweep.kind.rawValue) failed for a range (\(error)); retrying one row at a time")
                    do {
                        for (key, member) in try database.staleRows(sweep, range) {
                            do { removed += try database.sweepRow(sweep, key: key) } catch {
                                summary.skipped += 1
                                summary.problem("clean-up", nil, member, "\(sweep.kind.rawValue): \(error)")
                                log.error("member \(member): clean-up of \(sweep.kind.rawValue) skipped: \(error)")
                            }
                        }
                    } catch {
                        summary.problem("clean-up", nil, nil, "\(sweep.kind.rawValue): \(error)")
                    }
                }
            }
            switch sweep.kind {
            case .aiUses: summary.cleaned.aiUses += removed
            case .sessions: summary.cleaned.sessions += removed
            case .githubDetails, .githubImports: summary.cleaned.cacheRows += removed
            }
        }
        let started = Date()
        do { summary.cleaned += try database.cleanUpShared(policy: policy) } catch {
            summary.problem("clean-up", nil, nil, "\(error)")
        }
        do { try database.checkpoint() } catch { log.warning("checkpoint after the batch: \(error)") }
        summary.seconds.parts["shared"] = Date().timeIntervalSince(started)
    }
}

public enum NightlyFunction {
    struct Input: Decodable {
        var date: CivilDate?
        var concurrency: Int?
        enum CodingKeys: String, CodingKey { case date, concurrency }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            let text = try c.text(.date, max: 10)
            if text.isEmpty { date = nil } else {
                guard let date = CivilDate(iso: text) else {
                    throw FieldError(c.path(.date), .rule(english: "must be a date written like 2026-03-31", korean: "2026-03-31처럼 날짜로 써야 합니다"))
                }
                self.date = date
            }
            concurrency = try c.decodeIfPresent(Int.self, forKey: .concurrency)
            if let n = concurrency, !(1...64).contains(n) {
                throw FieldError(c.path(.concurrency), .rule(english: "must be between 1 and 64", korean: "1에서 64 사이여야 합니다"))
            }
        }
    }

    /// The nightly batch as a scheduled function (`FunctionRunner.runScheduled`: one-shot only, never
    /// over HTTP). Input: nothing, or an event whose body is `{"date": "YYYY-MM-DD", "concurrency": N}`;
    /// without a date it works for today in Asia/Seoul by the clock at run time. The answer is the
    /// summary, with status 200 when everything went through and 500 when anything failed (the
    /// process then exits 1).
    public static let handler: ServiceHandler = { s, request, context in
        guard context.mode == .oneShot else { throw APIError.notFound("unknown_function", "There is no function called nightly.") }
        let input: Input? = request.body.isEmpty ? nil : try request.decodeBody(Input.self)
        let batch = NightlyBatch(services: s, date: input?.date ?? s.today, concurrency: input?.concurrency ?? 4, log: context.log)
        let summary = await batch.run()
        return .json(summary, status: summary.ok ? 200 : 500)
    }
}
