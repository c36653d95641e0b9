import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport
import Testing

/// Real services over a temporary SQLite file with KakaoPay pointed at the fake, plus the steps of a
/// member's payment: subscribing, KakaoPay's approval page, and the return to the pay webhook.
struct PayHarness {
    let fake: FakeKakaoPay
    let h: Harness

    /// KakaoPay's clock: by default each reading is a minute after the last, so that two payments
    /// never share a timestamp (in life they are a month apart).
    init(configured: Bool = true, extra: [String: String] = [:], kakaoPayClock: (@Sendable () -> Date)? = nil) async throws {
        let ticks = MinuteTicks()
        fake = try await FakeKakaoPay(clock: kakaoPayClock ?? { ticks.next() })
        h = try Harness(extra: (configured ? fake.environment : [:]).merging(extra) { $1 })
    }

    func stop() async {
        await fake.stop()
        h.dir.remove()
    }

    var database: AppDatabase { h.database }

    /// The services with the clock fixed at `date` (nil: the system clock).
    func services(at date: Date?) -> Services {
        var services = h.services
        if let date { services.clock = FixedClock(date) }
        return services
    }

    func call(_ handler: @escaping ServiceHandler, _ request: FunctionRequest, at date: Date? = nil) async -> FunctionResponse {
        let services = services(at: date)
        return await FunctionRunner.respond(.success(request), context: FunctionContext(name: "test", mode: .oneShot)) { r, c in
            try await handler(services, r, c)
        }
    }

    /// `POST /api/subscription`: the address of KakaoPay's approval page.
    func subscribe(_ cookie: String, language: String = "ko", at date: Date? = nil) async throws -> String {
        let response = await call(SubscriptionFunction.handler,
                                  browser("POST", "/api/subscription", cookie: cookie, json: #"{"language":"\#(language)"}"#), at: date)
        #expect(response.statusCode == 201, "\(response.bodyText)")
        return try #require(response.json?["redirectURL"] as? String)
    }

    /// The member on KakaoPay's page: approve, cancel or fail. Returns where KakaoPay sends the browser.
    func decide(_ redirect: String, _ choice: String = "approve") async throws -> String {
        let http = TestHTTP()
        let page = try await http.send("GET", URL(string: redirect)!)
        #expect(page.status == 200, "\(page.text)")
        let answer = try await http.send("POST", URL(string: redirect.replacingOccurrences(of: "/info", with: "/\(choice)"))!)
        #expect(answer.status == 302)
        return try #require(answer.header("location"))
    }

    /// The browser's return to the pay webhook (`html`: as a browser, which gets a redirect to My page).
    func webhook(_ url: String, cookie: String?, html: Bool = false, at date: Date? = nil) async -> FunctionResponse {
        let components = URLComponents(string: url)!
        var headers: [String: String] = html ? ["accept": "text/html,application/xhtml+xml"] : ["accept": "*/*"]
        if let cookie { headers["cookie"] = cookie }
        headers["host"] = "127.0.0.1:8080"
        return await call(PayWebhookFunction.handler,
                          FunctionRequest(method: "GET", path: components.path, query: components.percentEncodedQuery ?? "", headers: headers),
                          at: date)
    }

    /// Subscribes and approves: the member's live subscription.
    @discardableResult
    func subscribeAndApprove(_ member: Member, _ cookie: String, at date: Date? = nil) async throws -> Subscription {
        let approval = try await decide(try await subscribe(cookie, at: date))
        let response = await webhook(approval, cookie: cookie, at: date)
        #expect(response.statusCode == 200 && response.json?["outcome"] as? String == "approved", "\(response.bodyText)")
        return try #require(try database.liveSubscription(memberID: member.id))
    }

    /// A member with a session that is live at `date`.
    func signedInMember(_ login: String = "alice", at date: Date) throws -> (Member, String) {
        let member = try database.upsertLocalMember(login: login, name: login, now: date)
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: date)
        return (member, "gitfolio_session=\(token)")
    }

    func plan(_ member: Member) throws -> String {
        try database.database.read { try $0.text("SELECT plan FROM member WHERE id = ?", [member.id]) } ?? "gone"
    }

    func count(_ sql: String, _ arguments: [any SQLBindable] = []) throws -> Int {
        Int(try database.database.read { try $0.integer(sql, arguments) } ?? -1)
    }
}

extension Date {
    /// An instant written in ISO 8601 (`2026-03-31T15:00:00Z`, `2026-04-01T00:00:00+09:00`).
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
}

/// Now, then a minute later at each reading.
final class MinuteTicks: @unchecked Sendable {
    private let lock = NSLock()
    private var date = Date()
    func next() -> Date {
        lock.withLock {
            date = date.addingTimeInterval(60)
            return date
        }
    }
}
