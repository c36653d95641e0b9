import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioGitHub
import GitfolioHTTP
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import HubFunctions
import StoreCore
import Testing

/// The original service's defects (MISSION.md, "Mistakes of the original service"), one test each,
/// named after the defect: each fails if the defect came back. Where a suite of the feature already
/// pins a defect (the payments' SubscriptionTests and NightlyTests, the hub's CommentTests), that test
/// carries the defect's name and the `originalDefect` tag instead of being written twice;
/// `everyDefectHasANamedTest` checks that each defect of `defects` names at least one test.
///
///     swift test --skip-build --disable-xctest --filter "OriginalDefectsTests|originalDefect"
///
/// (Swift Testing's `--filter` matches names; the tagged tests elsewhere are listed in
/// docs/RELIABILITY.md.) Tests that must cover every function take them from `FunctionCatalog.names`.
@Suite("The original service's defects", .tags(.originalDefect)) struct OriginalDefectsTests {
    /// Every defect of MISSION.md's list, as the display name (or its beginning) of the test that pins it.
    static let defects = [
        "Any signed-in user could delete any resume",
        "Internal endpoints (set plan to PRO, decrease quota, create notification) were reachable without authentication",
        "Parallel AI uses went past the daily limit (quota check-then-act)",
        "The quota was charged on a client's flag",
        "The AI revise call was never charged",
        "A failed monthly charge still extended the subscription",
        "The batch date was frozen at start-up",
        "One member with missing data crashed the quota reset for everyone",
        "No time zone was set",
        "The payment flow shared one tid between concurrent users",
        "The payment flow trusted a member id from the query string",
        "partner_order_id was a constant",
        "The secret key was written to logs",
        "Views were counted with a non-atomic check",
        "Views were counted from a spoofable header",
        "The owner's own views were counted",
        "Saving the whole document on each view overwrote concurrent like counts",
        "No unique (member, resume) like constraint",
        "Likes on private resumes were possible",
        "Only the first 30 public repositories were listed",
        "The 'about me' was written from the server's own GitHub account",
        "Authorship was matched by display name",
        "Errors became empty strings",
        "Comments were read one member lookup at a time (N+1)",
        "Comments had no paging",
        "Private resumes' comments were readable",
    ]

    /// Reads the test sources (beside this file) for `@Test("<defect>…"`: a defect whose test was
    /// renamed fails here, not silently; a named test outside this suite must carry the tag.
    @Test func everyDefectHasANamedTest() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        var attributes: [(file: String, text: String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            // Each `@Test(` attribute up to its function.
            for part in source.components(separatedBy: "@Test(").dropFirst() {
                attributes.append((file, String(part.prefix { $0 != "{" }.split(separator: "func ").first ?? "")))
            }
        }
        for defect in Self.defects {
            let named = attributes.filter { $0.text.hasPrefix("\"" + defect) }
            #expect(!named.isEmpty, "no test is named after: \(defect)")
            for test in named where test.file != "OriginalDefectsTests.swift" {
                #expect(test.text.contains(".tags(.originalDefect)"), "\(test.file): the test of \"\(defect)\" lacks the tag")
            }
        }
    }

    // MARK: Authorization

    @Test("Any signed-in user could delete any resume")
    func anotherMemberCannotDeleteOrChangeMyResume() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let before = try w.snapshot(excluding: ["session"])
        let attempts = [
            w.request("DELETE", "resume", cookie: w.otherCookie, json: #"{"id":\#(w.publicResume)}"#),
            w.request("DELETE", "resume", cookie: w.otherCookie, json: #"{"id":\#(w.privateResume)}"#),
            w.request("PUT", "resume", cookie: w.otherCookie, json: #"{"id":\#(w.publicResume),"version":1,"visibility":"PRIVATE"}"#),
        ]
        for answer in try await w.run("resume", attempts) {
            #expect(answer.statusCode == 404 && answer.errorShape?.code == "resume_not_found", "\(answer.bodyText)")
        }
        for answer in try await w.run("revise", [
            w.request("POST", "revise", cookie: w.otherCookie,
                      json: #"{"action":"accept","resumeId":\#(w.publicResume),"path":"aboutMe","text":"gone","version":1}"#),
            w.request("POST", "revise", cookie: w.otherCookie, json: #"{"action":"undo","resumeId":\#(w.publicResume),"version":1}"#),
        ]) {
            #expect(answer.statusCode == 404, "\(answer.bodyText)")
        }
        #expect(try w.snapshot(excluding: ["session"]) == before)
        // The owner can (so the refusals above are about who asks).
        let own = try await w.run("resume", [w.request("DELETE", "resume", cookie: w.ownerCookie, json: #"{"id":\#(w.privateResume)}"#)])
        #expect(own.first?.statusCode == 200)
        #expect(try w.count("SELECT count(*) FROM resume WHERE id = \(w.privateResume)") == 0)
    }

    /// The original had "internal" endpoints (set the plan to PRO, decrease the quota, create a
    /// notification) that anyone could call. Every function, every method, with and without a
    /// session, is sent what such an endpoint would take: no plan, quota or notification changes.
    @Test("Internal endpoints (set plan to PRO, decrease quota, create notification) were reachable without authentication")
    func noFunctionChangesPlansQuotasOrNotificationsOnRequest() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let owner = w.owner.id, resume = w.publicResume
        let bodies = [
            #"{"plan":"PRO"}"#, #"{"memberId":\#(owner),"plan":"PRO"}"#, #"{"aiUses":0}"#, #"{"memberId":\#(owner),"quota":-3}"#,
            #"{"kind":"LIKE","memberId":\#(owner),"resumeId":\#(resume)}"#, #"{"action":"setPlan","plan":"PRO"}"#,
            #"{"action":"decreaseQuota","memberId":\#(owner)}"#, #"{"action":"notify","memberId":\#(owner),"resumeId":\#(resume)}"#,
        ]
        let queries = ["plan=PRO&memberId=\(owner)", "action=decreaseQuota&memberId=\(owner)", "internal=1&kind=LIKE&resumeId=\(resume)"]
        let watched = ["member", "ai_use", "notification"]
        func rows() throws -> [String: [String]] { try w.snapshot().filter { watched.contains($0.key) } }
        let before = try rows()
        for function in FunctionCatalog.names {
            let otherCookie = try w.newSession(w.other)  // `logout` ends the one before
            var requests: [FunctionRequest] = []
            for method in RouteTableTests.methods {
                for cookie in [nil, otherCookie] {
                    for body in bodies { requests.append(w.request(method, function, cookie: cookie, json: body)) }
                    for query in queries { requests.append(w.request(method, function, cookie: cookie, query: query)) }
                }
            }
            let answers = try await w.run(function, requests)
            #expect(!answers.contains { $0.statusCode == 500 }, "\(function): \(answers.first { $0.statusCode == 500 }?.bodyText ?? "")")
            #expect(try rows() == before, "\(function) changed a plan, a quota or a notification on request")
        }
        #expect(try w.count("SELECT count(*) FROM member WHERE plan <> 'FREE'") == 0)
    }

    @Test("The payment flow trusted a member id from the query string")
    func noFunctionActsOnAMemberNamedInTheRequest() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let owner = w.owner.id
        let before = try w.snapshot(excluding: ["session", "resume_view", "site_change"])
        for function in FunctionCatalog.names {
            let otherCookie = try w.newSession(w.other)  // `logout` ends the one before
            var requests: [FunctionRequest] = []
            for method in RouteTableTests.methods {
                for query in ["memberId=\(owner)", "member_id=\(owner)", "partner_user_id=\(owner)", "userId=\(owner)&id=\(w.privateResume)"] {
                    requests.append(w.request(method, function, cookie: otherCookie, query: query, json: #"{"readAll":true}"#,
                                              headers: ["origin": FunctionWorld.site, "x-member-id": "\(owner)"]))
                }
            }
            for answer in try await w.run(function, requests) {
                #expect(!answer.bodyText.contains(FunctionWorld.secretMarker), "\(function) showed the owner's data")
                #expect(!answer.bodyText.contains(#""login":"owner""#), "\(function) answered as the owner")
            }
        }
        #expect(try w.snapshot(excluding: ["session", "resume_view", "site_change"]) == before)
        #expect(try w.isSignedIn(w.ownerCookie))
    }

    // "The payment flow shared one tid between concurrent users": SubscriptionTests.concurrentSubscribesByTwoMembersNeverShareATid;
    // "… trusted a member id from the query string" for the approval URL: SubscriptionTests.anotherMembersApprovalURLIsRefusedAndChangesNothing.

    /// Two members subscribe and are renewed twice by the nightly batch: every order KakaoPay was
    /// told of has its own `partner_order_id` (the first payment's random, each renewal's derived from
    /// the subscription and period, so a re-run cannot charge twice), and the schema refuses a repeat.
    @Test("partner_order_id was a constant")
    func everyOrderKakaoPaySeesHasItsOwnPartnerOrderId() async throws {
        let p = try await PayHarness()
        defer { Task { await p.stop() } }
        let start = Date.at("2026-02-01T12:00:00+09:00")
        for login in ["alice", "bob"] {
            let (member, cookie) = try p.signedInMember(login, at: start)
            try await p.subscribeAndApprove(member, cookie, at: start)
        }
        for night in ["2026-03-01T00:00:05+09:00", "2026-04-01T00:00:05+09:00"] {
            let services = p.services(at: .at(night))
            let summary = await NightlyBatch(services: services, date: services.today, log: Log(label: "defect", minimum: .error)).run()
            #expect(summary.charged == 2 && summary.ok, "\(summary)")
        }
        var ids: [String] = []
        for path in ["ready", "approve", "subscription"] {
            ids += await p.fake.state.calls(to: path).compactMap { $0.fields["partner_order_id"] }
        }
        let ordered = await p.fake.state.calls(to: "ready").count + p.fake.state.calls(to: "subscription").count
        #expect(ordered == 6)
        // `approve` repeats its own `ready`'s id (as KakaoPay requires): 6 orders, 6 distinct ids.
        #expect(Set(ids).count == 6 && ids.count == 8, "\(ids)")
        #expect(throws: StoreError.self) {
            try p.database.database.write { db in
                try db.execute("""
                    INSERT INTO payment (subscription_id, period, partner_order_id, tid, aid, amount, vat, approved_at, period_start, period_end, created_at)
                    SELECT subscription_id, period + 100, partner_order_id, tid, aid, amount, vat, approved_at, period_start, period_end, created_at
                    FROM payment LIMIT 1
                    """)
            }
        }
    }

    // MARK: The quota

    /// Two connections race for the last of three uses, deterministically (`LockBarrier`): both
    /// wait for the write lock before either may count. A charge that counted outside its write
    /// transaction lets both pass, every time. (GenerateQuotaTests also races 50 processes.)
    @Test("Parallel AI uses went past the daily limit (quota check-then-act)")
    func theLastUseGoesToExactlyOneOfTwoRacingConnections() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("g.sqlite")
        let first = try AppDatabase(path: path, create: true)
        let second = try AppDatabase(path: path)
        let member = try first.upsertLocalMember(login: "racer", name: "racer", now: Date())
        let now = Date()
        for _ in 0..<2 { _ = try first.chargeAIUse(memberID: member.id, kind: .generate, now: now) }
        let barrier = try LockBarrier(holding: path)
        try barrier.watch(first.database)
        try barrier.watch(second.database)
        let results = try barrier.race([
            { @Sendable in try first.chargeAIUse(memberID: member.id, kind: .generate, now: now) },
            { @Sendable in try second.chargeAIUse(memberID: member.id, kind: .revise, now: now) },
        ])
        let charged = results.filter { (try? $0.get()) != nil }.count
        let refused = results.filter {
            if case .failure(let error) = $0 { return error as? StoreError == .aiQuotaExceeded(limit: 3, fairUse: false) }
            return false
        }.count
        #expect(charged == 1 && refused == 1, "\(results)")
        #expect(try first.aiUses(memberID: member.id, on: Plans.day(of: now)) == 3)
    }

    @Test("The quota was charged on a client's flag")
    func theServerChargesWhenTheModelRunsWhateverTheClientSays() async throws {
        let (fake, h, member, cookie, id, _) = try await ReviseTests().setup()
        defer { Task { await fake.stop() }; h.dir.remove() }
        await fake.script.load(Array(repeating: .chat(#"{"replacement":"개선"}"#), count: 3))
        let flags = [#""charge":false"#, #""charged":true"#, #""aiUse":false"#, #""countsAgainstQuota":false"#, #""free":true"#]
        for flag in flags {
            let response = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json:
                #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게",\#(flag)}"#))
            #expect(response.statusCode == 400 && response.errorShape?.code == "unknown_field", "\(flag): \(response.bodyText)")
        }
        #expect(await fake.script.seen.isEmpty)
        let plain = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json:
            #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#))
        #expect(plain.statusCode == 200, "\(plain.bodyText)")
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 1)
        #expect(plain.json?["aiUsesToday"] as? Int == 1)
    }

    @Test("The AI revise call was never charged")
    func everyRevisionIsChargedAndTheFourthIsRefusedBeforeTheModelRuns() async throws {
        let (fake, h, member, cookie, id, _) = try await ReviseTests().setup()
        defer { Task { await fake.stop() }; h.dir.remove() }
        await fake.script.load(Array(repeating: .chat(#"{"replacement":"개선"}"#), count: 5))
        let body = #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#
        for n in 1...3 {
            let response = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: body))
            #expect(response.statusCode == 200 && response.json?["aiUsesToday"] as? Int == n, "\(response.bodyText)")
        }
        let fourth = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: body))
        #expect(fourth.statusCode == 429 && fourth.errorShape?.code == "quota_exceeded")
        #expect(await fake.script.seen.count == 3)
        let kinds = try h.database.database.read { try $0.rows("SELECT kind FROM ai_use WHERE member_id = ?", [member.id]).map { $0.text("kind") } }
        #expect(kinds == ["REVISE", "REVISE", "REVISE"])
    }

    /// There is no reset job to crash: a use is counted per member and Asia/Seoul day, so the day
    /// changes for everyone at once. Members with missing data (no name, no e-mail, no profile
    /// entries, a member gone mid-request) neither break that nor anyone else's charge.
    @Test("One member with missing data crashed the quota reset for everyone")
    func membersWithMissingDataDoNotStopAnyonesQuotaFromResetting() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let day = ISO8601DateFormatter().date(from: "2026-05-04T03:00:00Z")!  // noon in Seoul
        let members = try (0..<5).map { try db.upsertLocalMember(login: "m\($0)", name: "", now: day) }
        // No name, no e-mail, no profile entries, no GitHub token: what a fresh local member has.
        try db.database.write { try $0.execute("UPDATE member SET name = '', email = '' WHERE id = ?", [members[1].id]) }
        for member in members { for _ in 0..<3 { _ = try db.chargeAIUse(memberID: member.id, kind: .generate, now: day) } }
        #expect(throws: StoreError.memberGone) { try db.chargeAIUse(memberID: 999_999, kind: .generate, now: day) }
        _ = try db.deleteMember(id: members[2].id)
        let nextDay = day.addingTimeInterval(13 * 3600)  // 01:00 the next day in Seoul
        for member in members where member.id != members[2].id {
            #expect(try db.aiUses(memberID: member.id, on: Plans.day(of: nextDay)) == 0)
            _ = try db.chargeAIUse(memberID: member.id, kind: .revise, now: nextDay)
        }
    }

    /// The quota day is Asia/Seoul's whatever the server's zone (CI runs in UTC).
    @Test("No time zone was set")
    func theQuotaDayIsAsiaSeoulWhateverTheServersZone() throws {
        let iso = ISO8601DateFormatter()
        #expect(Plans.day(of: iso.date(from: "2026-01-01T14:59:59Z")!) == "2026-01-01")
        #expect(Plans.day(of: iso.date(from: "2026-01-01T15:00:00Z")!) == "2026-01-02")
        #expect(Plans.day(of: iso.date(from: "2025-12-31T23:30:00-08:00")!) == "2026-01-01")
        #expect(Plans.day(of: iso.date(from: "2024-02-29T16:00:00Z")!) == "2024-03-01")
        #expect(TimeZone.current.identifier == "Asia/Seoul" || Plans.day(of: Date(timeIntervalSince1970: 15 * 3600)) == "1970-01-02")
    }

    /// A warm process lives across midnight: the day of each charge comes from the clock at that
    /// request, never from when the process (its services) started. Three revisions a minute
    /// before midnight in Seoul, a fourth refused, then one two minutes later passes. The nightly
    /// batch's own date: NightlyTests.theDateComesFromTheClockAtEachRun.
    @Test("The batch date was frozen at start-up: the quota day of a warm process")
    func aLongRunningProcessChargesByTheDayOfEachRequest() async throws {
        let (fake, harness, member, cookie, id, _) = try await ReviseTests().setup()
        defer { Task { await fake.stop() }; harness.dir.remove() }
        let clock = ManualClock()
        var h = harness
        h.services.clock = clock
        let t = Int64(clock.now().timeIntervalSince1970)
        let nextSeoulMidnight = ((t + 9 * 3600) / 86400 + 1) * 86400 - 9 * 3600
        clock.advance(TimeInterval(nextSeoulMidnight - t - 60))
        await fake.script.load(Array(repeating: .chat(#"{"replacement":"개선"}"#), count: 4))
        let body = #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#
        var statuses: [Int] = []
        for _ in 0..<4 { statuses.append(await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: body)).statusCode) }
        clock.advance(120)
        let after = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: body))
        #expect(statuses == [200, 200, 200, 429])
        #expect(after.statusCode == 200 && after.json?["aiUsesToday"] as? Int == 1, "\(after.bodyText)")
        let days = try h.database.database.read { try $0.rows("SELECT DISTINCT day FROM ai_use WHERE member_id = ? ORDER BY day", [member.id]).map { $0.text("day") } }
        #expect(days == [Plans.day(of: clock.now().addingTimeInterval(-120)), Plans.day(of: clock.now())] && days[0] != days[1])
    }

    // MARK: Views

    /// Two connections record the same visitor's view of a resume in the same hour, racing
    /// deterministically (`LockBarrier`): one view, not two.
    @Test("Views were counted with a non-atomic check")
    func theSameVisitorsRacingViewsCountOnce() throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let second = try Database(path: w.database.path)
        let barrier = try LockBarrier(holding: w.database.path)
        try barrier.watch(w.database.database)
        try barrier.watch(second)
        let now = Int64(Date().timeIntervalSince1970), id = w.publicResume, database = w.database.database
        let results = try barrier.race([
            { @Sendable in try database.recordView(resumeID: id, visitor: "a:same", viewerID: nil, now: now).views },
            { @Sendable in try second.recordView(resumeID: id, visitor: "a:same", viewerID: nil, now: now).views },
        ])
        #expect(try results.map { try $0.get() } == [1, 1])
        #expect(try w.count("SELECT view_count FROM resume WHERE id = \(id)") == 1)
        #expect(try w.count("SELECT count(*) FROM resume_view") == 1)
    }

    @Test("Views were counted from a spoofable header")
    func aClientsForwardingHeadersDoNotMakeNewVisitors() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let spoofs: [[String: String]] = [
            [:], ["x-forwarded-for": "198.51.100.1"], ["x-forwarded-for": "198.51.100.2, 203.0.113.5"], ["x-real-ip": "198.51.100.3"],
            ["forwarded": "for=198.51.100.4"], ["cf-connecting-ip": "198.51.100.5"], ["true-client-ip": "198.51.100.6"],
            ["x-client-ip": "198.51.100.7"], ["x-forwarded-for": "127.0.0.1"],
        ]
        let requests = spoofs.map { extra -> FunctionRequest in
            var request = w.request("POST", "view", cookie: nil, json: #"{"resumeId":\#(w.publicResume)}"#,
                                    headers: extra.merging(["origin": FunctionWorld.site]) { $1 })
            request.sourceIp = "203.0.113.5"
            return request
        }
        let answers = try await w.run("view", requests)
        #expect(answers.allSatisfy { $0.statusCode == 200 })
        #expect(try w.count("SELECT view_count FROM resume WHERE id = \(w.publicResume)") == 1)
    }

    @Test("The owner's own views were counted")
    func theOwnersOwnViewsAreNotCounted() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let view = w.request("POST", "view", cookie: w.ownerCookie, json: #"{"resumeId":\#(w.publicResume)}"#)
        let answers = try await w.run("view", Array(repeating: view, count: 5))
        #expect(answers.allSatisfy { $0.statusCode == 200 && $0.bodyText.contains(#""own":true"#) })
        #expect(try w.count("SELECT view_count FROM resume WHERE id = \(w.publicResume)") == 0)
        #expect(try w.count("SELECT count(*) FROM resume_view") == 0)
    }

    /// A view and a like touch only their own rows and counters, never the document, so neither can
    /// write back a stale copy; 20 likes and 20 views from 40 processes at once leave exact counts.
    @Test("Saving the whole document on each view overwrote concurrent like counts")
    func viewsAndLikesNeverRewriteTheDocumentAndKeepExactCounts() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let statements = Counter(), touching = Locked<[String]>([])
        try w.database.database.statement { $0.trace { sql in statements.add(); if sql.contains("document") { touching.mutate { $0.append(sql) } } } }
        _ = try w.database.database.recordView(resumeID: w.publicResume, visitor: "a:x", viewerID: nil, now: 1)
        _ = try w.database.database.like(resumeID: w.publicResume, memberID: w.other.id, now: 1)
        _ = try w.database.database.unlike(resumeID: w.publicResume, memberID: w.other.id)
        try w.database.database.statement { $0.trace(nil) }
        #expect(statements.value > 0)
        #expect(touching.value.isEmpty, "\(touching.value)")

        var likes: [Data] = [], views: [Data] = []
        for i in 0..<20 {
            let (_, cookie) = try w.signIn("reader-\(i)")
            likes.append(FunctionProcesses.line(w.request("POST", "like", cookie: cookie, json: #"{"resumeId":\#(w.publicResume)}"#)))
            var view = w.request("POST", "view", cookie: nil, json: #"{"resumeId":\#(w.publicResume)}"#)
            view.sourceIp = "198.51.100.\(i + 1)"
            views.append(FunctionProcesses.line(view))
        }
        let version = try w.count("SELECT version FROM resume WHERE id = \(w.publicResume)")
        async let liked = runAllAtOnce(Built.executable("like"), environment: w.environment, inputs: likes)
        async let viewed = runAllAtOnce(Built.executable("view"), environment: w.environment, inputs: views)
        for answer in try await liked + viewed {
            #expect(try FunctionResponse.parse(event: Array(answer)).statusCode == 200)
        }
        #expect(try w.count("SELECT like_count FROM resume WHERE id = \(w.publicResume)") == 21)  // and third's
        #expect(try w.count("SELECT view_count FROM resume WHERE id = \(w.publicResume)") == 21)  // and "a:x" above
        #expect(try w.count("SELECT version FROM resume WHERE id = \(w.publicResume)") == version)
    }

    // MARK: Likes

    @Test("No unique (member, resume) like constraint")
    func theSchemaKeepsOneLikePerMemberAndResume() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let like = w.request("POST", "like", cookie: w.otherCookie, json: #"{"resumeId":\#(w.publicResume)}"#)
        let answers = try await w.run("like", Array(repeating: like, count: 4))
        #expect(answers.map { $0.bodyText.contains(#""likes":2"#) } == [true, true, true, true], "\(answers.map(\.bodyText))")
        #expect(try w.count("SELECT count(*) FROM resume_like WHERE member_id = \(w.other.id)") == 1)
        // Not only the function: the schema itself refuses a second row.
        #expect(throws: StoreError.self) {
            try w.database.database.write {
                try $0.execute("INSERT INTO resume_like (resume_id, member_id, created_at) VALUES (?, ?, 0)", [w.publicResume, w.other.id])
            }
        }
    }

    @Test("Likes on private resumes were possible")
    func aPrivateResumeTakesNoLikes() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        let answers = try await w.run("like", [
            w.request("POST", "like", cookie: w.otherCookie, json: #"{"resumeId":\#(w.privateResume)}"#),
            w.request("GET", "like", cookie: w.otherCookie),
        ])
        #expect(answers[0].statusCode == 404 && answers[0].errorShape?.code == "resume_not_found")
        #expect(try w.count("SELECT count(*) FROM resume_like WHERE resume_id = \(w.privateResume)") == 0)
        #expect(throws: StoreError.publicResumeNotFound) { try w.database.database.like(resumeID: w.privateResume, memberID: w.other.id, now: 1) }
        // A liked resume that goes private drops out of the member's likes.
        _ = try await w.run("like", [w.request("POST", "like", cookie: w.otherCookie, json: #"{"resumeId":\#(w.publicResume)}"#)])
        try w.database.setVisibility(.private, resumeID: w.publicResume, memberID: w.owner.id, now: Date())
        let liked = try await w.run("like", [w.request("GET", "like", cookie: w.otherCookie)])
        #expect(liked.first?.bodyText == #"{"liked":[]}"#)
    }

    // MARK: GitHub

    @Test("Only the first 30 public repositories were listed")
    func everyRepositoryIsListedOwnedAndContributed() async throws {
        let (github, h, _, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        await github.state.setRepositories(owned: GitHubImportTests.repos(130, owner: "alice-dev"),
                                           contributed: GitHubImportTests.repos(45, owner: "team"))
        let response = await h.call(RepositoriesFunction.handler, browser("GET", "/api/repositories", cookie: cookie))
        #expect(response.statusCode == 200)
        let listed = try #require(response.json?["repositories"] as? [[String: Any]])
        #expect(listed.count == 175)
        #expect(Set(listed.compactMap { $0["nameWithOwner"] as? String }).count == 175)
        #expect(listed.contains { $0["nameWithOwner"] as? String == "alice-dev/repo-129" })
        #expect(listed.contains { $0["nameWithOwner"] as? String == "team/repo-44" })
    }

    /// The server has a GitHub token of its own (`GITHUB_TOKEN`, for the CLI): generation must
    /// read the member's GitHub with the member's token only.
    @Test("The 'about me' was written from the server's own GitHub account")
    func generationReadsOnlyTheMembersOwnGitHubAccount() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let bot = FakeGitHub.User(id: 1, login: "server-bot", name: "Gitfolio Bot", emails: [("bot@gitfolio.example", true, true)])
        let botToken = await github.state.issueToken(for: bot)
        let (_, h, _, cookie) = try await GenerateQuotaTests().setup(extra: ["GITHUB_TOKEN": botToken], github: github)
        defer { h.dir.remove() }
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: GenerateQuotaTests.body))
        #expect(response.statusCode == 201, "\(response.bodyText)")
        let callers = await github.state.callers
        #expect(!callers.isEmpty && callers.allSatisfy { $0 == "alice-dev" }, "\(callers)")
        #expect(!response.bodyText.contains("server-bot") && !response.bodyText.contains("Gitfolio Bot"))
    }

    @Test("Authorship was matched by display name")
    func commitsAreAttributedByAccountAndEmailNeverByName() async throws {
        // A local clone: Bob shares Alice's display name; his commits are not hers.
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        #expect(alice.name == bob.name && evidence.contribution.commits == 3 && evidence.contribution.totalCommits == 5)
        // GitHub: commits are asked by the member's login (GitHub attributes them by account id and
        // verified e-mails), never by the display name.
        let (github, h, _, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: GenerateQuotaTests.body))
        #expect(response.statusCode == 201)
        let authors = await github.state.commitAuthors
        #expect(!authors.isEmpty && authors.allSatisfy { $0 == "alice-dev" }, "\(authors)")
    }

    @Test("Errors became empty strings")
    func upstreamFailuresAreClearErrorsNeverEmptyAnswers() async throws {
        let (github, h, member, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        await github.state.setRateLimited(true)
        await github.state.setGraphQLRateLimited(true)
        for (handler, request) in [(RepositoriesFunction.handler, browser("GET", "/api/repositories", cookie: cookie)),
                                   (GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: GenerateQuotaTests.body))] {
            let response = await h.call(handler, request)
            #expect(response.statusCode >= 400 && response.statusCode != 500, "\(response.bodyText)")
            let error = try #require(response.errorShape, "\(response.bodyText)")
            #expect(!error.code.isEmpty && error.message.count > 10)
            #expect(!(response.errorKorean ?? "").isEmpty)
        }
        // The model answering nothing usable: a message, and the use given back.
        let (fake, rh, rmember, rcookie, id, _) = try await ReviseTests().setup()
        defer { Task { await fake.stop() }; rh.dir.remove() }
        await fake.script.load([.chat(""), .chat(#"{"replacement":""}"#), FakeLLM.Reply(status: 200, body: "")])
        for _ in 0..<3 {
            let response = await rh.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: rcookie, json:
                #"{"resumeId":\#(id),"path":"aboutMe","start":0,"end":2,"instruction":"짧게"}"#))
            #expect(response.statusCode == 502 && (response.errorShape?.message.count ?? 0) > 10, "\(response.bodyText)")
        }
        #expect(try rh.database.aiUses(memberID: rmember.id, on: Plans.day(of: Date())) == 0)
        _ = member
    }

    // MARK: Comments

    @Test("Comments were read one member lookup at a time (N+1)")
    func aPageOfCommentsIsOneQueryWhateverItsAuthors() throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        func statements(authors: Int) throws -> Int {
            try w.database.database.write { try $0.execute("DELETE FROM comment") }
            for i in 0..<authors {
                let member = try w.database.upsertLocalMember(login: "author-\(authors)-\(i)", name: "author \(i)", now: Date())
                _ = try w.database.addComment(resumeID: w.publicResume, memberID: member.id, anchor: nil, body: "c\(i)", now: Date())
            }
            let seen = Counter()
            try w.database.database.statement { $0.trace { _ in seen.add() } }
            defer { _ = try? w.database.database.statement { $0.trace(nil) } }
            let page = try w.database.comments(resumeID: w.publicResume, before: nil, limit: 20)
            #expect(Set(page.map(\.author)).count == min(authors, 20))
            return seen.value
        }
        let one = try statements(authors: 1)
        #expect(try statements(authors: 20) == one)
        #expect(one <= 4)
    }

    @Test("Comments had no paging")
    func commentsComeInPagesOfTwentyWithACursor() async throws {
        let w = try FunctionWorld(label: "gitfolio-defect")
        defer { w.remove() }
        for i in 0..<44 {
            let (member, _) = try w.signIn("commenter-\(i)")  // one each: a burst from one member is slowed down
            _ = try w.database.addComment(resumeID: w.publicResume, memberID: member.id, anchor: nil, body: "c\(i)", now: Date())
        }
        var seen: [Int] = [], query = "resumeId=\(w.publicResume)", pages = 0
        while pages < 10 {
            let page = try await w.run("comment", [w.request("GET", "comment", cookie: nil, query: query)])[0]
            let json = try #require(try JSONSerialization.jsonObject(with: Data(page.body)) as? [String: Any])
            let ids = (json["comments"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            #expect(ids.count <= 20)
            seen += ids
            pages += 1
            guard let next = json["next"] as? Int else { break }
            query = "resumeId=\(w.publicResume)&before=\(next)"
        }
        #expect(pages == 3 && seen.count == 45 && Set(seen).count == 45 && seen == seen.sorted(by: >))
    }

    // "Private resumes' comments were readable": CommentTests.privateResumesHaveNoReadableComments.

    // MARK: Secrets

    /// Every function, with every secret variable set (`Config.Variable.isSecret`: a KakaoPay key
    /// added there is covered too), debug logging, GitHub and the model unreachable, and requests
    /// that fail in every way: no secret in anything a process writes.
    @Test("The secret key was written to logs")
    func noSecretReachesAnyFunctionsOutput() async throws {
        var secrets: [String: String] = [:]
        for variable in Config.Variable.allCases where variable.isSecret {
            secrets[variable.rawValue] = variable == .secretKey
                ? Data((0..<32).map { UInt8(($0 * 37 + 11) & 0xFF) }).base64EncodedString()
                : "sk-\(variable.rawValue.lowercased())-\(Secrets.randomToken(bytes: 12))"
        }
        let w = try FunctionWorld(label: "gitfolio-secrets", extra: secrets.merging([
            "GITFOLIO_LOG_LEVEL": "debug", "GITHUB_CLIENT_ID": "Iv1.client", "GITHUB_OAUTH_URL": "http://127.0.0.1:9",
            "GITHUB_API_URL": "http://127.0.0.1:9", "GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": "http://127.0.0.1:9/v1",
            "GITFOLIO_LLM_MODEL": "m", "KAKAOPAY_API_URL": "http://127.0.0.1:9",
        ]) { $1 })
        defer { w.remove() }
        // A GitHub member whose (encrypted) token the failing calls use.
        let cipher = try TokenCipher.load(environmentValue: secrets["GITFOLIO_SECRET_KEY"], file: w.dir.path("unused.key"))
        let githubToken = "gho_member_token_\(Secrets.randomToken(bytes: 10))"
        let member = try w.database.upsertGitHubMember(
            account: GitHubAccount(id: 77, login: "gh-member", name: "G", email: "g@example.com", avatarURL: ""),
            tokenCiphertext: try cipher.seal(githubToken), scope: "read:user", now: Date())
        let token = Secrets.randomToken()
        try w.database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
        let cookie = "gitfolio_session=\(token)"
        let state = Secrets.randomToken()
        try w.database.saveOAuthState(hash: Secrets.sha256Hex(state), scope: "read:user", returnTo: "/me.html", now: Date())
        let forbidden = Array(secrets.values) + [githubToken, token, state, "the-oauth-code"]
        for function in FunctionCatalog.names {
            var requests: [FunctionRequest] = []
            for method in RouteTableTests.methods {
                for body in [#"{"repositories":["alice/x"]}"#, #"{"resumeId":\#(w.publicResume),"path":"aboutMe","start":0,"end":2,"instruction":"x"}"#,
                             "not json", #"{"login":"x"}"#] {
                    requests.append(w.request(method, function, cookie: "gitfolio_oauth=\(state); \(cookie)",
                                              query: "code=the-oauth-code&state=\(state)", json: body))
                }
            }
            var env = w.environment
            env.merge(secrets) { $1 }
            let (answers, run) = try await FunctionProcesses.warm(function, environment: env, events: requests.map(FunctionProcesses.line))
            let output = String(decoding: run.stdout, as: UTF8.self) + run.stderr
            for secret in forbidden {
                #expect(!output.contains(secret), "\(function) wrote a secret (\(secret.prefix(6))…)")
            }
            // Answers keep the cookies they set, but never a secret in a message.
            #expect(answers.allSatisfy { !$0.bodyText.contains("sk-") })
        }
    }
}

extension Tag {
    /// A test that fails if one of the original service's defects came back (MISSION.md).
    @Tag static var originalDefect: Self
}

/// A value behind a lock, for trace hooks and threads.
final class Locked<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T
    init(_ value: T) { stored = value }
    func mutate(_ body: (inout T) -> Void) { lock.withLock { body(&stored) } }
    var value: T { lock.withLock { stored } }
}
