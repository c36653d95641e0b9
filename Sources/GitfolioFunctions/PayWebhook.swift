import Foundation
import GitfolioCore
import GitfolioPay
import GitfolioStore

public enum PayWebhookFunction {
    enum Outcome: String { case approved, alreadyApproved = "already_approved", cancelled, failed }

    /// `GET /api/pay-webhook?result=approve|cancel|fail&attempt=…[&pg_token=…]`: KakaoPay sends the
    /// member's browser back here (it has no server-to-server webhook). The attempt is found by its
    /// token, and must be the signed-in member's; its `tid` comes from the store, never from the URL.
    /// On approval KakaoPay's `approve` is called with that `tid` and the `pg_token`; the payment,
    /// the subscription and PRO are recorded in one transaction. A reload, a double click or a second
    /// tab finds the approval taken or done and changes nothing; another member's link, an unknown or
    /// expired attempt and a `pg_token` KakaoPay refuses change nothing and say so. Browsers are sent
    /// to My page with `?pay=<outcome or error code>`; other clients get JSON.
    public static let handler: ServiceHandler = { s, request, context in
        try request.allow("GET")
        let browser = request.header("accept")?.contains("text/html") == true
        do {
            let (outcome, language) = try await handle(s, request, log: context.log)
            if browser { return .redirect(to: page(language, outcome.rawValue)) }
            return .json(["outcome": .string(outcome.rawValue)] as JSONValue)
        } catch let error as any ResponseError {
            guard browser else { throw error }
            let answer = error.apiError
            if answer.status >= 500 { context.log.error("pay webhook: \(error)") }
            // The code goes into the URL percent-encoded: nothing a client sent reaches the header.
            return .redirect(to: page(language(of: request, s), answer.code))
        }
    }

    static func page(_ language: String, _ code: String) -> String {
        (language == "en" ? "/en" : "") + "/me.html?pay=" + PercentEncoding.encode(code)
    }

    /// The language of the attempt named in the URL, for pages about a failure (Korean by default).
    static func language(of request: FunctionRequest, _ s: Services) -> String {
        guard let token = attemptToken(request), let checkout = try? s.database.checkout(tokenHash: Secrets.sha256Hex(token)) else { return "ko" }
        return checkout.language
    }

    /// The attempt token of the URL: 43 characters of base64url. (Should KakaoPay append its
    /// `pg_token` with a second `?`, it is split off here.)
    static func attemptToken(_ request: FunctionRequest) -> String? {
        guard var token = request.query("attempt") else { return nil }
        if let mark = token.firstIndex(of: "?") { token = String(token[..<mark]) }
        return SessionCookie.isWellFormed(token) ? token : nil
    }

    static func pgToken(_ request: FunctionRequest) -> String? {
        var token = request.query("pg_token")
        if token == nil, let attempt = request.query("attempt"), let range = attempt.range(of: "?pg_token=") {
            token = String(attempt[range.upperBound...])
        }
        guard let token, (1...100).contains(token.utf8.count),
              token.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F })
        else { return nil }
        return token
    }

    static func handle(_ s: Services, _ request: FunctionRequest, log: Log) async throws -> (Outcome, String) {
        guard let result = request.query("result"), ["approve", "cancel", "fail"].contains(result), let token = attemptToken(request) else {
            throw BillingError.unknownCheckout
        }
        let member = try s.requireMember(request)
        let hash = Secrets.sha256Hex(token)
        switch result {
        case "cancel", "fail":
            let checkout = try s.database.endCheckout(tokenHash: hash, memberID: member.id, as: result == "cancel" ? .cancelled : .failed, now: s.now)
            let outcome: Outcome = checkout.status == .approved ? .alreadyApproved : checkout.status == .failed ? .failed : .cancelled
            return (outcome, checkout.language)
        default:
            guard let pgToken = pgToken(request) else {
                throw APIError.badRequest("invalid_pg_token", "KakaoPay's answer carried no valid payment token; nothing was charged.",
                                          korean: "카카오페이 응답에 올바른 결제 토큰이 없습니다. 결제된 금액은 없습니다.")
            }
            let pay = try Billing.kakaoPay(s)
            switch try s.database.claimApproval(tokenHash: hash, memberID: member.id, now: s.now, lease: Billing.approvalLease) {
            case .alreadyApproved:
                return (.alreadyApproved, try s.database.checkout(tokenHash: hash)?.language ?? "ko")
            case .claimed(let checkout):
                try await approve(s, pay, checkout, pgToken: pgToken, log: log)
                return (.approved, checkout.language)
            }
        }
    }

    /// Asks KakaoPay to approve the claimed checkout and records the result. KakaoPay's refusal gives
    /// the claim back (nothing changed; the member may try again). When KakaoPay may have approved it
    /// (no answer, or "already approved" because an earlier answer was lost), the order lookup says
    /// what happened: a payment made is recorded, one not made gives the claim back, and if even that
    /// cannot be learnt the claim stays, so that a reload after its lease or the nightly batch asks again.
    static func approve(_ s: Services, _ pay: KakaoPay, _ checkout: Checkout, pgToken: String, log: Log) async throws {
        var approval: KakaoPay.Approval
        do {
            approval = try await pay.approve(tid: checkout.tid, partnerOrderID: checkout.partnerOrderID,
                                             partnerUserID: String(checkout.memberID), pgToken: pgToken)
        } catch let error where error.refusal != nil && !error.isRefusal(KakaoPayRefusal.alreadyApproved) {
            try s.database.releaseApproval(checkoutID: checkout.id, now: s.now)
            log.warning("checkout \(checkout.id): approval refused: \(error)")
            throw APIError(status: 402, code: "payment_refused",
                           message: "KakaoPay did not approve this payment (\(error.refusal!.code)); nothing was charged. You can start again from My page.",
                           korean: "카카오페이가 이 결제를 승인하지 않았습니다(\(error.refusal!.code)). 결제된 금액은 없습니다. 내 페이지에서 다시 시작할 수 있습니다.")
        } catch {
            log.warning("checkout \(checkout.id): \(error); looking the order up")
            switch await lookUp(pay, checkout, log: log) {
            case .made(let made):
                approval = made
            case .notMade:
                try s.database.releaseApproval(checkoutID: checkout.id, now: s.now)
                throw APIError.upstream("kakaopay_unavailable", "KakaoPay could not be reached; nothing was charged or recorded. Reload this page to try again.",
                                        korean: "카카오페이에 연결할 수 없어 결제도 기록도 되지 않았습니다. 새로고침해서 다시 시도해 주세요.")
            case .unknown:
                throw pending
            }
        }
        do {
            let subscription = try Billing.record(s, checkout, approval, log: log)
            log.info("member \(checkout.memberID): PRO until \(subscription.paidUntil) (subscription \(subscription.id), aid \(approval.aid))")
        } catch {
            // KakaoPay took the money: the claim stays, so a reload after the lease or the nightly batch records it.
            log.error("checkout \(checkout.id): KakaoPay approved (aid \(approval.aid)) but recording failed: \(error)")
            throw pending
        }
    }

    static let pending = APIError.unavailable(
        "payment_pending", "We could not yet confirm your payment with KakaoPay. Reload this page in a few minutes; you will not be charged twice.",
        korean: "카카오페이에서 결제를 아직 확인하지 못했습니다. 몇 분 뒤에 새로고침해 주세요. 두 번 결제되지 않습니다.", retryAfter: Int(Billing.approvalLease))

    enum Lookup { case made(KakaoPay.Approval), notMade, unknown }

    /// What KakaoPay's order lookup says became of a checkout's payment.
    static func lookUp(_ pay: KakaoPay, _ checkout: Checkout, log: Log) async -> Lookup {
        do {
            let order = try await pay.order(tid: checkout.tid)
            if let approval = order.approval { return .made(approval) }
            if order.status == "SUCCESS_PAYMENT" {
                log.error("checkout \(checkout.id): KakaoPay approved tid \(checkout.tid) but its order names no sid")
                return .unknown
            }
            return .notMade
        } catch {
            log.warning("checkout \(checkout.id): order lookup: \(error)")
            return error.refusal != nil ? .notMade : .unknown
        }
    }
}
