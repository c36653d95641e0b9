import Foundation
import GitfolioCore
import GitfolioHTTP
import GitfolioPay
import GitfolioTestSupport
import Testing

/// The real KakaoPay client (URLSession) against the fake KakaoPay over HTTP, in its wire format.
@Suite struct KakaoPayClientTests {
    func client(_ fake: FakeKakaoPay, key: String? = nil, transport: any HTTPTransport = URLSessionTransport()) -> KakaoPay {
        KakaoPay(settings: Config.KakaoPaySettings(secretKey: key ?? fake.secretKey, cid: fake.cid,
                                                   apiURL: WebAddress(fake.baseURL.absoluteString)!),
                 transport: transport)
    }

    static func readyRequest(order: String = "order-1", user: String = "42") -> KakaoPay.ReadyRequest {
        KakaoPay.ReadyRequest(partnerOrderID: order, partnerUserID: user, itemName: "Gitfolio PRO", totalAmount: 19_900,
                              approvalURL: "http://127.0.0.1:8080/api/pay-webhook?result=approve&attempt=a",
                              cancelURL: "http://127.0.0.1:8080/api/pay-webhook?result=cancel&attempt=a",
                              failURL: "http://127.0.0.1:8080/api/pay-webhook?result=fail&attempt=a")
    }

    /// The member's visit to the fake's approval page: the pg_token it puts on the approval URL.
    static func approveOnPage(_ ready: KakaoPay.Ready) async throws -> String {
        let http = TestHTTP()
        let page = try await http.send("GET", URL(string: ready.nextRedirectPCURL)!)
        #expect(page.status == 200 && page.text.contains("kakaopay-approve"))
        let action = ready.nextRedirectPCURL.replacingOccurrences(of: "/info", with: "/approve")
        let redirect = try await http.send("POST", URL(string: action)!)
        #expect(redirect.status == 302)
        let location = try #require(redirect.header("location"))
        #expect(location.hasPrefix("http://127.0.0.1:8080/api/pay-webhook?result=approve&attempt=a&pg_token="))
        return String(location.split(separator: "=").last!)
    }

    @Test func aSubscriptionFromReadyToInactive() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let pay = client(fake)
        let ready = try await pay.ready(Self.readyRequest())
        #expect(ready.tid.hasPrefix("T") && ready.nextRedirectPCURL.hasPrefix(fake.baseURL.absoluteString))
        let pgToken = try await Self.approveOnPage(ready)
        let approval = try await pay.approve(tid: ready.tid, partnerOrderID: "order-1", partnerUserID: "42", pgToken: pgToken)
        #expect(approval.tid == ready.tid && approval.partnerOrderID == "order-1" && approval.partnerUserID == "42")
        #expect(approval.amount.total == 19_900 && approval.amount.vat == 1_809 && approval.amount.taxFree == 0)
        let sid = try #require(approval.sid)
        #expect(approval.approvedAt.count == 19)  // 2026-03-31T00:00:05, Korea time without a zone

        let monthly = try await pay.charge(sid: sid, partnerOrderID: "order-2", partnerUserID: "42", itemName: "Gitfolio PRO", amount: 19_900)
        #expect(monthly.sid == sid && monthly.aid != approval.aid && monthly.amount.total == 19_900)
        let status = try await pay.status(sid: sid)
        #expect(status.isActive && status.lastApprovedAt == monthly.approvedAt)
        let order = try await pay.order(tid: ready.tid)
        #expect(order.status == "SUCCESS_PAYMENT" && order.approval?.aid == approval.aid && order.approval?.sid == sid)

        let stopped = try await pay.inactivate(sid: sid)
        #expect(stopped.status == "INACTIVE" && stopped.inactivatedAt != nil)
        #expect(await fake.state.charges.map(\.kind) == ["approve", "subscription"])
        // What the fake saw: KakaoPay's field names, the CID, and never the key among the fields.
        let readyCall = try #require(await fake.state.calls(to: "ready").first)
        #expect(readyCall.fields["cid"] == "TCSUBSCRIP" && readyCall.fields["total_amount"] == "19900" && readyCall.fields["quantity"] == "1")
        #expect(readyCall.fields["tax_free_amount"] == "0" && readyCall.fields["approval_url"]?.contains("result=approve") == true)
        #expect(await fake.state.calls.allSatisfy { !$0.fields.values.contains { $0.contains(fake.secretKey) } })
    }

    /// Each of KakaoPay's error codes comes back as a refusal with that code; none of them carries the key.
    @Test func errorBodiesBecomeRefusalsWithTheirCodes() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let pay = client(fake)
        let ready = try await pay.ready(Self.readyRequest())
        func refusal(_ body: () async throws -> Void) async -> KakaoPayRefusal? {
            do { try await body(); return nil } catch { return (error as? KakaoPayError)?.refusal }
        }
        // -708: approving before the member approved on KakaoPay's page (no pg_token yet), or with a wrong one.
        #expect(await refusal { _ = try await pay.approve(tid: ready.tid, partnerOrderID: "order-1", partnerUserID: "42", pgToken: "guess") }?.code == -708)
        let pgToken = try await Self.approveOnPage(ready)
        #expect(await refusal { _ = try await pay.approve(tid: ready.tid, partnerOrderID: "order-X", partnerUserID: "42", pgToken: pgToken) }?.code == -706)
        #expect(await refusal { _ = try await pay.approve(tid: ready.tid, partnerOrderID: "order-1", partnerUserID: "43", pgToken: pgToken) }?.code == -707)
        let sid = try #require(try await pay.approve(tid: ready.tid, partnerOrderID: "order-1", partnerUserID: "42", pgToken: pgToken).sid)
        #expect(await refusal { _ = try await pay.approve(tid: ready.tid, partnerOrderID: "order-1", partnerUserID: "42", pgToken: pgToken) }?.code == -702)
        #expect(await refusal { _ = try await pay.charge(sid: "S-unknown", partnerOrderID: "o", partnerUserID: "42", itemName: "x", amount: 1) }?.code == -750)
        _ = try await pay.charge(sid: sid, partnerOrderID: "order-2", partnerUserID: "42", itemName: "Gitfolio PRO", amount: 19_900)
        #expect(await refusal { _ = try await pay.charge(sid: sid, partnerOrderID: "order-2", partnerUserID: "42", itemName: "Gitfolio PRO", amount: 19_900) }?.code == -785)
        await fake.state.decline(sid)
        let declined = await refusal { _ = try await pay.charge(sid: sid, partnerOrderID: "order-3", partnerUserID: "42", itemName: "Gitfolio PRO", amount: 19_900) }
        #expect(declined?.code == -780 && declined?.methodResultCode == "8003" && declined?.status == 400)
        _ = try await pay.inactivate(sid: sid)
        #expect(await refusal { _ = try await pay.inactivate(sid: sid) }?.code == -751)
        #expect(await refusal { _ = try await pay.charge(sid: sid, partnerOrderID: "order-4", partnerUserID: "42", itemName: "Gitfolio PRO", amount: 19_900) }?.code == -751)
        // Only the declined attempt's charge is missing: approve + order-2.
        #expect(await fake.state.charges.count == 2)
    }

    @Test func aWrongKeyIsRefusedAndNeverEchoed() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let wrong = "DEVKEY-wrong-key-0001"
        do {
            _ = try await client(fake, key: wrong).status(sid: "S1")
            Issue.record("a wrong key was accepted")
        } catch {
            #expect(error.refusal?.status == 401 && error.refusal?.code == -401)
            #expect(!error.description.contains(wrong) && !String(describing: error.apiError).contains(wrong))
        }
        let settings = Config.KakaoPaySettings(secretKey: wrong)
        #expect(!"\(settings)".contains(wrong) && !String(reflecting: settings).contains(wrong))
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains(wrong))
    }

    /// No answer within the timeout is its own case (the outcome is just as unknown), answered 504 in
    /// both languages, where a broken or unreadable answer is a 502.
    @Test func noAnswerInTimeIsATimeout() async throws {
        let fault = try FaultServer(.hang)
        defer { fault.stop() }
        let pay = KakaoPay(settings: Config.KakaoPaySettings(secretKey: "test-key", apiURL: WebAddress(fault.baseURL.absoluteString)!),
                           transport: URLSessionTransport(timeout: 1))
        do { _ = try await pay.status(sid: "S1"); Issue.record("no answer, yet a result") } catch {
            guard case .timedOut = error else { Issue.record("\(error)"); return }
            #expect(error.apiError.status == 504 && error.apiError.code == "kakaopay_timeout" && error.apiError.korean != nil)
            #expect(!error.description.contains("test-key"))
        }
    }

    /// Anything but a success or KakaoPay's error body leaves the outcome unknown: the caller must not
    /// assume nothing happened (a 500, an HTML page, a closed port, an answer that does not decode).
    @Test func noUsableAnswerIsAnUnknownOutcome() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let pay = client(fake)
        await fake.state.failNext("manage/subscription/status")
        do { _ = try await pay.status(sid: "S1"); Issue.record("a 500 was taken for an answer") } catch {
            guard case .outcomeUnknown(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("HTTP 500"))
        }
        let closed = KakaoPay(settings: Config.KakaoPaySettings(secretKey: fake.secretKey, apiURL: WebAddress("http://127.0.0.1:9")!),
                              transport: URLSessionTransport())
        do { _ = try await closed.status(sid: "S1"); Issue.record("no server, yet an answer") } catch {
            guard case .outcomeUnknown = error else { Issue.record("\(error)"); return }
            #expect(!error.description.contains(fake.secretKey))
            #expect(error.apiError.status == 502 && error.apiError.code == "kakaopay_unavailable")
        }
        struct Garbage: HTTPTransport {
            func send(_ request: OutboundRequest) async throws -> OutboundResponse {
                OutboundResponse(status: 200, headers: [:], body: Data(#"{"tid": 5}"#.utf8))
            }
        }
        do { _ = try await client(fake, transport: Garbage()).ready(Self.readyRequest()); Issue.record("a bad answer decoded") } catch {
            guard case .outcomeUnknown = error else { Issue.record("\(error)"); return }
        }
        // A redirect address that is not a web address is never passed on to a browser.
        struct Scripted: HTTPTransport {
            func send(_ request: OutboundRequest) async throws -> OutboundResponse {
                OutboundResponse(status: 200, headers: [:], body: Data(#"{"tid":"T1","next_redirect_pc_url":"javascript:alert(1)"}"#.utf8))
            }
        }
        await #expect(throws: KakaoPayError.self) { _ = try await client(fake, transport: Scripted()).ready(Self.readyRequest()) }
    }

    /// KakaoPay's own text is kept in errors for the log, with any copy of the key taken out.
    @Test func textFromKakaoPayIsRedacted() async throws {
        let key = FakeKakaoPay.testSecretKey
        struct Echo: HTTPTransport {
            let key: String
            func send(_ request: OutboundRequest) async throws -> OutboundResponse {
                #expect(request.headers["Authorization"] == "SECRET_KEY \(key)")
                return OutboundResponse(status: 400, headers: [:], body: Data(#"{"error_code":-780,"error_message":"bad key \#(key)","extras":{"method_result_code":"X","method_result_message":"\#(key)"}}"#.utf8))
            }
        }
        let pay = KakaoPay(settings: Config.KakaoPaySettings(secretKey: key), transport: Echo(key: key))
        do { _ = try await pay.status(sid: "S1") } catch {
            #expect(error.refusal?.code == -780)
            #expect(!error.description.contains(key) && error.description.contains("<redacted>"))
        }
    }
}
