import Foundation
import GitfolioCore
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import StoreCore

/// A database with three members and their things, for the suites that run every function
/// executable (`FunctionCatalog.names`) as a black box: the route tables, the process fuzzer and
/// the regression suite.
///
/// - `owner` has a public resume (liked and commented on by `third`, so `owner` has notifications)
///   and a private one whose title and the owner's e-mail carry `secretMarker`;
/// - `other` is the member who tries what they should not; `third` wrote the comment;
/// - `owner` also started a KakaoPay payment (`ownerCheckoutToken`, the `attempt` of its approval
///   URL) that is not approved yet. KakaoPay is configured, but at a closed port: a function that
///   asked it anything would answer 502/503, never change a plan.
struct FunctionWorld {
    static let site = "http://127.0.0.1:8080"
    /// In the owner's private data only: no answer to anyone else may contain it.
    static let secretMarker = "owner-private-7f3a"

    let dir: TempDir
    let environment: [String: String]
    let database: AppDatabase
    let owner: Member, other: Member, third: Member
    let ownerCookie: String, otherCookie: String, thirdCookie: String
    let publicResume: Int64, privateResume: Int64
    let comment: Int64
    let ownerNotification: Int64
    let ownerCheckoutToken: String
    static let kakaoPayKey = "DEVKEY-world-5b1e0c7d9a42"

    init(label: String = "gitfolio-world", extra: [String: String] = [:]) throws {
        dir = try TempDir(label)
        var env = ["GITFOLIO_DB": dir.path("g.sqlite"), "GITFOLIO_SECRET_FILE": dir.path("secret.key"), "PATH": "/usr/bin:/bin",
                   "GITFOLIO_PUBLIC_URL": Self.site, "KAKAOPAY_SECRET_KEY": Self.kakaoPayKey, "KAKAOPAY_API_URL": "http://127.0.0.1:9"]
        env.merge(extra) { $1 }
        environment = env
        database = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let database = self.database
        func member(_ login: String) throws -> (Member, String) {
            let member = try database.upsertLocalMember(login: login, name: login, now: Date())
            let token = Secrets.randomToken()
            try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
            return (member, "gitfolio_session=\(token)")
        }
        (owner, ownerCookie) = try member("owner")
        (other, otherCookie) = try member("other")
        (third, thirdCookie) = try member("third")
        var profile = Profile(name: "Owner")
        profile.email = "\(Self.secretMarker)@example.com"
        _ = try database.replaceProfile(memberID: owner.id, with: profile, now: Date())
        publicResume = try database.createResume(memberID: owner.id, title: "공개 이력서", resume: .sample(.ko), now: Date())
        try database.setVisibility(.public, resumeID: publicResume, memberID: owner.id, now: Date())
        privateResume = try database.createResume(memberID: owner.id, title: "draft \(Self.secretMarker)", resume: .sample(.en), now: Date())
        comment = try database.addComment(resumeID: publicResume, memberID: third.id, anchor: nil, body: "좋은 이력서네요", now: Date()).id
        _ = try database.database.like(resumeID: publicResume, memberID: third.id, now: Int64(Date().timeIntervalSince1970))
        ownerNotification = try (database.notifications(memberID: owner.id).items.first?.id).orThrow("the owner's notification")
        ownerCheckoutToken = Secrets.randomToken()
        try database.createCheckout(tokenHash: Secrets.sha256Hex(ownerCheckoutToken), memberID: owner.id,
                                    partnerOrderID: "gitfolio-m\(owner.id)-world", tid: "T-world-owner", amount: 19_900, language: "ko",
                                    now: Date(), lifetime: 3600)
    }

    func remove() { dir.remove() }

    /// A new member with a session; returns the member and the Cookie header value.
    func signIn(_ login: String) throws -> (Member, String) {
        let member = try database.upsertLocalMember(login: login, name: login, now: Date())
        return (member, try newSession(member))
    }

    /// Another session for a member (a cookie that `logout` in an earlier batch did not end).
    func newSession(_ member: Member) throws -> String {
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
        return "gitfolio_session=\(token)"
    }

    /// A same-origin browser request (Origin and Host of the site), as the pages send them.
    func request(_ method: String, _ function: String, cookie: String?, query: String = "", json: String? = nil,
                 headers: [String: String] = ["origin": FunctionWorld.site]) -> FunctionRequest {
        var h = headers
        if let cookie { h["cookie"] = cookie }
        if json != nil { h["content-type"] = "application/json" }
        if h["host"] == nil { h["host"] = "127.0.0.1:8080" }
        if h["host"] == "" { h.removeValue(forKey: "host") }
        return FunctionRequest(method: method, path: "/api/\(function)", query: query, headers: h, body: json)
    }

    /// Runs `function` warm over the requests and returns its answers in order.
    func run(_ function: String, _ requests: [FunctionRequest], extra: [String: String] = [:]) async throws -> [FunctionResponse] {
        var env = environment
        env.merge(extra) { $1 }
        return try await FunctionProcesses.warm(function, environment: env, events: requests.map(FunctionProcesses.line)).responses
    }

    /// Every row of every table (sorted), to show that a refused request changed nothing. The rate
    /// limits' counters (`rate_limit`) are left out: every request counts there, refused or not.
    func snapshot(excluding: Set<String> = []) throws -> [String: [String]] {
        try database.database.read { db in
            var tables: [String: [String]] = [:]
            for name in try db.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").map({ $0.text("name") })
            where !excluding.contains(name) && name != "rate_limit" {
                tables[name] = try db.rows("SELECT * FROM \"\(name)\"").map { "\($0.values)" }.sorted()
            }
            return tables
        }
    }

    /// Whether the signed-in member behind `cookie` is still signed in.
    func isSignedIn(_ cookie: String) throws -> Bool {
        let token = String(cookie.dropFirst("gitfolio_session=".count))
        return try database.member(sessionHash: Secrets.sha256Hex(token), now: Date()) != nil
    }

    func count(_ sql: String) throws -> Int { Int(try database.database.read { try $0.integer(sql) } ?? -1) }
}

extension Optional {
    /// The value, or a thrown error naming what was missing (for fixtures, outside `#require`).
    func orThrow(_ what: String) throws -> Wrapped {
        guard let self else { throw FunctionProcesses.Failure("missing: \(what)") }
        return self
    }
}
