import HTTPServer
import Foundation
import GitfolioCore

/// A local stand-in for KakaoPay's online payment API that speaks its documented wire format:
/// `POST /online/v1/payment/{ready, approve, subscription, order, manage/subscription/inactive,
/// manage/subscription/status}` with `Authorization: SECRET_KEY {key}` and JSON bodies; errors as
/// 4xx with `{"error_code", "error_message", "extras"}` and KakaoPay's codes (-702 already approved,
/// -706 / -707 order or user id mismatch, -708 bad pg_token, -750 unknown sid, -751 inactive sid,
/// -780 approval failure, -785 duplicate request). Its own approval page (`next_redirect_pc_url`)
/// sends the browser to the approval URL with a `pg_token`, or to the cancel or fail URL.
///
/// It records every call and every payment it made, so tests count charges on KakaoPay's side. A
/// second `subscription` with a `partner_order_id` that already paid is refused with -785 (KakaoPay
/// refuses duplicate requests; the fake takes the order id as what makes a request a duplicate).
/// Test support only: never shipped.
public final class FakeKakaoPay: Sendable {
    /// The key every test configures: recognisable, so that the suite can check no log line holds it.
    public static let testSecretKey = "DEVKEY-gitfolio-kakaopay-test-7c1f9a2e"

    public struct Call: Sendable {
        public var path: String
        /// The request's fields (strings and numbers as text); never the Authorization header.
        public var fields: [String: String]
        public var status: Int
        public var errorCode: Int?
    }

    /// Money taken: one per successful `approve` or `subscription`.
    public struct Charge: Sendable, Equatable {
        public var kind: String
        public var sid: String
        public var tid: String
        public var aid: String
        public var partnerOrderID: String
        public var partnerUserID: String
        public var amount: Int
        public var approvedAt: String
    }

    public enum HoldStage: Sendable { case beforeCharging, afterCharging }

    public actor State {
        struct Payment {
            var tid: String, cid: String, partnerOrderID: String, partnerUserID: String, itemName: String
            var total: Int, taxFree: Int, approvalURL: String, cancelURL: String, failURL: String, createdAt: String
            var pgToken: String?
            var status = "READY"
            var sid: String?
            var aid: String?
            var approvedAt: String?
        }
        struct Subscription {
            var sid: String, cid: String, partnerUserID: String, itemName: String, createdAt: String
            var active = true
            var lastApprovedAt: String?
            var inactivatedAt: String?
        }

        public private(set) var calls: [Call] = []
        public private(set) var charges: [Charge] = []
        var payments: [String: Payment] = [:]
        var subscriptions: [String: Subscription] = [:]
        var paidOrderIDs: Set<String> = []
        var counter = 0
        /// Sids whose charges are declined (-780, as a card with no funds).
        public private(set) var declined: Set<String> = []
        /// Paths whose next calls answer 500 with no error body (KakaoPay down).
        var failures: [String: Int] = [:]
        /// Added before every answer.
        public private(set) var latency: Duration = .zero
        var hold: (call: Int, stage: HoldStage)?
        var subscriptionCalls = 0
        var release: CheckedContinuation<Void, Never>?
        public private(set) var isHolding = false
        let clock: @Sendable () -> Date

        init(clock: @escaping @Sendable () -> Date) { self.clock = clock }

        public func decline(_ sid: String) { declined.insert(sid) }
        public func acceptAgain(_ sid: String) { declined.remove(sid) }
        public func setLatency(_ latency: Duration) { self.latency = latency }
        /// The next `count` calls to `path` (`approve`, `subscription`, …) answer HTTP 500 without an error body.
        public func failNext(_ path: String, count: Int = 1) { failures[path, default: 0] += count }
        /// The `call`-th `subscription` request (counting from 1) waits, before or after charging, until `releaseHold`.
        public func holdSubscription(call: Int, stage: HoldStage) { hold = (call, stage); subscriptionCalls = 0 }
        public func releaseHold() {
            hold = nil
            isHolding = false
            release?.resume()
            release = nil
        }
        public func resetCalls() { calls = [] }
        public func charges(sid: String) -> [Charge] { charges.filter { $0.sid == sid } }
        public func isActive(sid: String) -> Bool? { subscriptions[sid]?.active }
        public func lastApprovedAt(sid: String) -> String? { subscriptions[sid]?.lastApprovedAt }
        public func calls(to path: String) -> [Call] { calls.filter { $0.path == path } }

        /// A subscription as if a member had approved one earlier (for benchmarks and batch tests).
        public func seed(sid: String, partnerUserID: String, itemName: String = "Gitfolio PRO", lastApprovedAt: String? = nil) {
            subscriptions[sid] = Subscription(sid: sid, cid: "TCSUBSCRIP", partnerUserID: partnerUserID, itemName: itemName,
                                              createdAt: FakeKakaoPay.timestamp(clock()), lastApprovedAt: lastApprovedAt)
        }

        func next(_ prefix: String) -> String {
            counter += 1
            return prefix + String(counter, radix: 16).uppercased().leftPad(8) + Secrets.randomToken(bytes: 6).replacingOccurrences(of: "-", with: "x")
                .replacingOccurrences(of: "_", with: "y")
        }

        func record(_ path: String, _ fields: [String: String], _ status: Int, _ code: Int?) {
            calls.append(Call(path: path, fields: fields, status: status, errorCode: code))
        }

        func takeFailure(_ path: String) -> Bool {
            guard let n = failures[path], n > 0 else { return false }
            failures[path] = n - 1
            return true
        }

        /// Waits here while the hold says so (`call`: the number of the request at this checkpoint).
        func checkpoint(_ stage: HoldStage, call: Int) async {
            guard let hold, hold.call == call, hold.stage == stage else { return }
            isHolding = true
            await withCheckedContinuation { release = $0 }
        }

        /// Counts a `subscription` request; its number.
        func countSubscriptionCall() -> Int {
            subscriptionCalls += 1
            return subscriptionCalls
        }

        // MARK: The API

        func ready(_ f: [String: String], cid: String, base: String) -> Answer {
            guard let order = f["partner_order_id"], !order.isEmpty, let user = f["partner_user_id"], !user.isEmpty,
                  let item = f["item_name"], !item.isEmpty, let total = f["total_amount"].flatMap(Int.init), total > 0,
                  let taxFree = f["tax_free_amount"].flatMap(Int.init), taxFree >= 0, taxFree <= total,
                  f["quantity"].flatMap(Int.init).map({ $0 > 0 }) == true,
                  let approval = f["approval_url"], let cancel = f["cancel_url"], let fail = f["fail_url"],
                  [approval, cancel, fail].allSatisfy({ $0.hasPrefix("http://") || $0.hasPrefix("https://") })
            else { return .error(400, -2, "invalid request parameters") }
            let tid = next("T")
            payments[tid] = Payment(tid: tid, cid: cid, partnerOrderID: order, partnerUserID: user, itemName: item, total: total,
                                    taxFree: taxFree, approvalURL: approval, cancelURL: cancel, failURL: fail,
                                    createdAt: FakeKakaoPay.timestamp(clock()))
            return .ok([
                "tid": tid, "tms_result": false, "created_at": payments[tid]!.createdAt,
                "next_redirect_pc_url": "\(base)/mockup/v1/\(tid)/info",
                "next_redirect_mobile_url": "\(base)/mockup/v1/\(tid)/info?mobile=1",
                "next_redirect_app_url": "\(base)/mockup/v1/\(tid)/info?app=1",
                "android_app_scheme": "kakaotalk://kakaopay/pg?url=\(base)/mockup/v1/\(tid)/info",
                "ios_app_scheme": "kakaotalk://kakaopay/pg?url=\(base)/mockup/v1/\(tid)/info",
            ])
        }

        func approve(_ f: [String: String]) -> Answer {
            guard let tid = f["tid"], var payment = payments[tid] else { return .error(400, -780, "approval failure! tid not found") }
            if payment.status == "SUCCESS_PAYMENT" { return .error(400, -702, "payment is already done!") }
            guard f["partner_order_id"] == payment.partnerOrderID else { return .error(400, -706, "partner_order_id mismatch") }
            guard f["partner_user_id"] == payment.partnerUserID else { return .error(400, -707, "partner_user_id mismatch") }
            guard payment.status == "AUTH_PASSWORD", let token = payment.pgToken, f["pg_token"] == token else {
                return .error(400, -708, "invalid pg_token")
            }
            let sid = next("S"), aid = next("A"), now = FakeKakaoPay.timestamp(clock())
            payment.status = "SUCCESS_PAYMENT"
            payment.sid = sid
            payment.aid = aid
            payment.approvedAt = now
            payments[tid] = payment
            subscriptions[sid] = Subscription(sid: sid, cid: payment.cid, partnerUserID: payment.partnerUserID, itemName: payment.itemName,
                                              createdAt: now, lastApprovedAt: now)
            paidOrderIDs.insert(payment.partnerOrderID)
            charges.append(Charge(kind: "approve", sid: sid, tid: tid, aid: aid, partnerOrderID: payment.partnerOrderID,
                                  partnerUserID: payment.partnerUserID, amount: payment.total, approvedAt: now))
            return .ok(FakeKakaoPay.approval(aid: aid, tid: tid, cid: payment.cid, sid: sid, order: payment.partnerOrderID,
                                             user: payment.partnerUserID, item: payment.itemName, total: payment.total,
                                             taxFree: payment.taxFree, createdAt: payment.createdAt, approvedAt: now))
        }

        func charge(_ f: [String: String]) -> Answer {
            guard let sid = f["sid"], var subscription = subscriptions[sid] else { return .error(400, -750, "invalid sid") }
            guard subscription.active else { return .error(400, -751, "sid is inactive") }
            guard let order = f["partner_order_id"], !order.isEmpty, let total = f["total_amount"].flatMap(Int.init), total > 0,
                  let taxFree = f["tax_free_amount"].flatMap(Int.init), f["item_name"]?.isEmpty == false
            else { return .error(400, -2, "invalid request parameters") }
            guard f["partner_user_id"] == subscription.partnerUserID else { return .error(400, -707, "partner_user_id mismatch") }
            guard !paidOrderIDs.contains(order) else { return .error(400, -785, "duplicated request") }
            guard !declined.contains(sid) else {
                return .error(400, -780, "approval failure!", extras: ["method_result_code": "8003", "method_result_message": "잔액이 부족합니다"])
            }
            let tid = next("T"), aid = next("A"), now = FakeKakaoPay.timestamp(clock())
            subscription.lastApprovedAt = now
            subscriptions[sid] = subscription
            paidOrderIDs.insert(order)
            charges.append(Charge(kind: "subscription", sid: sid, tid: tid, aid: aid, partnerOrderID: order,
                                  partnerUserID: subscription.partnerUserID, amount: total, approvedAt: now))
            return .ok(FakeKakaoPay.approval(aid: aid, tid: tid, cid: subscription.cid, sid: sid, order: order,
                                             user: subscription.partnerUserID, item: f["item_name"] ?? "", total: total,
                                             taxFree: taxFree, createdAt: now, approvedAt: now))
        }

        func inactivate(_ f: [String: String]) -> Answer {
            guard let sid = f["sid"], var subscription = subscriptions[sid] else { return .error(400, -750, "invalid sid") }
            guard subscription.active else { return .error(400, -751, "sid is already inactive") }
            subscription.active = false
            subscription.inactivatedAt = FakeKakaoPay.timestamp(clock())
            subscriptions[sid] = subscription
            return .ok(FakeKakaoPay.status(subscription))
        }

        func status(_ f: [String: String]) -> Answer {
            guard let sid = f["sid"], let subscription = subscriptions[sid] else { return .error(400, -750, "invalid sid") }
            return .ok(FakeKakaoPay.status(subscription))
        }

        func order(_ f: [String: String]) -> Answer {
            guard let tid = f["tid"], let payment = payments[tid] else { return .error(400, -780, "tid not found") }
            var body: [String: Any] = [
                "tid": tid, "cid": payment.cid, "status": payment.status, "partner_order_id": payment.partnerOrderID,
                "partner_user_id": payment.partnerUserID, "item_name": payment.itemName, "quantity": 1, "created_at": payment.createdAt,
                "amount": FakeKakaoPay.amount(payment.total, payment.taxFree),
            ]
            if let sid = payment.sid { body["sid"] = sid }
            if let aid = payment.aid, let at = payment.approvedAt {
                body["approved_at"] = at
                body["payment_method_type"] = "MONEY"
                body["payment_action_details"] = [["aid": aid, "approved_at": at, "amount": payment.total, "point_amount": 0,
                                                   "discount_amount": 0, "payment_action_type": "PAYMENT"]]
            }
            return .ok(body)
        }

        // MARK: The approval page

        /// The member approved on KakaoPay's page: a pg_token for the approval URL.
        func authorize(_ tid: String) -> String? {
            guard var payment = payments[tid], payment.status == "READY" || payment.status == "AUTH_PASSWORD" else { return nil }
            let token = payment.pgToken ?? Secrets.randomToken(bytes: 15).replacingOccurrences(of: "-", with: "a").replacingOccurrences(of: "_", with: "b")
            payment.pgToken = token
            payment.status = "AUTH_PASSWORD"
            payments[tid] = payment
            return FakeKakaoPay.appending(payment.approvalURL, "pg_token", token)
        }

        func leave(_ tid: String, failed: Bool) -> String? {
            guard var payment = payments[tid], payment.status != "SUCCESS_PAYMENT" else { return nil }
            payment.status = failed ? "FAIL_PAYMENT" : "QUIT_PAYMENT"
            payments[tid] = payment
            return failed ? payment.failURL : payment.cancelURL
        }

        func page(_ tid: String) -> (item: String, total: Int)? { payments[tid].map { ($0.itemName, $0.total) } }

        func snapshot() -> Data {
            let object: [String: Any] = ["charges": charges.map { ["kind": $0.kind, "sid": $0.sid, "tid": $0.tid, "aid": $0.aid, "partner_order_id": $0.partnerOrderID,
                                       "partner_user_id": $0.partnerUserID, "amount": $0.amount, "approved_at": $0.approvedAt] },
             "calls": calls.map { ["path": $0.path, "status": $0.status] as [String: Any] },
             "subscriptions": subscriptions.values.map { ["sid": $0.sid, "active": $0.active] as [String: Any] }]
            return (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        }
    }

    enum Answer: Sendable {
        case body(Data)
        case error(Int, Int, String, extras: [String: String] = [:])
        static func ok(_ object: [String: Any]) -> Answer { .body((try? JSONSerialization.data(withJSONObject: object)) ?? Data()) }
    }

    public let secretKey: String
    public let cid: String
    public let state: State
    private let running: LoopbackServer

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }
    public var port: UInt16 { running.port }

    /// The environment that points Gitfolio at this fake.
    public var environment: [String: String] {
        ["KAKAOPAY_SECRET_KEY": secretKey, "KAKAOPAY_CID": cid, "KAKAOPAY_API_URL": baseURL.absoluteString]
    }

    public init(secretKey: String = FakeKakaoPay.testSecretKey, cid: String = "TCSUBSCRIP", port: UInt16 = 0,
                clock: @escaping @Sendable () -> Date = { Date() }) async throws {
        self.secretKey = secretKey
        self.cid = cid
        let state = State(clock: clock)
        self.state = state
        let base = Box()
        var routes = LoopbackServer.Routes()
        for path in ["ready", "approve", "subscription", "order", "manage/subscription/inactive", "manage/subscription/status"] {
            routes.add("POST /online/v1/payment/\(path)") { request in
                await FakeKakaoPay.api(path, request, state: state, secretKey: secretKey, cid: cid, base: base.value)
            }
        }
        // The approval page (`/mockup/v1/<tid>/info`) and the buttons on it (`/mockup/v1/<tid>/<choice>`).
        routes.add("GET /mockup/v1/*") { request in
            await FakeKakaoPay.page(request, state: state)
        }
        routes.add("POST /mockup/v1/*") { request in
            await FakeKakaoPay.decide(request, state: state)
        }
        routes.add("GET /_fake/state") { _ in
            let body = await state.snapshot()
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: body)
        }
        routes.add("POST /_fake/seed") { request in
            // {"subscriptions": [{"sid", "partner_user_id"}], "decline": ["sid", …]}: for the nightly benchmark.
            let body = (try? JSONSerialization.jsonObject(with: request.bodyData) as? [String: Any]) ?? [:]
            for item in body["subscriptions"] as? [[String: String]] ?? [] {
                if let sid = item["sid"], let user = item["partner_user_id"] {
                    await state.seed(sid: sid, partnerUserID: user, lastApprovedAt: item["last_approved_at"])
                }
            }
            for sid in body["decline"] as? [String] ?? [] { await state.decline(sid) }
            return HTTPResponse(status: 200, headers: ["content-type": "application/json"], body: Data("{}".utf8))
        }
        running = try await LoopbackServer(routes: routes, port: Int(port))
        base.value = "http://127.0.0.1:\(running.port)"
    }

    public func stop() async { await running.stop() }

    final class Box: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        var value: String {
            get { lock.withLock { text } }
            set { lock.withLock { text = newValue } }
        }
    }

    // MARK: Routes

    static func api(_ path: String, _ request: HTTPRequest, state: State, secretKey: String, cid: String, base: String) async -> HTTPResponse {
        let latency = await state.latency
        if latency > .zero { try? await Task.sleep(for: latency) }
        let data = request.bodyData
        let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
        var fields: [String: String] = [:]
        for (key, value) in object ?? [:] {
            if let s = value as? String { fields[key] = s } else if let n = value as? NSNumber { fields[key] = n.stringValue }
        }
        func finish(_ answer: Answer) async -> HTTPResponse {
            switch answer {
            case .body(let body):
                await state.record(path, fields, 200, nil)
                return HTTPResponse(status: 200, headers: ["content-type": "application/json;charset=UTF-8"], body: body)
            case .error(let status, let code, let message, let extras):
                await state.record(path, fields, status, code)
                var body: [String: Any] = ["error_code": code, "error_message": message]
                if !extras.isEmpty { body["extras"] = extras }
                return HTTPResponse(status: status, headers: ["content-type": "application/json;charset=UTF-8"],
                                    body: (try? JSONSerialization.data(withJSONObject: body)) ?? Data())
            }
        }
        guard request.header("authorization") == "SECRET_KEY \(secretKey)" else {
            return await finish(.error(401, -401, "invalid secret key"))
        }
        guard request.header("content-type")?.hasPrefix("application/json") == true, object != nil else {
            return await finish(.error(400, -2, "invalid request: send a JSON body"))
        }
        guard fields["cid"] == cid else { return await finish(.error(400, -1, "invalid cid")) }
        if await state.takeFailure(path) {
            await state.record(path, fields, 500, nil)
            return HTTPResponse(status: 500, headers: ["content-type": "text/html"], body: Data("<html>error</html>".utf8))
        }
        switch path {
        case "ready": return await finish(await state.ready(fields, cid: cid, base: base))
        case "approve": return await finish(await state.approve(fields))
        case "subscription":
            let call = await state.countSubscriptionCall()
            await state.checkpoint(.beforeCharging, call: call)
            let answer = await state.charge(fields)
            await state.checkpoint(.afterCharging, call: call)
            return await finish(answer)
        case "order": return await finish(await state.order(fields))
        case "manage/subscription/inactive": return await finish(await state.inactivate(fields))
        default: return await finish(await state.status(fields))
        }
    }

    static func page(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        let parts = request.path.split(separator: "/")
        guard parts.count == 4, parts[3] == "info", let (item, total) = await state.page(String(parts[2])) else {
            return .text(404, "Not Found")
        }
        let tid = String(parts[2])
        let html = """
        <!doctype html><html lang="ko"><head><meta charset="utf-8"><title>카카오페이 결제 (테스트)</title></head>
        <body><h1>카카오페이 정기 결제 (테스트)</h1><p id="item">\(item) · \(total)원 / 월</p>
        <form method="post" action="/mockup/v1/\(tid)/approve"><button id="kakaopay-approve" type="submit">결제하기</button></form>
        <form method="post" action="/mockup/v1/\(tid)/cancel"><button id="kakaopay-cancel" type="submit">취소</button></form>
        <form method="post" action="/mockup/v1/\(tid)/fail"><button id="kakaopay-fail" type="submit">결제 실패</button></form>
        </body></html>
        """
        return HTTPResponse(status: 200, headers: ["content-type": "text/html; charset=utf-8"], body: Data(html.utf8))
    }

    static func decide(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        let parts = request.path.split(separator: "/")
        guard parts.count == 4 else { return .text(404, "Not Found") }
        let tid = String(parts[2])
        let target: String?
        switch parts[3] {
        case "approve": target = await state.authorize(tid)
        case "cancel": target = await state.leave(tid, failed: false)
        case "fail": target = await state.leave(tid, failed: true)
        default: target = nil
        }
        guard let target else { return .text(404, "This payment is over.") }
        return HTTPResponse(status: 302, headers: ["location": target])
    }

    // MARK: Bodies

    static func amount(_ total: Int, _ taxFree: Int) -> [String: Int] {
        ["total": total, "tax_free": taxFree, "vat": (total - taxFree) / 11, "point": 0, "discount": 0, "green_deposit": 0]
    }

    static func approval(aid: String, tid: String, cid: String, sid: String, order: String, user: String, item: String, total: Int,
                         taxFree: Int, createdAt: String, approvedAt: String) -> [String: Any] {
        ["aid": aid, "tid": tid, "cid": cid, "sid": sid, "partner_order_id": order, "partner_user_id": user,
         "payment_method_type": "MONEY", "amount": amount(total, taxFree), "item_name": item, "quantity": 1,
         "created_at": createdAt, "approved_at": approvedAt]
    }

    static func status(_ s: State.Subscription) -> [String: Any] {
        var body: [String: Any] = ["available": s.active, "cid": s.cid, "sid": s.sid, "status": s.active ? "ACTIVE" : "INACTIVE",
                                   "payment_method_type": "MONEY", "item_name": s.itemName, "created_at": s.createdAt]
        if let at = s.lastApprovedAt { body["last_approved_at"] = at }
        if let at = s.inactivatedAt { body["inactivated_at"] = at }
        return body
    }

    /// KakaoPay's timestamps: Korea time, to the second, without a zone (`2026-03-31T00:00:05`).
    static func timestamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 9 * 3600)
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm:ss"
        return formatter.string(from: date)
    }

    static func appending(_ url: String, _ name: String, _ value: String) -> String {
        url + (url.contains("?") ? "&" : "?") + name + "=" + value
    }
}

extension String {
    func leftPad(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}
