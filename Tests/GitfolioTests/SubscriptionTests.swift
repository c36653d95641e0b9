import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioPay
import GitfolioStore
import GitfolioTestSupport
import Testing

/// Subscribing, KakaoPay's returns to the pay webhook, cancelling and account deletion, against the fake KakaoPay.
@Suite(.serialized) struct SubscriptionTests {
    @Test func withoutAKeySubscribingSaysPaymentsAreNotConfiguredAndChangesNothing() async throws {
        let p = try await PayHarness(configured: false)
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let response = await p.call(SubscriptionFunction.handler, browser("POST", "/api/subscription", cookie: cookie, json: "{}"))
        #expect(response.statusCode == 503 && response.errorCode == "payments_not_configured")
        #expect(response.errorKorean?.contains("결제가 설정되어 있지 않습니다") == true)
        #expect(try p.count("SELECT count(*) FROM checkout") == 0)
        #expect(try p.plan(member) == "FREE")
        #expect(await p.fake.state.calls.isEmpty)
        let view = await p.call(SubscriptionFunction.handler, browser("GET", "/api/subscription", cookie: cookie))
        #expect(view.json?["paymentsConfigured"] as? Bool == false && view.json?["plan"] as? String == "FREE")
    }

    @Test func subscribingNeedsASignedInMemberAndTheSameOrigin() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (_, cookie) = try p.h.signedInMember()
        #expect(await p.call(SubscriptionFunction.handler, browser("POST", "/api/subscription", json: "{}")).statusCode == 401)
        let crossSite = await p.call(SubscriptionFunction.handler,
                                     browser("POST", "/api/subscription", cookie: cookie, json: "{}", origin: "https://evil.example"))
        #expect(crossSite.statusCode == 403)
        let smuggled = await p.call(SubscriptionFunction.handler,
                                    browser("POST", "/api/subscription", cookie: cookie, json: #"{"memberId":2,"amount":1}"#))
        #expect(smuggled.statusCode == 400 && smuggled.errorCode == "unknown_field")
        #expect(await p.fake.state.calls.isEmpty)
    }

    /// The original service shared one tid between concurrent users. Here each attempt gets its own
    /// order id and tid, bound to its member; every approval uses its own attempt's tid.
    @Test("The payment flow shared one tid between concurrent users", .tags(.originalDefect))
    func concurrentSubscribesByTwoMembersNeverShareATid() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (alice, aliceCookie) = try p.h.signedInMember("alice")
        let (bob, bobCookie) = try p.h.signedInMember("bob")
        let redirects = try await withThrowingTaskGroup(of: (String, String).self) { group in
            for i in 0..<16 {
                let cookie = i % 2 == 0 ? aliceCookie : bobCookie
                group.addTask { (cookie, try await p.subscribe(cookie)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(redirects.count == 16)
        let checkouts = try p.database.checkouts(memberID: alice.id) + p.database.checkouts(memberID: bob.id)
        #expect(checkouts.count == 16)
        #expect(Set(checkouts.map(\.tid)).count == 16 && Set(checkouts.map(\.partnerOrderID)).count == 16)
        #expect(Set(redirects.map(\.1)).count == 16)
        // KakaoPay was told the right member for each tid.
        let readies = await p.fake.state.calls(to: "ready")
        #expect(readies.count == 16)
        for checkout in checkouts {
            let call = try #require(readies.first { $0.fields["partner_order_id"] == checkout.partnerOrderID })
            #expect(call.fields["partner_user_id"] == String(checkout.memberID))
        }
        // Each approves one of their own attempts; the approvals use exactly those attempts' tids.
        let aliceRedirect = try #require(redirects.first { $0.0 == aliceCookie }?.1)
        let bobRedirect = try #require(redirects.first { $0.0 == bobCookie }?.1)
        async let a = p.webhook(try await p.decide(aliceRedirect), cookie: aliceCookie)
        async let b = p.webhook(try await p.decide(bobRedirect), cookie: bobCookie)
        let (aliceAnswer, bobAnswer) = try await (a, b)
        #expect(aliceAnswer.statusCode == 200 && bobAnswer.statusCode == 200, "\(aliceAnswer.bodyText) \(bobAnswer.bodyText)")
        let approves = await p.fake.state.calls(to: "approve")
        #expect(approves.count == 2)
        for call in approves {
            let checkout = try #require(checkouts.first { $0.tid == call.fields["tid"] })
            #expect(call.fields["partner_user_id"] == String(checkout.memberID) && call.fields["partner_order_id"] == checkout.partnerOrderID)
        }
        let aliceSub = try #require(try p.database.liveSubscription(memberID: alice.id))
        let bobSub = try #require(try p.database.liveSubscription(memberID: bob.id))
        #expect(aliceSub.sid != bobSub.sid)
        #expect(try p.plan(alice) == "PRO" && p.plan(bob) == "PRO")
        #expect(await p.fake.state.charges.count == 2)
    }

    /// A reload, a double click and two tabs: one payment and one subscription.
    @Test func aDoubleApprovalIsOnePayment() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let approvalURL = try await p.decide(try await p.subscribe(cookie))
        // Five returns at once (a double click, several tabs of the same link).
        let answers = await withTaskGroup(of: FunctionResponse.self) { group in
            for _ in 0..<5 { group.addTask { await p.webhook(approvalURL, cookie: cookie) } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let outcomes = answers.map { $0.json?["outcome"] as? String ?? $0.errorCode ?? "?" }
        #expect(outcomes.filter { $0 == "approved" }.count == 1, "\(outcomes)")
        #expect(outcomes.allSatisfy { ["approved", "already_approved", "approval_in_progress"].contains($0) }, "\(outcomes)")
        // A reload afterwards.
        let reload = await p.webhook(approvalURL, cookie: cookie, html: true)
        #expect(reload.statusCode == 302 && reload.headers["location"] == "/me.html?pay=already_approved")
        #expect(await p.fake.state.calls(to: "approve").count == 1)
        #expect(await p.fake.state.charges.count == 1)
        #expect(try p.count("SELECT count(*) FROM payment") == 1 && p.count("SELECT count(*) FROM subscription") == 1)
        #expect(try p.plan(member) == "PRO")

        // A second tab that had started its own attempt and approved it on KakaoPay's page too: refused
        // without asking KakaoPay to approve it, so no second charge.
        let (other, otherCookie) = try p.h.signedInMember("tabs")
        let first = try await p.subscribe(otherCookie), second = try await p.subscribe(otherCookie)
        let firstURL = try await p.decide(first), secondURL = try await p.decide(second)
        #expect(await p.webhook(firstURL, cookie: otherCookie).json?["outcome"] as? String == "approved")
        let secondAnswer = await p.webhook(secondURL, cookie: otherCookie)
        #expect(secondAnswer.statusCode == 409 && secondAnswer.errorCode == "already_subscribed")
        #expect(await p.fake.state.calls(to: "approve").count == 2)
        #expect(try p.count("SELECT count(*) FROM subscription WHERE member_id = ?", [other.id]) == 1)
        #expect(await p.fake.state.charges.count == 2)
    }

    /// The original service trusted a member id from the query string. Here the attempt must be the
    /// signed-in member's: another member's approval URL is refused and nothing changes.
    @Test("The payment flow trusted a member id from the query string: another member's approval URL", .tags(.originalDefect))
    func anotherMembersApprovalURLIsRefusedAndChangesNothing() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (alice, aliceCookie) = try p.h.signedInMember("alice")
        let (bob, bobCookie) = try p.h.signedInMember("bob")
        let aliceURL = try await p.decide(try await p.subscribe(aliceCookie))
        let asBob = await p.webhook(aliceURL, cookie: bobCookie)
        #expect(asBob.statusCode == 403 && asBob.errorCode == "not_your_payment")
        #expect(asBob.errorKorean?.contains("다른 계정") == true)
        let asBobInABrowser = await p.webhook(aliceURL, cookie: bobCookie, html: true)
        #expect(asBobInABrowser.statusCode == 302 && asBobInABrowser.headers["location"] == "/me.html?pay=not_your_payment")
        let signedOut = await p.webhook(aliceURL, cookie: nil)
        #expect(signedOut.statusCode == 401)
        #expect(await p.fake.state.calls(to: "approve").isEmpty)
        #expect(try p.database.checkouts(memberID: alice.id).map(\.status) == [.ready])
        #expect(try p.plan(alice) == "FREE" && p.plan(bob) == "FREE")
        #expect(try p.count("SELECT count(*) FROM subscription") == 0)
        // Alice's own return still works.
        #expect(await p.webhook(aliceURL, cookie: aliceCookie).json?["outcome"] as? String == "approved")
        #expect(try p.plan(alice) == "PRO" && p.plan(bob) == "FREE")
    }

    @Test func forgedAndExpiredAttemptsAreRefusedAndChangeNothing() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let start = Date()
        let url = try await p.decide(try await p.subscribe(cookie, at: start))
        let pgToken = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "pg_token" }?.value)
        for forged in ["?result=approve&attempt=\(Secrets.randomToken())&pg_token=\(pgToken)",
                       "?result=approve&attempt=short&pg_token=\(pgToken)", "?result=steal&attempt=\(Secrets.randomToken())", ""] {
            let answer = await p.webhook("http://127.0.0.1:8080/api/pay-webhook" + forged, cookie: cookie)
            #expect(answer.statusCode == 404 && answer.errorCode == "unknown_payment", "\(forged): \(answer.bodyText)")
        }
        // A pg_token that is not one is refused before KakaoPay is asked.
        let badToken = await p.webhook(url.replacingOccurrences(of: "pg_token=", with: "pg_token=%3Cscript%3E"), cookie: cookie)
        #expect(badToken.statusCode == 400 && badToken.errorCode == "invalid_pg_token")
        // Sixteen minutes later the attempt has expired (KakaoPay's tid lives fifteen).
        let late = await p.webhook(url, cookie: cookie, html: true, at: start.addingTimeInterval(16 * 60))
        #expect(late.statusCode == 302 && late.headers["location"] == "/me.html?pay=payment_expired")
        #expect(await p.fake.state.calls(to: "approve").isEmpty)
        #expect(try p.database.checkouts(memberID: member.id).map(\.status) == [.ready] && p.plan(member) == "FREE")
    }

    /// A pg_token KakaoPay refuses (-708) changes nothing and says so; the member can still complete it.
    @Test func aRefusedPgTokenChangesNothing() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let url = try await p.decide(try await p.subscribe(cookie, language: "en"))
        let pgToken = try #require(URLComponents(string: url)?.queryItems?.first { $0.name == "pg_token" }?.value)
        let wrong = url.replacingOccurrences(of: pgToken, with: "WRONGTOKEN123")
        let refused = await p.webhook(wrong, cookie: cookie)
        #expect(refused.statusCode == 402 && refused.errorCode == "payment_refused")
        #expect(refused.errorMessage?.contains("-708") == true && refused.errorMessage?.contains("nothing was charged") == true)
        let inABrowser = await p.webhook(wrong, cookie: cookie, html: true)
        #expect(inABrowser.headers["location"] == "/en/me.html?pay=payment_refused")
        #expect(try p.database.checkouts(memberID: member.id).map(\.status) == [.ready])
        #expect(try p.plan(member) == "FREE" && p.count("SELECT count(*) FROM payment") == 0)
        #expect(await p.fake.state.charges.isEmpty)
        let approved = await p.webhook(url, cookie: cookie, html: true)
        #expect(approved.headers["location"] == "/en/me.html?pay=approved")
        #expect(try p.plan(member) == "PRO")
    }

    @Test func cancelAndFailReturnsEndTheAttempt() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let redirect = try await p.subscribe(cookie)
        let cancelURL = try await p.decide(redirect, "cancel")
        #expect(cancelURL.contains("result=cancel"))
        let cancelled = await p.webhook(cancelURL, cookie: cookie, html: true)
        #expect(cancelled.headers["location"] == "/me.html?pay=cancelled")
        #expect(try p.database.checkouts(memberID: member.id).map(\.status) == [.cancelled])
        // The approval link of a cancelled attempt is refused without asking KakaoPay.
        let again = await p.webhook(cancelURL.replacingOccurrences(of: "result=cancel", with: "result=approve") + "&pg_token=abc", cookie: cookie)
        #expect(again.statusCode == 409 && again.errorCode == "payment_cancelled")
        let failURL = try await p.decide(try await p.subscribe(cookie), "fail")
        #expect(await p.webhook(failURL, cookie: cookie).json?["outcome"] as? String == "failed")
        #expect(try p.database.checkouts(memberID: member.id).map(\.status) == [.cancelled, .failed])
        #expect(await p.fake.state.calls(to: "approve").isEmpty)
        #expect(try p.plan(member) == "FREE")
    }

    /// KakaoPay unreachable during the approval: nothing is recorded and a reload completes it.
    @Test func kakaoPayDownDuringTheApprovalChangesNothingAndAReloadCompletesIt() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let url = try await p.decide(try await p.subscribe(cookie))
        await p.fake.state.failNext("approve")
        let down = await p.webhook(url, cookie: cookie)
        #expect(down.statusCode == 502 && down.errorCode == "kakaopay_unavailable")
        #expect(try p.database.checkouts(memberID: member.id).map(\.status) == [.ready] && p.plan(member) == "FREE")
        #expect(await p.webhook(url, cookie: cookie).json?["outcome"] as? String == "approved")
        #expect(await p.fake.state.charges.count == 1)
    }

    /// KakaoPay approved, but its answer never arrived: the order lookup finds the payment it made
    /// and records it. One charge.
    @Test func aLostApprovalAnswerIsRecoveredFromTheOrder() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let h = try Harness(extra: fake.environment)
        defer { h.dir.remove() }
        var services = h.services
        services.transport = LosingTransport(paths: ["/online/v1/payment/approve"])
        let (member, cookie) = try h.signedInMember()
        let p = PayHarnessView(fake: fake, services: services)
        let url = try await p.approveOnPage(try await p.subscribe(cookie))
        let answer = await p.webhook(url, cookie)
        #expect(answer.json?["outcome"] as? String == "approved", "\(answer.bodyText)")
        #expect(await fake.state.calls(to: "order").count == 1)
        let subscription = try #require(try h.database.liveSubscription(memberID: member.id))
        let payments = try h.database.payments(subscriptionID: subscription.id)
        let charged = await fake.state.charges.first?.aid
        #expect(payments.count == 1 && payments[0].aid == charged)
        #expect(await fake.state.charges.count == 1)
    }

    /// The approval's answer and the order lookup both lost: the claim stays (nothing is recorded, nothing
    /// released), a reload within its lease is told to wait, and one after it asks KakaoPay again, which
    /// says "already approved" (-702); the order then tells what was paid. Still one charge.
    @Test func anApprovalWhoseOutcomeIsUnknownIsSettledLaterWithoutASecondCharge() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let h = try Harness(extra: fake.environment)
        defer { h.dir.remove() }
        var services = h.services
        services.transport = LosingTransport(paths: ["/online/v1/payment/approve", "/online/v1/payment/order"])
        let (member, cookie) = try h.signedInMember()
        let p = PayHarnessView(fake: fake, services: services)
        let url = try await p.approveOnPage(try await p.subscribe(cookie))
        let unknown = await p.webhook(url, cookie)
        #expect(unknown.statusCode == 503 && unknown.errorCode == "payment_pending" && unknown.headers["retry-after"] == "120")
        #expect(try h.database.checkouts(memberID: member.id).map(\.status) == [.approving])
        let soon = await p.webhook(url, cookie)
        #expect(soon.statusCode == 409 && soon.errorCode == "approval_in_progress")
        var later = services
        later.clock = FixedClock(Date().addingTimeInterval(Double(3 * 60)))
        let settled = await PayHarnessView(fake: fake, services: later).webhook(url, cookie)
        #expect(settled.json?["outcome"] as? String == "approved", "\(settled.bodyText)")
        #expect(await fake.state.calls(to: "approve").map(\.errorCode) == [nil, -702])
        #expect(await fake.state.charges.count == 1)
        #expect(try h.database.liveSubscription(memberID: member.id) != nil)
    }

    @Test func cancellingKeepsProUntilThePaidPeriodEnds() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let subscription = try await p.subscribeAndApprove(member, cookie)
        let before = await p.call(SubscriptionFunction.handler, browser("GET", "/api/subscription", cookie: cookie))
        let view = try #require(before.json?["subscription"] as? [String: Any])
        #expect(view["nextChargeDate"] as? String == subscription.paidUntil.iso && view["status"] as? String == "ACTIVE")
        #expect((before.json?["payments"] as? [Any])?.count == 1)

        // KakaoPay down: nothing changes.
        await p.fake.state.failNext("manage/subscription/inactive")
        let down = await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie))
        #expect(down.statusCode == 502 && down.errorCode == "cancel_failed")
        #expect(try p.database.liveSubscription(memberID: member.id)?.status == .active)

        let cancel = await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie))
        #expect(cancel.statusCode == 200, "\(cancel.bodyText)")
        let after = try #require(cancel.json?["subscription"] as? [String: Any])
        #expect(after["status"] as? String == "CANCELLED" && after["nextChargeDate"] == nil && after["paidUntil"] as? String == subscription.paidUntil.iso)
        #expect(await p.fake.state.isActive(sid: subscription.sid) == false)
        #expect(try p.plan(member) == "PRO")
        // Cancelling twice is harmless; KakaoPay is not asked again.
        #expect(await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie)).statusCode == 200)
        #expect(await p.fake.state.calls(to: "manage/subscription/inactive").count == 2)  // the failed one and the real one
        // A cross-site cancel is refused.
        let forged = await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie, origin: "https://evil.example"))
        #expect(forged.statusCode == 403)
    }

    /// No charge may follow a deleted account. `me` (which makes no outbound calls) refuses to delete an
    /// account whose subscription is active; `subscription` deletes it after KakaoPay stopped the sid.
    @Test func deletingAnAccountCancelsTheSubscriptionFirst() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember("carol")
        let subscription = try await p.subscribeAndApprove(member, cookie)
        let viaMe = await p.call(MeFunction.handler, browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"carol"}"#))
        #expect(viaMe.statusCode == 409 && viaMe.errorCode == "subscription_active")
        #expect(try p.database.memberCount() == 1)
        let delete = { (body: String) in
            await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: cookie, json: body))
        }
        #expect(await delete(#"{"deleteAccount":true,"confirm":"someone"}"#).errorCode == "confirmation_required")
        #expect(await delete(#"{"deleteAccount":false,"confirm":"carol"}"#).errorField == "deleteAccount")
        #expect(await p.fake.state.isActive(sid: subscription.sid) == true)
        // KakaoPay unreachable: the account is not deleted (a deleted member must never be charged).
        await p.fake.state.failNext("manage/subscription/inactive")
        let refused = await delete(#"{"deleteAccount":true,"confirm":"carol"}"#)
        #expect(refused.statusCode == 502 && refused.errorCode == "cancel_failed")
        #expect(try p.database.memberCount() == 1 && p.database.liveSubscription(memberID: member.id)?.status == .active)
        let deleted = await delete(#"{"deleteAccount":true,"confirm":"carol"}"#)
        #expect(deleted.statusCode == 200 && deleted.json?["deleted"] as? Bool == true, "\(deleted.bodyText)")
        #expect(deleted.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        #expect(await p.fake.state.isActive(sid: subscription.sid) == false)
        #expect(try p.database.memberCount() == 0)
        #expect(try p.count("SELECT count(*) FROM subscription") == 0 && p.count("SELECT count(*) FROM payment") == 0)

        // A cancelled subscription has nothing left to stop: `me` deletes that account itself.
        let (dan, danCookie) = try p.h.signedInMember("dan")
        try await p.subscribeAndApprove(dan, danCookie)
        #expect(await p.call(SubscriptionFunction.handler, browser("DELETE", "/api/subscription", cookie: danCookie)).statusCode == 200)
        let viaMeAfterCancel = await p.call(MeFunction.handler, browser("DELETE", "/api/me", cookie: danCookie, json: #"{"confirm":"dan"}"#))
        #expect(try viaMeAfterCancel.statusCode == 200 && p.database.memberCount() == 0)
    }

    /// The subscription starts on the Asia/Seoul day of the approval and lasts until the same day next
    /// month, or that month's last day.
    @Test(arguments: [
        ("2027-01-30T15:30:00Z", "2027-01-31", "2027-02-28"),  // 00:30 on Jan 31 in Seoul (still Jan 30 in UTC)
        ("2028-01-31T05:00:00Z", "2028-01-31", "2028-02-29"),  // a leap year
        ("2028-02-28T15:00:00Z", "2028-02-29", "2028-03-29"),  // midnight on Feb 29 in Seoul
        ("2026-03-31T14:59:59Z", "2026-03-31", "2026-04-30"),  // 23:59:59 on Mar 31 in Seoul
        ("2026-03-31T15:00:00Z", "2026-04-01", "2026-05-01"),  // a second later: Apr 1
    ])
    func thePaidPeriodFollowsTheSeoulCalendar(instant: String, started: String, paidUntil: String) async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.signedInMember(at: .at(instant))
        let subscription = try await p.subscribeAndApprove(member, cookie, at: .at(instant))
        #expect(subscription.paidUntil.iso == paidUntil && subscription.anchorDay == Int(started.suffix(2)))
        let payment = try #require(try p.database.payments(subscriptionID: subscription.id).first)
        #expect(payment.periodStart == started && payment.periodEnd == paidUntil && payment.amount == 19_900)
    }

    /// PRO's fair-use cap replaces FREE's three a day, charged through the same atomic path.
    @Test func proGetsTheFairUseCap() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let (member, cookie) = try p.h.signedInMember()
        let now = Date()
        for _ in 0..<3 { _ = try p.database.chargeAIUse(memberID: member.id, kind: .revise, now: now) }
        #expect(throws: StoreError.aiQuotaExceeded(limit: 3, fairUse: false)) {
            try p.database.chargeAIUse(memberID: member.id, kind: .revise, now: now)
        }
        let free = await p.call(SubscriptionFunction.handler, browser("GET", "/api/subscription", cookie: cookie))
        #expect(free.json?["aiUsesLeft"] as? Int == 0 && (free.json?["limits"] as? [String: Any])?["aiUsesPerDay"] as? Int == 3)
        try await p.subscribeAndApprove(member, cookie)
        let cap = Plans.limits(.pro).aiUsesPerDay
        for _ in 3..<cap { _ = try p.database.chargeAIUse(memberID: member.id, kind: .generate, now: now) }
        #expect(throws: StoreError.aiQuotaExceeded(limit: cap, fairUse: true)) {
            try p.database.chargeAIUse(memberID: member.id, kind: .generate, now: now)
        }
        let pro = await p.call(SubscriptionFunction.handler, browser("GET", "/api/subscription", cookie: cookie))
        #expect(pro.json?["plan"] as? String == "PRO" && pro.json?["aiUsesToday"] as? Int == cap && pro.json?["aiUsesLeft"] as? Int == 0)
        #expect((pro.json?["limits"] as? [String: Any])?["fairUse"] as? Bool == true)
    }
}

/// A transport that loses KakaoPay's answer to each of some paths once: the request reaches KakaoPay,
/// the answer never comes back.
final class LosingTransport: HTTPTransport, @unchecked Sendable {
    let real = URLSessionTransport()
    private let lock = NSLock()
    private var paths: Set<String>
    init(paths: Set<String>) { self.paths = paths }
    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let response = try await real.send(request)
        let lose = lock.withLock { () -> Bool in paths.remove(request.url.path) != nil }
        if lose { throw URLError(.networkConnectionLost) }
        return response
    }
}

/// The payment steps with services of the test's own making.
struct PayHarnessView {
    let fake: FakeKakaoPay
    let services: Services
    func call(_ handler: @escaping ServiceHandler, _ request: FunctionRequest) async -> FunctionResponse {
        let services = self.services
        return await FunctionRunner.respond(.success(request), context: FunctionContext(name: "test", mode: .oneShot)) { r, c in
            try await handler(services, r, c)
        }
    }
    func subscribe(_ cookie: String) async throws -> String {
        let response = await call(SubscriptionFunction.handler, browser("POST", "/api/subscription", cookie: cookie, json: "{}"))
        return try #require(response.json?["redirectURL"] as? String, "\(response.bodyText)")
    }
    func approveOnPage(_ redirect: String) async throws -> String {
        let answer = try await TestHTTP().send("POST", URL(string: redirect.replacingOccurrences(of: "/info", with: "/approve"))!)
        return try #require(answer.header("location"))
    }
    func webhook(_ url: String, _ cookie: String) async -> FunctionResponse {
        let c = URLComponents(string: url)!
        return await call(PayWebhookFunction.handler, FunctionRequest(method: "GET", path: c.path, query: c.percentEncodedQuery ?? "",
                                                                      headers: ["cookie": cookie, "host": "127.0.0.1:8080"]))
    }
}
