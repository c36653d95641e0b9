import Foundation
import GitfolioCore
import GitfolioPay
import GitfolioStore

public enum SubscriptionFunction {
    struct Start: Decodable {
        var language: Language
        enum CodingKeys: String, CodingKey { case language }
        init(from decoder: any Decoder) throws {
            language = try decoder.container(keyedBy: CodingKeys.self).language(.language)
        }
    }

    /// `DELETE` with a body: the account goes too, once KakaoPay has stopped the subscription.
    struct AccountDeletion: Decodable {
        var confirm: String
        enum CodingKeys: String, CodingKey { case deleteAccount, confirm }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            guard try c.decode(Bool.self, forKey: .deleteAccount) else {
                throw FieldError(c.path(.deleteAccount), .rule(english: "must be confirmed to delete the account", korean: "계정을 삭제하려면 확인되어야 합니다"))
            }
            confirm = try c.text(.confirm, max: 100, required: true)
        }
    }

    struct Limits: Encodable {
        var aiUsesPerDay: Int
        var fairUse: Bool
        var resumes: Int
        var repositoriesPerGeneration: Int
        var monthlyPriceKRW: Int
        init(_ limits: PlanLimits) {
            aiUsesPerDay = limits.aiUsesPerDay
            fairUse = limits.isFairUseCap
            resumes = limits.resumes
            repositoriesPerGeneration = limits.repositoriesPerGeneration
            monthlyPriceKRW = limits.monthlyPriceKRW
        }
    }

    struct SubscriptionView: Encodable {
        var status: String
        var startedOn: String
        /// PRO lasts until this day (not included).
        var paidUntil: String
        /// The day the next charge is made; nil once cancelled.
        var nextChargeDate: String?
        var amount: Int
        /// The next period's charge, when it was declined: how often, and how many nights are left to try.
        var declinedCharge: DeclinedCharge?
    }

    struct DeclinedCharge: Encodable {
        var attempts: Int
        var retriesLeft: Int
        var lastAttemptOn: String
    }

    struct PaymentView: Encodable {
        var approvedAt: String
        var amount: Int
        var periodStart: String
        var periodEnd: String
    }

    struct NoticeView: Encodable {
        var kind: String
        var day: String
    }

    struct View: Encodable {
        var plan: String
        var limits: Limits
        var proLimits: Limits
        var today: String
        var aiUsesToday: Int
        var aiUsesLeft: Int
        var paymentsConfigured: Bool
        var subscription: SubscriptionView?
        var payments: [PaymentView]
        var notices: [NoticeView]
    }

    struct Started: Encodable {
        var redirectURL: String
        var mobileRedirectURL: String?
        var expiresInSeconds: Int64
    }

    /// `GET /api/subscription`: the member's plan, its limits (from the one plan table), today's AI
    /// uses, the subscription (next charge date, or the day PRO ends once cancelled) and the payments.
    /// `POST /api/subscription` with `{"language"}`: a FREE member starts PRO; KakaoPay's `ready` is
    /// called with an order id unique to this attempt, and the answer is the address of KakaoPay's
    /// approval page. `DELETE /api/subscription`: cancels (KakaoPay stops the sid; PRO lasts until the
    /// paid period ends). `DELETE` with `{"deleteAccount": true, "confirm": "<login>"}`: cancels, then
    /// deletes the account (if KakaoPay cannot be reached, nothing is cancelled or deleted).
    public static let handler: ServiceHandler = { s, request, context in
        try request.allow("GET", "POST", "DELETE")
        if request.method != "GET" { try s.config.requireSameOrigin(request) }
        let member = try s.requireMember(request)
        switch request.method {
        case "POST": return try await start(s, member, try request.decodeBody(Start.self), log: context.log)
        case "DELETE":
            if !request.body.isEmpty {
                try MeFunction.confirmDeletion(try request.decodeBody(AccountDeletion.self).confirm, member)
                if let live = try s.database.liveSubscription(memberID: member.id) { try await Billing.cancel(s, live, log: context.log) }
                return try MeFunction.deleteAccount(s, member, request)
            }
            guard let live = try s.database.liveSubscription(memberID: member.id) else { throw BillingError.noSubscription }
            try await Billing.cancel(s, live, log: context.log)
            return .json(try view(s, member))
        default: return .json(try view(s, member))
        }
    }

    static func start(_ s: Services, _ member: Member, _ input: Start, log: Log) async throws -> FunctionResponse {
        // Nothing is written before KakaoPay accepted the attempt, and nothing at all when payments are off.
        let pay = try Billing.kakaoPay(s)
        if try s.database.liveSubscription(memberID: member.id) != nil { throw BillingError.alreadySubscribed }
        let token = Secrets.randomToken()
        let orderID = "gitfolio-m\(member.id)-" + Secrets.randomToken(bytes: 12)
        let webhook = s.config.publicURL.appending("api/pay-webhook")
        let price = Plans.limits(.pro).monthlyPriceKRW
        let ready: KakaoPay.Ready
        do {
            ready = try await pay.ready(KakaoPay.ReadyRequest(
                partnerOrderID: orderID, partnerUserID: String(member.id), itemName: Billing.itemName, totalAmount: price,
                approvalURL: "\(webhook)?result=approve&attempt=\(token)", cancelURL: "\(webhook)?result=cancel&attempt=\(token)",
                failURL: "\(webhook)?result=fail&attempt=\(token)"))
        } catch {
            log.error("member \(member.id): KakaoPay ready failed: \(error)")
            if let failure = error as? KakaoPayError, case .timedOut = failure {
                throw APIError.upstreamTimeout("payment_timeout", "KakaoPay did not answer in time; nothing was charged. Please try again.",
                                               korean: "카카오페이가 제시간에 답하지 않았습니다. 결제된 금액은 없습니다. 다시 시도해 주세요.")
            }
            throw APIError.upstream("payment_not_started", "KakaoPay could not start the payment; nothing was charged. Please try again.",
                                    korean: "카카오페이 결제를 시작하지 못했습니다. 결제된 금액은 없습니다. 다시 시도해 주세요.")
        }
        try s.database.createCheckout(tokenHash: Secrets.sha256Hex(token), memberID: member.id, partnerOrderID: orderID, tid: ready.tid,
                                      amount: price, language: input.language.rawValue, now: s.now, lifetime: Billing.checkoutLifetime)
        log.info("member \(member.id): payment started (order \(orderID), tid \(ready.tid))")
        return .json(Started(redirectURL: ready.nextRedirectPCURL, mobileRedirectURL: ready.nextRedirectMobileURL,
                             expiresInSeconds: Billing.checkoutLifetime), status: 201)
    }

    static func view(_ s: Services, _ member: Member) throws -> View {
        let today = s.today
        let billing = try s.database.billingView(memberID: member.id, today: today)
        let limits = Plans.limits(billing.plan)
        var subscription: SubscriptionView?
        if let live = billing.subscription {
            let retries = Plans.limits(.pro).failedChargeRetries
            let declined = billing.openCharge.flatMap { charge in
                charge.status == .declined
                    ? DeclinedCharge(attempts: charge.attempts, retriesLeft: max(0, retries + 1 - charge.attempts), lastAttemptOn: charge.lastAttemptOn)
                    : nil
            }
            // A declined charge is tried again at the next midnight (Asia/Seoul).
            let next = declined == nil ? live.paidUntil : max(live.paidUntil, today.adding(days: 1))
            subscription = SubscriptionView(
                status: live.status.rawValue, startedOn: SeoulCalendar.date(ofEpoch: live.startedAt).iso, paidUntil: live.paidUntil.iso,
                nextChargeDate: live.status == .active ? next.iso : nil, amount: live.amount, declinedCharge: declined)
        }
        return View(plan: billing.plan.rawValue, limits: Limits(limits), proLimits: Limits(Plans.limits(.pro)), today: today.iso,
                    aiUsesToday: billing.aiUsesToday, aiUsesLeft: max(0, limits.aiUsesPerDay - billing.aiUsesToday),
                    paymentsConfigured: s.config.kakaoPay != nil, subscription: subscription,
                    payments: billing.payments.map { PaymentView(approvedAt: $0.approvedAt, amount: $0.amount, periodStart: $0.periodStart, periodEnd: $0.periodEnd) },
                    notices: billing.notices.map { NoticeView(kind: $0.kind.rawValue, day: $0.day) })
    }
}
