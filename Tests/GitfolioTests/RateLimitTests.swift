import Foundation
import GitfolioCore
import GitfolioStore
import GitfolioTestSupport
import StoreCore
import Testing

/// The request limits per member and per client address (`RateLimits`) on generate, revise, like,
/// comment and sign-in, through the executables: the request past each limit is refused with a 429,
/// a Retry-After and the JSON error; another member or another address is not; a client's own
/// X-Forwarded-For does not make a new address; no address is stored.
@Suite struct RateLimitTests {
    struct Action: Sendable, CustomStringConvertible {
        var function: String
        var limit: RateLimit
        var method = "POST"
        var extra: [String: String] = [:]
        var body: @Sendable (FunctionWorld, Int) -> String?
        var description: String { limit.action }
    }

    static let actions: [Action] = [
        Action(function: "like", limit: RateLimits.like) { w, _ in #"{"resumeId":\#(w.publicResume)}"# },
        Action(function: "comment", limit: RateLimits.comment) { w, n in #"{"resumeId":\#(w.publicResume),"body":"c\#(n)"}"# },
        Action(function: "generate", limit: RateLimits.generate) { _, _ in #"{"repositories":["someone/x"]}"# },
        Action(function: "revise", limit: RateLimits.revise) { _, _ in #"{"resumeId":999999,"path":"aboutMe","start":0,"end":1,"instruction":"x"}"# },
        Action(function: "login", limit: RateLimits.signIn, method: "GET",
               extra: ["GITHUB_CLIENT_ID": "Iv1.ratelimit", "GITHUB_CLIENT_SECRET": "rate-limit-test"]) { _, _ in nil },
    ]

    static func isLimited(_ answer: FunctionResponse) -> Bool {
        answer.statusCode == 429 && answer.errorShape?.code == "rate_limited" && Int(answer.headers["retry-after"] ?? "") ?? 0 >= 1
    }

    /// Runs `attempt` (each time in a world of its own) until it starts and ends within one fixed window
    /// of `seconds`, at most three times: the counts start again when a window turns over, so a run
    /// across two windows cannot reach the limit it tests (seen in a loaded suite at a 600 s boundary).
    static func withinOneWindow<T>(_ seconds: Int64, _ attempt: () async throws -> T) async throws -> T {
        var tries = 0
        while true {
            let window = Int64(Date().timeIntervalSince1970) / seconds
            let result = try await attempt()
            tries += 1
            if Int64(Date().timeIntervalSince1970) / seconds == window || tries == 3 { return result }
        }
    }

    func request(_ w: FunctionWorld, _ action: Action, cookie: String?, from address: String, n: Int,
                 headers: [String: String] = [:]) -> FunctionRequest {
        var request = w.request(action.method, action.function, cookie: cookie, json: action.body(w, n),
                                headers: headers.merging(["origin": FunctionWorld.site]) { $1 })
        request.sourceIp = address
        return request
    }

    @Test(arguments: actions.filter { $0.limit.perMember != nil })
    func aMemberPastTheLimitIsRefusedAndAnotherIsNot(action: Action) async throws {
        let max = try #require(action.limit.perMember)
        let answers = try await Self.withinOneWindow(action.limit.window) {
            let w = try FunctionWorld(label: "gitfolio-rate")
            defer { w.remove() }
            let (_, cookie) = try w.signIn("busy")
            let (_, calm) = try w.signIn("calm")
            // From loopback (never limited per address), so that only the member's limit counts.
            var requests = (0...max).map { request(w, action, cookie: cookie, from: "127.0.0.1", n: $0) }
            requests.append(request(w, action, cookie: calm, from: "127.0.0.1", n: 0))
            return try await w.run(action.function, requests, extra: action.extra)
        }
        #expect(!answers.prefix(max).contains(where: Self.isLimited), "\(action): refused before \(max)")
        #expect(Self.isLimited(answers[max]), "\(action): request \(max + 1) of one member: \(answers[max].statusCode) \(answers[max].bodyText)")
        #expect(!Self.isLimited(answers[max + 1]), "\(action): another member was refused too")
    }

    @Test(arguments: actions.filter { $0.limit.perAddress != nil })
    func anAddressPastTheLimitIsRefusedWhateverItsMembersAndHeaders(action: Action) async throws {
        let max = try #require(action.limit.perAddress)
        // Members that each stay under their own limits (and comments' burst of 5 a minute).
        let each = min((action.limit.perMember ?? Int.max) - 1, action.function == "comment" ? AppDatabase.commentBurst - 1 : Int.max)
        let (answers, buckets) = try await Self.withinOneWindow(action.limit.window) {
            let w = try FunctionWorld(label: "gitfolio-rate")
            defer { w.remove() }
            var requests: [FunctionRequest] = []
            var cookie: String?
            for n in 0..<max {
                if n % each == 0 { cookie = try w.signIn("reader-\(n)").1 }
                requests.append(request(w, action, cookie: action.function == "login" ? nil : cookie, from: "203.0.113.77", n: n))
            }
            let fresh = action.function == "login" ? nil : try w.signIn("fresh").1
            requests.append(request(w, action, cookie: fresh, from: "203.0.113.77", n: max))
            requests.append(request(w, action, cookie: fresh, from: "203.0.113.77", n: max + 1, headers: ["x-forwarded-for": "198.51.100.1"]))
            requests.append(request(w, action, cookie: fresh, from: "203.0.113.78", n: max + 2))
            let answers = try await w.run(action.function, requests, extra: action.extra)
            return (answers, try w.database.database.read { try $0.rows("SELECT bucket FROM rate_limit").map { $0.text("bucket") } })
        }
        #expect(!answers.prefix(max).contains(where: Self.isLimited), "\(action): refused before \(max)")
        #expect(Self.isLimited(answers[max]), "\(action): request \(max + 1) from one address: \(answers[max].statusCode) \(answers[max].bodyText)")
        #expect(Self.isLimited(answers[max + 1]), "\(action): a client's X-Forwarded-For escaped the limit")
        #expect(!Self.isLimited(answers[max + 2]), "\(action): another address was refused too")
        #expect(!buckets.isEmpty && buckets.allSatisfy { !$0.contains("203.0.113") }, "\(buckets)")
    }

    /// Sign-in's limit is one for starting it and for GitHub's callback.
    @Test func theCallbackSharesTheSignInLimit() async throws {
        let login = Self.actions.first { $0.function == "login" }!
        let (started, answer) = try await Self.withinOneWindow(RateLimits.signIn.window) {
            let w = try FunctionWorld(label: "gitfolio-rate")
            defer { w.remove() }
            let starts = (0..<RateLimits.signIn.perAddress!).map { request(w, login, cookie: nil, from: "203.0.113.90", n: $0) }
            let started = try await w.run("login", starts, extra: login.extra)
            var callback = w.request("GET", "auth-callback", cookie: nil, query: "code=x&state=y", headers: ["accept": "text/html"])
            callback.sourceIp = "203.0.113.90"
            return (started, try #require(try await w.run("auth-callback", [callback], extra: login.extra).first))
        }
        #expect(started.allSatisfy { $0.statusCode == 302 })
        #expect(answer.statusCode == 302 && answer.headers["location"] == "/login.html?error=rate_limited", "\(answer.headers)")
    }

    /// The window: a refused request counts nothing, the next window starts again, old rows go.
    @Test func windowsRollOverAndRefusalsCountNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true).database
        let limit = RateLimit(action: "t", perMember: 2, perAddress: nil, window: 60)
        let t: Int64 = 1_800_000_000 - 1_800_000_000 % 60
        try db.take(limit, memberID: 1, addressKey: nil, now: t)
        try db.take(limit, memberID: 1, addressKey: nil, now: t + 30)
        for _ in 0..<3 {
            #expect(throws: StoreError.rateLimited(action: "t", retryAfter: 29)) { try db.take(limit, memberID: 1, addressKey: nil, now: t + 31) }
        }
        #expect(try db.read { try $0.integer("SELECT count FROM rate_limit") } == 2)
        try db.take(limit, memberID: 1, addressKey: nil, now: t + 60)
        try db.take(limit, memberID: 2, addressKey: nil, now: t + 59)
        try db.take(limit, memberID: 1, addressKey: nil, now: t + 60 + RateLimits.horizon + 1)
        #expect(try db.read { try $0.integer("SELECT count(*) FROM rate_limit") } == 1, "rows past the horizon stay")
    }
}
