import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioPay
import GitfolioStore
import GitfolioTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The nightly batch against the fake KakaoPay: charges, retries, expiry, Asia/Seoul dates, bad rows,
/// clean-up, and runs killed with SIGKILL at several points then run again.
@Suite(.serialized) struct NightlyTests {
    static let log = Log(label: "nightly-test", minimum: .error)

    func nightly(_ p: PayHarness, at instant: Date, date: CivilDate? = nil) async -> NightlyBatch.Summary {
        let services = p.services(at: instant)
        return await NightlyBatch(services: services, date: date ?? services.today, log: Self.log).run()
    }

    /// A member who subscribed at `instant`.
    func subscriber(_ p: PayHarness, _ login: String, at instant: Date) async throws -> (Member, Subscription) {
        let (member, cookie) = try p.signedInMember(login, at: instant)
        return (member, try await p.subscribeAndApprove(member, cookie, at: instant))
    }

    func subscriptionCharges(_ p: PayHarness, _ sid: String) async -> [FakeKakaoPay.Charge] {
        await p.fake.state.charges(sid: sid).filter { $0.kind == "subscription" }
    }

    /// Jan 31 → Feb 28 → Mar 31 → Apr 30, and in a leap year Jan 31 → Feb 29 → Mar 31: a month without
    /// the day ends on its last day, and the next returns to the day the subscription started.
    @Test(arguments: [
        ("2027-01-31T10:00:00+09:00", ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]),
        ("2028-01-31T10:00:00+09:00", ["2028-02-29", "2028-03-31", "2028-04-30", "2028-05-31"]),
        ("2028-02-29T23:30:00+09:00", ["2028-03-29", "2028-04-29", "2028-05-29", "2028-06-29"]),
    ])
    func chargesFollowTheDayTheSubscriptionStarted(started: String, dueDates: [String]) async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (_, subscription) = try await subscriber(p, "alice", at: .at(started))
        #expect(subscription.paidUntil.iso == dueDates[0])
        for (i, due) in dueDates.dropLast().enumerated() {
            let summary = await nightly(p, at: .at("\(due)T00:00:05+09:00"))
            #expect(summary.charged == 1 && summary.ok, "\(summary)")
            let now = try #require(try p.database.subscription(id: subscription.id))
            #expect(now.paidUntil.iso == dueDates[i + 1] && now.period == i + 2)
        }
        let payments = try p.database.payments(subscriptionID: subscription.id)
        #expect(payments.map(\.periodEnd) == dueDates)
        #expect(payments.dropFirst().map(\.partnerOrderID) == (2...4).map { "gitfolio-sub\(subscription.id)-p\($0)" })
        #expect(await subscriptionCharges(p, subscription.sid).count == 3)
    }

    /// The run's date is the Asia/Seoul date of the clock when it runs: at 23:59 KST the subscription due
    /// the next day is not charged; at 00:00 and 00:01 it is.
    @Test("No time zone was set: the nightly batch around midnight in Seoul", .tags(.originalDefect),
          arguments: [("2026-02-28T23:59:00+09:00", 0), ("2026-03-01T00:00:00+09:00", 1), ("2026-03-01T00:01:00+09:00", 1),
                      ("2026-02-28T14:59:59Z", 0), ("2026-02-28T15:00:00Z", 1)])
    func theBatchAroundMidnightInSeoul(instant: String, charged: Int) async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (_, subscription) = try await subscriber(p, "alice", at: .at("2026-02-01T12:00:00+09:00"))
        #expect(subscription.paidUntil.iso == "2026-03-01")
        let summary = await nightly(p, at: .at(instant))
        #expect(summary.charged == charged && summary.ok)
        #expect(summary.date == (charged == 1 ? "2026-03-01" : "2026-02-28"))
        #expect(await subscriptionCharges(p, subscription.sid).count == charged)
    }

    /// One process, runs at 23:59, 00:00 and 00:01: the date is read when each run starts, never once at
    /// start-up, and the second run of the night charges nothing more.
    @Test("The batch date was frozen at start-up: the nightly batch", .tags(.originalDefect))
    func theDateComesFromTheClockAtEachRun() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (_, subscription) = try await subscriber(p, "alice", at: .at("2026-02-01T12:00:00+09:00"))
        let clock = MovingClock(.at("2026-02-28T23:59:00+09:00"))
        var services = p.h.services
        services.clock = clock
        func run() async -> [String: Any] {
            let services = services
            let response = await FunctionRunner.respond(.success(FunctionRequest(method: "POST", path: "/nightly")),
                                                        context: FunctionContext(name: "nightly", mode: .oneShot)) { r, c in
                try await NightlyFunction.handler(services, r, c)
            }
            return response.json ?? [:]
        }
        #expect(await run()["date"] as? String == "2026-02-28")
        clock.set(.at("2026-03-01T00:00:00+09:00"))
        let midnight = await run()
        #expect(midnight["date"] as? String == "2026-03-01" && midnight["charged"] as? Int == 1)
        clock.set(.at("2026-03-01T00:01:00+09:00"))
        #expect(await run()["charged"] as? Int == 0)
        #expect(await subscriptionCharges(p, subscription.sid).count == 1)
        // In warm mode (a server's pool) the batch never runs.
        let warm = await FunctionRunner.respond(.success(FunctionRequest(method: "POST", path: "/nightly")),
                                                context: FunctionContext(name: "nightly", mode: .warm)) { [services] r, c in
            try await NightlyFunction.handler(services, r, c)
        }
        #expect(warm.statusCode == 404)
    }

    /// The original service extended a subscription whose charge failed. Here a declined charge leaves
    /// the period as it was, is tried once a night as the plan table says, then PRO ends and the member is told.
    @Test("A failed monthly charge still extended the subscription", .tags(.originalDefect))
    func aFailedMonthlyChargeIsNotExtendedAndIsRetriedThenEnds() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, subscription) = try await subscriber(p, "alice", at: .at("2026-03-10T09:00:00+09:00"))
        await p.fake.state.decline(subscription.sid)
        let retries = Plans.limits(.pro).failedChargeRetries
        #expect(retries == 3)
        for night in 0...retries {
            let day = CivilDate(iso: "2026-04-10")!.adding(days: night)
            let summary = await nightly(p, at: .at("\(day.iso)T00:00:10+09:00"))
            #expect(summary.charged == 0 && summary.failed == 1 && !summary.ok)
            #expect(summary.errors.first?.message.contains("-780") == true)
            // A second run the same night does not try again.
            let again = await nightly(p, at: .at("\(day.iso)T00:30:00+09:00"))
            #expect(again.failed == 0 && again.charged == 0)
            let now = try #require(try p.database.subscription(id: subscription.id))
            #expect(now.paidUntil.iso == "2026-04-10" && now.period == 1)  // not extended
            if night < retries {
                #expect(try now.status == .active && p.plan(member) == "PRO")
                #expect(try p.database.charge(subscriptionID: subscription.id, period: 2)?.attempts == night + 1)
            } else {
                #expect(now.status == .ended && now.endReason == "UNPAID" && summary.expired == 1)
                #expect(try p.plan(member) == "FREE")
            }
        }
        #expect(try p.count("SELECT count(*) FROM payment WHERE subscription_id = ?", [subscription.id]) == 1)
        #expect(await p.fake.state.calls(to: "subscription").count == retries + 1)
        #expect(await subscriptionCharges(p, subscription.sid).isEmpty)
        let kinds = try p.database.database.read { try $0.rows("SELECT kind FROM billing_notice ORDER BY day").map { $0.text("kind") } }
        #expect(kinds == ["CHARGE_DECLINED", "CHARGE_DECLINED", "CHARGE_DECLINED", "ENDED_UNPAID"])
        // Nothing more happens on later nights.
        #expect(await nightly(p, at: .at("2026-04-20T00:00:10+09:00")).failed == 0)
        #expect(await p.fake.state.calls(to: "subscription").count == retries + 1)
    }

    /// A charge that fails once and succeeds the next night pays the month from the due date, not from the retry.
    @Test func aRetryThatSucceedsPaysFromTheDueDate() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.signedInMember("alice", at: .at("2026-03-10T09:00:00+09:00"))
        let subscription = try await p.subscribeAndApprove(member, cookie, at: .at("2026-03-10T09:00:00+09:00"))
        await p.fake.state.decline(subscription.sid)
        #expect(await nightly(p, at: .at("2026-04-10T00:00:10+09:00")).failed == 1)
        let (_, laterCookie) = try p.signedInMember("alice", at: .at("2026-04-10T12:00:00+09:00"))  // the first session has expired
        let view = await p.call(SubscriptionFunction.handler, browser("GET", "/api/subscription", cookie: laterCookie), at: .at("2026-04-10T12:00:00+09:00"))
        let declined = try #require((view.json?["subscription"] as? [String: Any])?["declinedCharge"] as? [String: Any])
        #expect(declined["attempts"] as? Int == 1 && declined["retriesLeft"] as? Int == 3)
        #expect((view.json?["subscription"] as? [String: Any])?["nextChargeDate"] as? String == "2026-04-11")
        #expect((view.json?["notices"] as? [[String: Any]])?.first?["kind"] as? String == "CHARGE_DECLINED")
        await p.fake.state.acceptAgain(subscription.sid)
        let summary = await nightly(p, at: .at("2026-04-11T00:00:10+09:00"))
        #expect(summary.charged == 1 && summary.ok)
        let now = try #require(try p.database.subscription(id: subscription.id))
        #expect(now.paidUntil.iso == "2026-05-10" && now.period == 2)
        #expect(try p.database.payments(subscriptionID: subscription.id).last?.periodStart == "2026-04-10")
    }

    @Test func cancelledSubscriptionsEndWithTheirPaidPeriod() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.signedInMember("alice", at: .at("2026-03-10T09:00:00+09:00"))
        let subscription = try await p.subscribeAndApprove(member, cookie, at: .at("2026-03-10T09:00:00+09:00"))
        let cancel = await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie),
                                  at: .at("2026-03-20T09:00:00+09:00"))
        #expect(cancel.statusCode == 200)
        let before = await nightly(p, at: .at("2026-04-09T00:00:10+09:00"))
        #expect(try before.expired == 0 && p.plan(member) == "PRO")
        let after = await nightly(p, at: .at("2026-04-10T00:00:10+09:00"))
        #expect(after.expired == 1 && after.charged == 0 && after.ok)
        #expect(try p.plan(member) == "FREE" && p.database.liveSubscription(memberID: member.id) == nil)
        #expect(try p.database.subscription(id: subscription.id)?.endReason == "CANCELLED")
        #expect(await p.fake.state.calls(to: "subscription").isEmpty)
        // FREE again: three AI uses a day.
        #expect(throws: Never.self) {
            for _ in 0..<3 { _ = try p.database.chargeAIUse(memberID: member.id, kind: .revise, now: .at("2026-04-10T09:00:00+09:00")) }
        }
        #expect(throws: StoreError.aiQuotaExceeded(limit: 3, fairUse: false)) {
            try p.database.chargeAIUse(memberID: member.id, kind: .revise, now: .at("2026-04-10T09:00:00+09:00"))
        }
    }

    /// One member's row that makes processing fail is reported and skipped; the others are processed.
    @Test("One member with missing data crashed the quota reset for everyone: the nightly batch", .tags(.originalDefect))
    func aBadRowIsSkippedAndReportedWhileTheOthersAreProcessed() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let start = Date.at("2026-02-01T12:00:00+09:00")
        var subs: [Subscription] = []
        var members: [Member] = []
        for login in ["ann", "ben", "cho"] {
            let (member, subscription) = try await subscriber(p, login, at: start)
            members.append(member)
            subs.append(subscription)
        }
        // Ben's paid_until is not a date; Cho's old AI uses cannot be deleted.
        try p.database.database.write { db in
            try db.execute("UPDATE subscription SET paid_until = '2026-02-30' WHERE id = ?", [subs[1].id])
            for member in members {
                try db.execute("INSERT INTO ai_use (member_id, day, kind, created_at) VALUES (?, '2026-02-28', 'REVISE', 0)", [member.id])
            }
            try db.execute("CREATE TRIGGER stuck BEFORE DELETE ON ai_use WHEN old.member_id = \(members[2].id) BEGIN SELECT RAISE(ABORT, 'stuck row'); END")
        }
        let summary = await nightly(p, at: .at("2026-03-01T00:00:05+09:00"))
        #expect(summary.charged == 2 && summary.skipped == 2 && !summary.ok, "\(summary)")
        #expect(summary.errors.contains { $0.subscription == subs[1].id && $0.message.contains("2026-02-30") })
        #expect(summary.errors.contains { $0.member == members[2].id && $0.message.contains("stuck row") })
        #expect(try p.database.subscription(id: subs[0].id)?.paidUntil.iso == "2026-04-01")
        #expect(try p.database.subscription(id: subs[2].id)?.paidUntil.iso == "2026-04-01")
        #expect(await subscriptionCharges(p, subs[1].sid).isEmpty)
        #expect(try p.count("SELECT count(*) FROM ai_use") == 1)  // only Cho's stuck row is left
        #expect(summary.cleaned.aiUses == 2)
    }

    @Test func quotasAreRestoredAndStaleStateRemoved() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let now = Date.at("2026-03-01T00:00:05+09:00")
        let t = Int64(now.timeIntervalSince1970)
        let (member, _) = try p.signedInMember("alice", at: now)
        try p.database.database.write { db in
            for (day, n) in [("2026-02-27", 2), ("2026-02-28", 3), ("2026-03-01", 1)] {
                for _ in 0..<n { try db.execute("INSERT INTO ai_use (member_id, day, kind, created_at) VALUES (?, ?, 'GENERATE', 0)", [member.id, day]) }
            }
            try db.execute("INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES (?, ?, ?, ?)",
                           [String(repeating: "a", count: 64), member.id, t - 100, t - 1])
            try db.execute("INSERT INTO oauth_state (state_hash, scope, return_to, expires_at) VALUES (?, '', '/', ?)", [String(repeating: "b", count: 64), t - 1])
            try db.execute("INSERT INTO oauth_state (state_hash, scope, return_to, expires_at) VALUES (?, '', '/', ?)", [String(repeating: "c", count: 64), t + 500])
            try db.execute("INSERT INTO github_details (member_id, repository, body, fetched_at) VALUES (?, 'a/old', '{}', ?)", [member.id, t - 7200])
            try db.execute("INSERT INTO github_details (member_id, repository, body, fetched_at) VALUES (?, 'a/new', '{}', ?)", [member.id, t - 60])
            try db.execute("INSERT INTO github_import (member_id, body, fetched_at) VALUES (?, x'7b7d', ?)", [member.id, t - 40 * 86_400])
            try db.execute("""
                INSERT INTO checkout (token_hash, member_id, partner_order_id, tid, amount, language, status, created_at, expires_at, updated_at)
                VALUES (?, ?, 'o-old', 'T-old', 19900, 'ko', 'CANCELLED', ?, ?, ?)
                """, [String(repeating: "d", count: 64), member.id, t - 3 * 86_400, t - 3 * 86_400 + 900, t])
        }
        let summary = await nightly(p, at: now)
        #expect(summary.ok, "\(summary)")
        #expect(summary.cleaned.aiUses == 5 && summary.cleaned.sessions == 1 && summary.cleaned.oauthStates == 1)
        #expect(summary.cleaned.cacheRows == 2 && summary.cleaned.checkouts == 1)
        #expect(try p.database.aiUses(memberID: member.id, on: "2026-03-01") == 1)  // today's are kept
        #expect(try p.count("SELECT count(*) FROM session") == 1)  // the live one
        #expect(try p.count("SELECT count(*) FROM github_details") == 1 && p.count("SELECT count(*) FROM oauth_state") == 1)
        // Running again removes nothing more.
        #expect(await nightly(p, at: now).cleaned == AppDatabase.CleanUpCounts())
    }

    /// A first payment whose approval answer and order lookup were both lost is found and recorded by the batch.
    @Test func theBatchCompletesAnInterruptedApproval() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        var services = p.h.services
        services.transport = LosingTransport(paths: ["/online/v1/payment/approve", "/online/v1/payment/order"])
        let view = PayHarnessView(fake: p.fake, services: services)
        let url = try await view.approveOnPage(try await view.subscribe(cookie))
        #expect(await view.webhook(url, cookie).errorCode == "payment_pending")
        #expect(try p.database.liveSubscription(memberID: member.id) == nil)
        let early = await nightly(p, at: Date())
        #expect(early.approvalsCompleted == 0)  // the approval's lease has not run out
        let summary = await nightly(p, at: Date().addingTimeInterval(300))
        #expect(summary.approvalsCompleted == 1 && summary.ok, "\(summary)")
        #expect(try p.database.liveSubscription(memberID: member.id) != nil && p.plan(member) == "PRO")
        #expect(await p.fake.state.charges.count == 1)
        #expect(await view.webhook(url, cookie).json?["outcome"] as? String == "already_approved")
    }

    /// A charge KakaoPay made whose answer was lost: the next run asks KakaoPay (status), records it, and
    /// does not charge again; if the status cannot tell (KakaoPay's clock gave both payments the same
    /// second), the repeated request is refused as a duplicate (-785) and recorded just the same.
    @Test(arguments: [false, true])
    func aChargeWhoseAnswerWasLostIsRecordedNotRepeated(sameSecond: Bool) async throws {
        let fixed = Date()
        let clock: (@Sendable () -> Date)? = sameSecond ? { @Sendable in fixed } : nil
        let p = try await PayHarness(kakaoPayClock: clock)
        defer { Task { await p.stop() } }
        let (_, subscription) = try await subscriber(p, "alice", at: .at("2026-02-01T12:00:00+09:00"))
        var services = p.services(at: .at("2026-03-01T00:00:05+09:00"))
        services.transport = LosingTransport(paths: ["/online/v1/payment/subscription"])
        let lost = await NightlyBatch(services: services, date: services.today, log: Self.log).run()
        #expect(lost.failed == 1 && lost.charged == 0 && !lost.ok)
        #expect(try p.database.charge(subscriptionID: subscription.id, period: 2)?.status == .pending)
        let rerun = await nightly(p, at: .at("2026-03-01T00:10:00+09:00"))
        #expect(rerun.charged == 1 && rerun.recovered == 1 && rerun.ok, "\(rerun)")
        #expect(await subscriptionCharges(p, subscription.sid).count == 1)
        #expect(await p.fake.state.calls(to: "subscription").map(\.errorCode) == (sameSecond ? [nil, -785] : [nil]))
        let payment = try #require(try p.database.payments(subscriptionID: subscription.id).last)
        let approvedAt = await subscriptionCharges(p, subscription.sid).first?.approvedAt
        #expect(payment.period == 2 && payment.aid == nil && payment.approvedAt == approvedAt)
    }

    // MARK: Killed and run again

    /// Subscribers due tonight, and the environment of a batch process against the fake.
    func killSetup(_ p: PayHarness, members: Int) async throws -> (subs: [Subscription], date: String, env: [String: String]) {
        var subs: [Subscription] = []
        let now = Date()
        for i in 0..<members { subs.append(try await subscriber(p, "m\(i)", at: now).1) }
        let date = subs[0].paidUntil.iso
        var env = p.h.environment.merging(p.fake.environment) { $1 }
        env["PATH"] = "/usr/bin:/bin"
        env["GITFOLIO_LOG_LEVEL"] = "debug"
        return (subs, date, env)
    }

    /// Exactly one monthly charge per due subscription on KakaoPay's side, each recorded once here.
    func expectExactlyOneChargeEach(_ p: PayHarness, _ subs: [Subscription], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        for subscription in subs {
            let charges = await subscriptionCharges(p, subscription.sid)
            #expect(charges.count == 1, "\(subscription.sid): \(charges.count) charges", sourceLocation: sourceLocation)
            let now = try #require(try p.database.subscription(id: subscription.id), sourceLocation: sourceLocation)
            #expect(now.period == 2 && now.paidUntil == subscription.periodEnd(startingOn: subscription.paidUntil), sourceLocation: sourceLocation)
            #expect(try p.database.payments(subscriptionID: subscription.id).count == 2, sourceLocation: sourceLocation)
        }
        #expect(try p.count("SELECT count(*) FROM charge WHERE status <> 'PAID'") == 0, sourceLocation: sourceLocation)
    }

    func rerun(_ env: [String: String], _ date: String) async throws -> [String: Any] {
        let run = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["nightly", "--date", date], environment: env, input: Data())
        #expect(run.status == 0, "\(run.out)\n\(run.err)")
        #expect(!run.err.contains(FakeKakaoPay.testSecretKey) && !run.out.contains(FakeKakaoPay.testSecretKey))
        return try #require(try JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
    }

    /// Killed while KakaoPay is asked for the third charge, before it charged.
    @Test func killedBeforeTheChargeThenRerunChargesEachOnce() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (subs, date, env) = try await killSetup(p, members: 8)
        await p.fake.state.holdSubscription(call: 3, stage: .beforeCharging)
        let batch = try BatchProcess(Built.executable("gitfolio"), ["nightly", "--date", date], env)
        try await until { await p.fake.state.isHolding }
        batch.kill9()
        await p.fake.state.releaseHold()
        #expect(try await batch.exitSignal() == SIGKILL)
        #expect(try p.count("SELECT count(*) FROM charge WHERE status = 'PENDING'") >= 1)
        let summary = try await rerun(env, date)
        #expect(summary["ok"] as? Bool == true, "\(summary)")
        try await expectExactlyOneChargeEach(p, subs)
    }

    /// Killed after KakaoPay answered a charge and before that charge was committed here (the test holds
    /// the database's write lock, so the batch waits to commit, and is killed there).
    @Test func killedAfterKakaoPayAnsweredAndBeforeTheCommitThenRerunChargesEachOnce() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (subs, date, env) = try await killSetup(p, members: 8)
        await p.fake.state.holdSubscription(call: 3, stage: .afterCharging)
        let batch = try BatchProcess(Built.executable("gitfolio"), ["nightly", "--date", date], env)
        try await until { await p.fake.state.isHolding }
        let lock = try await WriteLock.take(p.h.environment["GITFOLIO_DB"]!)
        let mark = batch.log.count
        await p.fake.state.releaseHold()
        // The batch has KakaoPay's answer for the third charge and cannot commit it.
        let charged = try await batch.awaitLine(#"subscription (\d+): KakaoPay charged period 2"#, after: mark)
        batch.kill9()
        #expect(try await batch.exitSignal() == SIGKILL)
        try lock.release()
        _ = try #require(Int64(charged))
        // At least one charge KakaoPay took is still PENDING here (the line read above may belong to a
        // concurrent worker that committed just before the lock was taken, so look at them all).
        var takenButPending = 0
        for sub in subs where try p.database.charge(subscriptionID: sub.id, period: 2)?.status == .pending {
            if await subscriptionCharges(p, sub.sid).count == 1 { takenButPending += 1 }
        }
        #expect(takenButPending >= 1)
        let summary = try await rerun(env, date)
        #expect(summary["ok"] as? Bool == true && (summary["recovered"] as? Int ?? 0) >= 1, "\(summary)")
        try await expectExactlyOneChargeEach(p, subs)
    }

    /// Killed at arbitrary moments, several times in a row (charging, recording, cleaning up), then run to the end.
    @Test func killedAtRandomMomentsThenRerunChargesEachOnce() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (subs, date, env) = try await killSetup(p, members: 24)
        await p.fake.state.setLatency(.milliseconds(15))
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<6 {
            let batch = try BatchProcess(Built.executable("gitfolio"), ["nightly", "--date", date], env)
            try await Task.sleep(for: .milliseconds(Int.random(in: 20...250, using: &generator)))
            batch.kill9()
            _ = try await batch.exitSignal()
        }
        await p.fake.state.setLatency(.zero)
        let summary = try await rerun(env, date)
        #expect(summary["ok"] as? Bool == true, "\(summary)")
        try await expectExactlyOneChargeEach(p, subs)
        // And once more: nothing left to do.
        let again = try await rerun(env, date)
        #expect(again["charged"] as? Int == 0 && again["failed"] as? Int == 0)
        try await expectExactlyOneChargeEach(p, subs)
    }

    /// The scheduled function as a process: nothing on stdin is a run for today; a payload with a date
    /// works for that date; the exit status says whether anything failed; a server's modes never run it.
    @Test func theNightlyExecutableSummarisesAndExitsNonZeroOnFailures() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (subs, date, env) = try await killSetup(p, members: 2)
        let empty = try await runProcessAsync(Built.executable("nightly"), environment: env, input: Data())
        #expect(empty.status == 0, "\(empty.err)")
        let today = try FunctionResponse.parse(event: Array(empty.stdout))
        #expect(today.statusCode == 200 && today.json?["date"] as? String == SeoulCalendar.date(of: Date()).iso)
        #expect(today.json?["charged"] as? Int == 0)

        await p.fake.state.decline(subs[1].sid)
        let input = event(FunctionRequest(method: "POST", path: "/nightly", headers: ["content-type": "application/json"],
                                          body: #"{"date":"\#(date)"}"#))
        let run = try await runProcessAsync(Built.executable("nightly"), environment: env, input: input)
        #expect(run.status == 1)
        let summary = try FunctionResponse.parse(event: Array(run.stdout))
        #expect(summary.statusCode == 500 && summary.json?["charged"] as? Int == 1 && summary.json?["failed"] as? Int == 1)
        #expect(summary.json?["ok"] as? Bool == false && (summary.json?["errors"] as? [Any])?.count == 1)
        #expect(run.err.contains("-780"))  // the failure is logged…
        for key in [FakeKakaoPay.testSecretKey] { #expect(!run.err.contains(key) && !run.out.contains(key)) }  // …without the key

        let bad = try await runProcessAsync(Built.executable("nightly"), environment: env,
                                            input: event(FunctionRequest(method: "POST", path: "/nightly", headers: ["content-type": "application/json"],
                                                                         body: #"{"date":"2026-02-30"}"#)))
        #expect(bad.status == 1 && (try? FunctionResponse.parse(event: Array(bad.stdout)))?.errorField == "date")
        var cgi = env
        cgi["GATEWAY_INTERFACE"] = "CGI/1.1"
        cgi["REQUEST_METHOD"] = "GET"
        let viaCGI = try await runProcessAsync(Built.executable("nightly"), environment: cgi, input: Data())
        #expect(viaCGI.status == 2 && viaCGI.out.hasPrefix("Status: 404"))
        let warm = try await runProcessAsync(Built.executable("nightly"), arguments: ["--warm"], environment: env,
                                             input: event(FunctionRequest(method: "POST", path: "/nightly")) + Data("\n".utf8))
        #expect(warm.status == 2 && warm.out.contains("unknown_function"))
        #expect(await p.fake.state.calls(to: "subscription").count == 2)
    }
}

/// A clock a test moves.
final class MovingClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var date: Date
    init(_ date: Date) { self.date = date }
    func set(_ date: Date) { lock.withLock { self.date = date } }
    func now() -> Date { lock.withLock { date } }
}

/// Waits (off the cooperative pool's threads) until `condition` holds.
func until(timeout: Duration = .seconds(20), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    throw ProcessError(message: "timed out waiting")
}

/// A batch process the test can kill: its output (stdout and stderr) collected as it comes.
final class BatchProcess: @unchecked Sendable {
    let process = Process()
    private let pipe = ChildProcesses.pipe()
    private let lock = NSLock()
    private var text = ""

    init(_ executable: URL, _ arguments: [String], _ environment: [String: String]) throws {
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.withLock { self.text += String(decoding: data, as: UTF8.self) }
        }
        try process.runAlone()
    }

    var log: String { lock.withLock { text } }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        #expect(!log.contains(FakeKakaoPay.testSecretKey))  // what it logged (at debug level) until then
    }

    /// The signal that ended the process (0 if it exited).
    func exitSignal() async throws -> Int32 {
        let process = self.process
        return try await offPool {
            process.waitUntilExit()
            return process.terminationReason == .uncaughtSignal ? process.terminationStatus : 0
        }
    }

    /// Waits for a line matching `pattern` in the output after `offset` characters; its first group.
    func awaitLine(_ pattern: String, after offset: Int, timeout: Duration = .seconds(20)) async throws -> String {
        let regex = try NSRegularExpression(pattern: pattern)
        var found: String?
        try await until(timeout: timeout) {
            let all = log
            let tail = String(all.dropFirst(offset))
            if let m = regex.firstMatch(in: tail, range: NSRange(tail.startIndex..., in: tail)), let r = Range(m.range(at: 1), in: tail) {
                found = String(tail[r])
                return true
            }
            return false
        }
        return found!
    }
}

/// The database's write lock, held by the test (`BEGIN IMMEDIATE` on a connection of its own).
final class WriteLock: @unchecked Sendable {
    let file: SQLiteFile
    private init(_ file: SQLiteFile) { self.file = file }

    /// Waits (off the cooperative pool: the batch may be writing at this moment) until it has the lock.
    static func take(_ path: String) async throws -> WriteLock {
        try await offPool {
            let file = try SQLiteFile(path)
            try file.exec("PRAGMA busy_timeout = 5000")
            try file.exec("BEGIN IMMEDIATE")
            return WriteLock(file)
        }
    }

    func release() throws {
        try file.exec("ROLLBACK")
        file.close()
    }
}
