import Foundation
import GitfolioCore

/// KakaoPay's recurring payments (`https://open-api.kakaopay.com/online/v1/payment/`), through the
/// `HTTPTransport` seam: `ready` and `approve` for the first payment (the member approves on
/// KakaoPay's page in between), `subscription` for each later month, `manage/subscription/inactive`
/// and `manage/subscription/status`, and `order` to learn what became of a `tid` whose approval
/// answer was lost.
///
/// Every answer is decoded into a Decodable type in one place. An error body
/// (`{"error_code", "error_message", "extras"}` with a 4xx) is a `KakaoPayError.refused`: KakaoPay
/// did nothing. Anything else that is not a readable success (no connection, a timeout, a 5xx, an
/// answer that does not decode) is `KakaoPayError.outcomeUnknown`: KakaoPay may have acted, and the
/// caller must find out before asking again. The secret key goes into the `Authorization` header and
/// nowhere else; text KakaoPay sends back is redacted before it is kept in an error.
public struct KakaoPay: Sendable {
    public let settings: Config.KakaoPaySettings
    public let transport: any HTTPTransport

    public init(settings: Config.KakaoPaySettings, transport: any HTTPTransport) {
        self.settings = settings
        self.transport = transport
    }

    public var cid: String { settings.cid }

    // MARK: The five calls of a subscription, and the order lookup

    /// `ready`: prepares the first payment; the member approves it on `nextRedirectPCURL`.
    public func ready(_ request: ReadyRequest) async throws(KakaoPayError) -> Ready {
        let answer: Ready = try await call("ready", [
            "cid": .string(cid), "partner_order_id": .string(request.partnerOrderID), "partner_user_id": .string(request.partnerUserID),
            "item_name": .string(request.itemName), "quantity": .int(Int64(request.quantity)),
            "total_amount": .int(Int64(request.totalAmount)), "tax_free_amount": .int(Int64(request.taxFreeAmount)),
            "approval_url": .string(request.approvalURL), "cancel_url": .string(request.cancelURL), "fail_url": .string(request.failURL),
        ])
        // The browser is sent to these addresses: only http(s) ones are passed on.
        guard !answer.tid.isEmpty, answer.tid.count <= 50, Self.isWebAddress(answer.nextRedirectPCURL),
              answer.nextRedirectMobileURL.map(Self.isWebAddress) ?? true
        else { throw .outcomeUnknown("ready: the answer has no usable tid or redirect URL") }
        return answer
    }

    /// `approve`: completes the first payment with the `pg_token` KakaoPay gave the browser; the
    /// answer carries the `sid` of the later monthly charges.
    public func approve(tid: String, partnerOrderID: String, partnerUserID: String, pgToken: String) async throws(KakaoPayError) -> Approval {
        let answer: Approval = try await call("approve", [
            "cid": .string(cid), "tid": .string(tid), "partner_order_id": .string(partnerOrderID),
            "partner_user_id": .string(partnerUserID), "pg_token": .string(pgToken),
        ])
        guard answer.sid?.isEmpty == false else { throw .outcomeUnknown("approve: the answer carries no sid") }
        return answer
    }

    /// `subscription`: one monthly charge on a `sid`.
    public func charge(sid: String, partnerOrderID: String, partnerUserID: String, itemName: String, amount: Int) async throws(KakaoPayError) -> Approval {
        try await call("subscription", [
            "cid": .string(cid), "sid": .string(sid), "partner_order_id": .string(partnerOrderID),
            "partner_user_id": .string(partnerUserID), "item_name": .string(itemName), "quantity": 1,
            "total_amount": .int(Int64(amount)), "tax_free_amount": 0,
        ])
    }

    /// `manage/subscription/inactive`: no further charges can be made on the `sid`.
    public func inactivate(sid: String) async throws(KakaoPayError) -> SubscriptionStatus {
        try await call("manage/subscription/inactive", ["cid": .string(cid), "sid": .string(sid)])
    }

    /// `manage/subscription/status`: whether the `sid` is active and when it was last charged.
    public func status(sid: String) async throws(KakaoPayError) -> SubscriptionStatus {
        try await call("manage/subscription/status", ["cid": .string(cid), "sid": .string(sid)])
    }

    /// `order`: what became of a payment (`tid`), for an approval whose answer was lost.
    public func order(tid: String) async throws(KakaoPayError) -> Order {
        try await call("order", ["cid": .string(cid), "tid": .string(tid)])
    }

    // MARK: The one request path

    func call<T: Decodable>(_ path: String, _ body: [String: JSONValue]) async throws(KakaoPayError) -> T {
        guard let url = URL(string: settings.apiURL.appending("online/v1/payment/" + path)) else {
            throw .outcomeUnknown("\(path): KAKAOPAY_API_URL does not make a valid address")
        }
        let request = OutboundRequest(method: "POST", url: url, headers: [
            "Authorization": "SECRET_KEY \(settings.secretKey)", "Content-Type": "application/json", "Accept": "application/json",
        ], body: Data(JSONValue.object(body).serialized.utf8))
        let response: OutboundResponse
        do {
            response = try await transport.send(request)
        } catch {
            if isTimeout(error) { throw .timedOut("\(path): no answer in time") }
            throw .outcomeUnknown("\(path): no answer (\(redact(String(describing: error).prefix(200))))")
        }
        if (200..<300).contains(response.status) {
            do {
                return try JSONValue.decode(T.self, from: Array(response.body))
            } catch {
                throw .outcomeUnknown("\(path): HTTP \(response.status) with an answer that could not be read")
            }
        }
        if (400..<500).contains(response.status), let error = try? JSONValue.decode(ErrorBody.self, from: Array(response.body)) {
            throw .refused(KakaoPayRefusal(status: response.status, code: error.code, message: redact(error.message ?? ""),
                                   methodResultCode: error.extras?.methodResultCode.map(redact),
                                   methodResultMessage: error.extras?.methodResultMessage.map(redact)))
        }
        throw .outcomeUnknown("\(path): HTTP \(response.status) without KakaoPay's error body")
    }

    /// Text from elsewhere with any occurrence of the secret key blanked out.
    public func redact<S: StringProtocol>(_ text: S) -> String {
        let string = String(text)
        guard !settings.secretKey.isEmpty else { return string }
        return string.replacingOccurrences(of: settings.secretKey, with: "<redacted>")
    }

    static func isWebAddress(_ text: String) -> Bool {
        guard let address = WebAddress(text) else { return false }
        return address.scheme == "https" || address.scheme == "http"
    }
}

// MARK: - Wire types

extension KakaoPay {
    /// What `ready` needs besides the CID.
    public struct ReadyRequest: Sendable, Equatable {
        public var partnerOrderID: String
        public var partnerUserID: String
        public var itemName: String
        public var quantity: Int
        public var totalAmount: Int
        public var taxFreeAmount: Int
        public var approvalURL: String
        public var cancelURL: String
        public var failURL: String

        public init(partnerOrderID: String, partnerUserID: String, itemName: String, quantity: Int = 1, totalAmount: Int,
                    taxFreeAmount: Int = 0, approvalURL: String, cancelURL: String, failURL: String) {
            self.partnerOrderID = partnerOrderID
            self.partnerUserID = partnerUserID
            self.itemName = itemName
            self.quantity = quantity
            self.totalAmount = totalAmount
            self.taxFreeAmount = taxFreeAmount
            self.approvalURL = approvalURL
            self.cancelURL = cancelURL
            self.failURL = failURL
        }
    }

    public struct Ready: Sendable, Equatable, Decodable {
        public var tid: String
        public var nextRedirectPCURL: String
        public var nextRedirectMobileURL: String?
        public var nextRedirectAppURL: String?
        public var createdAt: String?
        enum CodingKeys: String, CodingKey {
            case tid
            case nextRedirectPCURL = "next_redirect_pc_url", nextRedirectMobileURL = "next_redirect_mobile_url"
            case nextRedirectAppURL = "next_redirect_app_url", createdAt = "created_at"
        }
    }

    public struct Amount: Sendable, Equatable, Decodable {
        public var total: Int
        public var taxFree: Int?
        public var vat: Int?
        public var point: Int?
        public var discount: Int?
        enum CodingKeys: String, CodingKey { case total, taxFree = "tax_free", vat, point, discount }
    }

    /// The answer of `approve` and of `subscription`: one payment made.
    public struct Approval: Sendable, Equatable, Decodable {
        public var aid: String
        public var tid: String
        public var cid: String
        public var sid: String?
        public var partnerOrderID: String
        public var partnerUserID: String
        public var paymentMethodType: String?
        public var amount: Amount
        public var itemName: String?
        public var approvedAt: String
        enum CodingKeys: String, CodingKey {
            case aid, tid, cid, sid, amount
            case partnerOrderID = "partner_order_id", partnerUserID = "partner_user_id"
            case paymentMethodType = "payment_method_type", itemName = "item_name", approvedAt = "approved_at"
        }
    }

    /// The answer of `manage/subscription/status` and `manage/subscription/inactive`.
    public struct SubscriptionStatus: Sendable, Equatable, Decodable {
        public var available: Bool?
        public var cid: String
        public var sid: String
        /// `ACTIVE` or `INACTIVE`.
        public var status: String
        public var itemName: String?
        public var createdAt: String?
        public var lastApprovedAt: String?
        public var inactivatedAt: String?
        enum CodingKeys: String, CodingKey {
            case available, cid, sid, status
            case itemName = "item_name", createdAt = "created_at", lastApprovedAt = "last_approved_at", inactivatedAt = "inactivated_at"
        }
        public var isActive: Bool { status == "ACTIVE" }
    }

    /// The answer of `order`.
    public struct Order: Sendable, Equatable, Decodable {
        public struct Action: Sendable, Equatable, Decodable {
            public var aid: String
            public var approvedAt: String?
            public var amount: Int?
            /// `PAYMENT`, `CANCEL` or `ISSUED_SID`.
            public var paymentActionType: String
            enum CodingKeys: String, CodingKey {
                case aid, amount
                case approvedAt = "approved_at", paymentActionType = "payment_action_type"
            }
        }
        public var tid: String
        public var cid: String
        /// `READY`, …, `SUCCESS_PAYMENT`, `FAIL_PAYMENT`, `QUIT_PAYMENT`, `CANCEL_PAYMENT`, …
        public var status: String
        public var partnerOrderID: String
        public var partnerUserID: String
        public var sid: String?
        public var amount: Amount?
        public var approvedAt: String?
        public var paymentActionDetails: [Action]?
        enum CodingKeys: String, CodingKey {
            case tid, cid, status, sid, amount
            case partnerOrderID = "partner_order_id", partnerUserID = "partner_user_id", approvedAt = "approved_at"
            case paymentActionDetails = "payment_action_details"
        }

        /// The payment this order made, as an `Approval`, when it succeeded and names its `sid`.
        public var approval: Approval? {
            guard status == "SUCCESS_PAYMENT", let sid, !sid.isEmpty, let amount,
                  let action = paymentActionDetails?.first(where: { $0.paymentActionType == "PAYMENT" }) else { return nil }
            return Approval(aid: action.aid, tid: tid, cid: cid, sid: sid, partnerOrderID: partnerOrderID, partnerUserID: partnerUserID,
                            paymentMethodType: nil, amount: amount, itemName: nil, approvedAt: action.approvedAt ?? approvedAt ?? "")
        }
    }

    struct ErrorBody: Decodable {
        struct Extras: Decodable {
            var methodResultCode: String?
            var methodResultMessage: String?
            enum CodingKeys: String, CodingKey { case methodResultCode = "method_result_code", methodResultMessage = "method_result_message" }
        }
        var code: Int
        var message: String?
        var extras: Extras?
        enum CodingKeys: String, CodingKey { case code = "error_code", message = "error_message", extras }
    }
}

// MARK: - Errors

/// KakaoPay's refusal, from its error body.
public struct KakaoPayRefusal: Sendable, Equatable {
    public var status: Int
    public var code: Int
    public var message: String
    public var methodResultCode: String?
    public var methodResultMessage: String?

    public init(status: Int, code: Int, message: String, methodResultCode: String? = nil, methodResultMessage: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.methodResultCode = methodResultCode
        self.methodResultMessage = methodResultMessage
    }

    // The codes Gitfolio acts on (KakaoPay's documented error codes).
    public static let alreadyApproved = -702
    public static let orderIDMismatch = -706
    public static let userIDMismatch = -707
    public static let invalidPGToken = -708
    public static let unknownSID = -750
    public static let inactiveSID = -751
    public static let approvalFailure = -780
    public static let duplicateRequest = -785
}

public enum KakaoPayError: Error, Sendable, Equatable, CustomStringConvertible {
    /// KakaoPay answered with its error body: it refused, and did nothing.
    case refused(KakaoPayRefusal)
    /// No readable answer: KakaoPay may or may not have acted.
    case outcomeUnknown(String)
    /// No answer within the timeout: as `outcomeUnknown`, KakaoPay may or may not have acted.
    case timedOut(String)

    public var refusal: KakaoPayRefusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }

    public func isRefusal(_ code: Int) -> Bool { refusal?.code == code }

    /// For the operator's log: never the key (the client redacted KakaoPay's own text too).
    public var description: String {
        switch self {
        case .refused(let r):
            "KakaoPay refused (HTTP \(r.status), \(r.code) \(r.message.prefix(200)))"
                + (r.methodResultCode.map { ", method result \($0)" } ?? "") + (r.methodResultMessage.map { " \($0.prefix(200))" } ?? "")
        case .outcomeUnknown(let detail): "KakaoPay gave no usable answer: \(detail)"
        case .timedOut(let detail): "KakaoPay did not answer in time: \(detail)"
        }
    }
}

extension KakaoPayError: ResponseError {
    /// What a member is told when nothing more specific applies.
    public var apiError: APIError {
        var error: APIError
        switch self {
        case .refused:
            error = APIError(status: 402, code: "payment_refused", message: "KakaoPay refused the payment; nothing was charged.",
                             korean: "카카오페이가 결제를 거절했습니다. 결제된 금액은 없습니다.")
        case .outcomeUnknown:
            error = .upstream("kakaopay_unavailable", "KakaoPay could not be reached. Please try again in a moment.",
                              korean: "카카오페이에 연결할 수 없습니다. 잠시 후 다시 시도해 주세요.")
        case .timedOut:
            error = .upstreamTimeout("kakaopay_timeout", "KakaoPay did not answer in time. Please try again in a moment.",
                                     korean: "카카오페이가 제시간에 답하지 않았습니다. 잠시 후 다시 시도해 주세요.")
        }
        error.detail = description
        return error
    }
}
