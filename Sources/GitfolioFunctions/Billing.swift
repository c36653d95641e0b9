import Foundation
import GitfolioCore
import GitfolioPay
import GitfolioStore

/// What subscribing, the pay webhook, cancelling, account deletion and the nightly batch share.
public enum Billing {
    /// The name KakaoPay shows the member.
    static let itemName = "Gitfolio PRO"
    /// How long a member has to approve on KakaoPay's page (a `tid` is good for 15 minutes).
    static let checkoutLifetime: Int64 = 15 * 60
    /// How long one process owns an approval (KakaoPay's answer comes well within it); after that, a
    /// reload or the nightly batch finds out what became of it.
    static let approvalLease: Int64 = 120

    static let notConfigured = APIError.unavailable(
        "payments_not_configured", "Payments are not configured on this server; nothing was changed.",
        korean: "이 서버에는 결제가 설정되어 있지 않습니다. 아무것도 바뀌지 않았습니다.")

    static func kakaoPay(_ s: Services) throws -> KakaoPay {
        guard let pay = s.kakaoPay else { throw notConfigured }
        return pay
    }

    /// Stops future charges: KakaoPay makes the sid inactive first, then the subscription is marked
    /// cancelled (PRO lasts until its paid period ends). A sid KakaoPay already stopped, or does not
    /// know, has nothing left to stop. If KakaoPay cannot be reached, nothing changes here.
    static func cancel(_ s: Services, _ subscription: Subscription, log: Log) async throws {
        guard subscription.status == .active else { return }
        let pay = try kakaoPay(s)
        do {
            _ = try await pay.inactivate(sid: subscription.sid)
        } catch let error where error.isRefusal(KakaoPayRefusal.inactiveSID) || error.isRefusal(KakaoPayRefusal.unknownSID) {
            log.warning("subscription \(subscription.id): KakaoPay had already stopped its sid (\(error))")
        } catch {
            log.error("subscription \(subscription.id): cancelling failed: \(error)")
            throw APIError.upstream("cancel_failed", "KakaoPay could not stop the subscription right now; nothing was changed. Please try again.",
                                    korean: "지금은 카카오페이에서 구독을 해지할 수 없습니다. 아무것도 바뀌지 않았습니다. 다시 시도해 주세요.")
        }
        try s.database.markCancelled(subscriptionID: subscription.id, now: s.now)
        log.info("member \(subscription.memberID): subscription \(subscription.id) cancelled; PRO until \(subscription.paidUntil)")
    }

    /// A payment KakaoPay made, as the store keeps it.
    static func payment(_ approval: KakaoPay.Approval, sid: String) -> ApprovedPayment {
        ApprovedPayment(sid: sid, aid: approval.aid, tid: approval.tid, amount: approval.amount.total, vat: approval.amount.vat,
                        approvedAt: approval.approvedAt)
    }

    /// Records an approved first payment; the approval answer must be the checkout's. The subscription
    /// starts on `startDay` (today in Asia/Seoul, when the member is here).
    static func record(_ s: Services, _ checkout: Checkout, _ approval: KakaoPay.Approval, startDay: CivilDate? = nil,
                       log: Log) throws -> Subscription {
        guard let sid = approval.sid, approval.tid == checkout.tid else {
            throw APIError.internal("KakaoPay's approval of checkout \(checkout.id) names another tid or no sid")
        }
        if approval.amount.total != checkout.amount {
            log.error("checkout \(checkout.id): KakaoPay approved \(approval.amount.total) KRW, expected \(checkout.amount)")
        }
        return try s.database.recordApproval(checkoutID: checkout.id, memberID: checkout.memberID, payment: payment(approval, sid: sid),
                                             itemName: itemName, today: startDay ?? s.today, now: s.now)
    }
}

extension Services {
    /// KakaoPay, when a secret key is configured (nil: payments are off).
    public var kakaoPay: KakaoPay? { config.kakaoPay.map { KakaoPay(settings: $0, transport: transport) } }
}
