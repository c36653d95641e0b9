import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import HubFunctions
import RenderFunctions
import SessionFunction
import Testing

/// A hub with an owner's public resume and a few readers.
struct HubFixture {
    let h: Harness
    let owner: Member
    let ownerCookie: String
    let resumeID: Int64

    init() throws {
        h = try Harness()
        (owner, ownerCookie) = try h.signedInMember("owner")
        resumeID = try h.database.createResume(memberID: owner.id, title: "공개 이력서", resume: Resume.sample(.ko), now: Date())
        try h.database.setVisibility(.public, resumeID: resumeID, memberID: owner.id, now: Date())
    }

    var config: Config { h.services.config }

    func like(_ method: String, cookie: String?, body: String? = nil, extra: [String: String] = [:]) -> FunctionResponse {
        let request = browser(method, "/api/like", cookie: cookie, json: body ?? (method == "GET" ? nil : #"{"resumeId":\#(resumeID)}"#),
                              origin: extra["origin"] ?? "http://127.0.0.1:8080", extra: extra)
        return FunctionRunner.respond(.success(request), context: FunctionContext(name: "like", mode: .warm),
                                      handler: LikeFunction(config: config).respond)
    }

    func view(cookie: String?, ip: String = "203.0.113.5", extra: [String: String] = [:], function: ViewFunction? = nil) -> FunctionResponse {
        var request = browser("POST", "/api/view", cookie: cookie, json: #"{"resumeId":\#(resumeID)}"#,
                              origin: extra["origin"] ?? "http://127.0.0.1:8080", extra: extra)
        request.sourceIp = ip
        return FunctionRunner.respond(.success(request), context: FunctionContext(name: "view", mode: .warm),
                                      handler: (function ?? ViewFunction(config: config)).respond)
    }

    func count(_ sql: String) throws -> Int { Int(try h.database.database.read { try $0.integer(sql) } ?? -1) }
}

@Suite struct LikeTests {
    @Test func likesOncePerMemberNotifiesOnceAndCountsExactly() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, reader) = try f.h.signedInMember("reader")
        let first = f.like("POST", cookie: reader)
        #expect(first.statusCode == 200, "\(first.bodyText)")
        #expect(first.json?["likes"] as? Int == 1 && first.json?["liked"] as? Bool == true)
        #expect(f.like("POST", cookie: reader).json?["likes"] as? Int == 1)  // a second like changes nothing
        #expect(f.like("GET", cookie: reader).json?["liked"] as? [Int] == [Int(f.resumeID)])
        let unliked = f.like("DELETE", cookie: reader)
        #expect(unliked.json?["likes"] as? Int == 0 && unliked.json?["liked"] as? Bool == false)
        #expect(f.like("POST", cookie: reader).json?["likes"] as? Int == 1)
        // Like, unlike and like again: the owner heard of it once.
        #expect(try f.count("SELECT count(*) FROM notification WHERE kind = 'LIKE'") == 1)
        #expect(try f.count("SELECT like_count FROM resume") == 1)
    }

    @Test func refusals() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, reader) = try f.h.signedInMember("reader")
        #expect(f.like("POST", cookie: nil).errorCode == "unauthorized")
        #expect(f.like("GET", cookie: nil).json?["liked"] as? [Int] == [])
        #expect(f.like("POST", cookie: f.ownerCookie).errorCode == "own_resume")
        #expect(f.like("POST", cookie: reader, body: #"{"resumeId":999}"#).errorCode == "resume_not_found")
        for bad in [#"{}"#, #"{"resumeId":"1"}"#, #"{"resumeId":-3}"#, #"{"resumeId":1,"memberId":1}"#, "[1]", "nope"] {
            let response = f.like("POST", cookie: reader, body: bad)
            #expect(response.statusCode == 400, "\(bad): \(response.bodyText)")
        }
        #expect(f.like("POST", cookie: reader, extra: ["origin": "https://evil.example"]).errorCode == "cross_site_request")
        #expect(f.like("PUT", cookie: reader).statusCode == 405)
        // A private resume takes no likes, and its existence is not told.
        try f.h.database.setVisibility(.private, resumeID: f.resumeID, memberID: f.owner.id, now: Date())
        #expect(f.like("POST", cookie: reader).errorCode == "resume_not_found")
        #expect(try f.count("SELECT count(*) FROM resume_like") == 0)
        #expect(try f.count("SELECT count(*) FROM notification") == 0)
    }

    /// 50 `like` processes at once, two per member: exactly one like and one notification each.
    /// Then 50 `unlike`s at once: none left, and the notifications stay.
    @Test func fiftyParallelProcessesKeepTheCountExact() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        var cookies: [String] = []
        for i in 0..<25 { cookies.append(try f.h.signedInMember("reader-\(i)").1) }
        var env = f.h.environment
        env["PATH"] = "/usr/bin:/bin"
        func events(_ method: String) -> [Data] {
            (cookies + cookies).map {
                event(FunctionRequest(method: method, path: "/api/like", headers: [
                    "cookie": $0, "content-type": "application/json", "origin": "http://127.0.0.1:8080", "host": "127.0.0.1:8080",
                ], body: #"{"resumeId":\#(f.resumeID)}"#))
            }
        }
        for (method, expected) in [("POST", 25), ("DELETE", 0)] {
            let answers = try await runAllAtOnce(Built.executable("like"), environment: env, inputs: events(method))
            let statuses = try answers.map { try FunctionResponse.parse(event: Array($0)).statusCode }
            #expect(statuses == Array(repeating: 200, count: 50), "\(method)")
            #expect(try f.count("SELECT like_count FROM resume") == expected)
            #expect(try f.count("SELECT count(*) FROM resume_like") == expected)
            #expect(try f.count("SELECT count(*) FROM notification WHERE kind = 'LIKE'") == 25)
        }
    }
}

@Suite struct ViewTests {
    @Test func oneViewPerVisitorPerHourNotTheOwners() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let db = f.h.database.database
        let t: Int64 = 1_780_000_000
        let hour = t - t % 3600
        func views() throws -> Int { try f.count("SELECT view_count FROM resume") }
        _ = try db.recordView(resumeID: f.resumeID, visitor: "a:x", viewerID: nil, now: hour + 10)
        _ = try db.recordView(resumeID: f.resumeID, visitor: "a:x", viewerID: nil, now: hour + 3599)
        #expect(try views() == 1)
        _ = try db.recordView(resumeID: f.resumeID, visitor: "a:y", viewerID: nil, now: hour + 20)
        #expect(try views() == 2)
        _ = try db.recordView(resumeID: f.resumeID, visitor: "a:x", viewerID: nil, now: hour + 3600)
        #expect(try views() == 3)
        let own = try db.recordView(resumeID: f.resumeID, visitor: "m:\(f.owner.id)", viewerID: f.owner.id, now: hour + 5)
        #expect(own.own && own.views == 3)

        // The nightly batch forgets visitors from before the previous hour; the counts stay, and a
        // visitor of the hour still going is not counted twice.
        #expect(try f.count("SELECT count(*) FROM resume_view") == 3)
        #expect(try db.forgetOldViews(now: hour + 3600 + 10) == 0, "the previous hour is kept")
        #expect(try db.forgetOldViews(now: hour + 7200 + 10) == 2)
        #expect(try f.count("SELECT count(*) FROM resume_view") == 1 && views() == 3)
        _ = try db.recordView(resumeID: f.resumeID, visitor: "a:x", viewerID: nil, now: hour + 3700)
        #expect(try views() == 3)
    }

    @Test func visitorsAreMembersOrKeyedHashesOfTheRunnersAddress() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, reader) = try f.h.signedInMember("reader")
        let function = ViewFunction(config: f.config)
        #expect(f.view(cookie: nil, function: function).json?["views"] as? Int == 1)
        // The same address again, and with a client's own X-Forwarded-For: the same visitor.
        #expect(f.view(cookie: nil, extra: ["x-forwarded-for": "198.51.100.9"], function: function).json?["views"] as? Int == 1)
        #expect(f.view(cookie: nil, ip: "203.0.113.6", function: function).json?["views"] as? Int == 2)
        #expect(f.view(cookie: reader, function: function).json?["views"] as? Int == 3)
        #expect(f.view(cookie: reader, ip: "192.0.2.1", function: function).json?["views"] as? Int == 3)
        let owner = f.view(cookie: f.ownerCookie, function: function)
        #expect(owner.json?["views"] as? Int == 3 && owner.json?["own"] as? Bool == true)
        // No raw address is stored.
        let visitors = try f.h.database.database.read { try $0.rows("SELECT visitor FROM resume_view").map { $0.text("visitor") } }
        #expect(visitors.allSatisfy { !$0.contains("203.0.113") && ($0.hasPrefix("a:") || $0.hasPrefix("m:")) })
        // Behind a trusted proxy, its X-Forwarded-For names the visitor.
        var env = f.h.environment
        env["GITFOLIO_TRUSTED_PROXIES"] = "10.0.0.1"
        let proxied = ViewFunction(config: try Config(environment: env))
        let behind = f.view(cookie: nil, ip: "10.0.0.1", extra: ["x-forwarded-for": "198.51.100.20, 10.0.0.1"], function: proxied)
        #expect(behind.json?["views"] as? Int == 4)
        #expect(f.view(cookie: nil, ip: "10.0.0.1", extra: ["x-forwarded-for": "198.51.100.20"], function: proxied).json?["views"] as? Int == 4)
    }

    @Test func privateResumesAreNotFoundAndCrossSiteViewsRefused() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        #expect(f.view(cookie: nil, extra: ["origin": "https://evil.example"]).errorCode == "cross_site_request")
        try f.h.database.setVisibility(.private, resumeID: f.resumeID, memberID: f.owner.id, now: Date())
        #expect(f.view(cookie: nil).errorCode == "resume_not_found")
        #expect(try f.count("SELECT view_count FROM resume") == 0)
    }
}

@Suite struct CommentTests {
    func post(_ f: HubFixture, _ cookie: String?, _ json: String) async -> FunctionResponse {
        await f.h.call(CommentFunction.handler, browser("POST", "/api/comment", cookie: cookie, json: json))
    }

    @Test func commentsAnchoredNotifiedEditedAndDeleted() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (reader, cookie) = try f.h.signedInMember("reader")
        let created = await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"<b>좋아요</b> 결과 수치가 궁금합니다","anchor":"projects[0]"}"#)
        #expect(created.statusCode == 201, "\(created.bodyText)")
        let comment = try #require(created.json?["comment"] as? [String: Any])
        #expect(comment["anchor"] as? String == "projects[0]" && comment["body"] as? String == "<b>좋아요</b> 결과 수치가 궁금합니다")
        let id = try #require(comment["id"] as? Int)
        #expect(try f.count("SELECT count(*) FROM notification WHERE kind = 'COMMENT' AND member_id = \(f.owner.id)") == 1)
        #expect(try f.count("SELECT comment_count FROM resume") == 1)

        let badAnchor = await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"x","anchor":"projects[99]"}"#)
        #expect(badAnchor.statusCode == 400 && badAnchor.errorField == "anchor")
        let empty = await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"   "}"#)
        #expect(empty.statusCode == 400 && empty.errorField == "body")
        let long = await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"\#(String(repeating: "가", count: 1001))"}"#)
        #expect(long.statusCode == 400 && long.errorField == "body")

        // The author edits; another member cannot; the owner may delete.
        let (_, other) = try f.h.signedInMember("other")
        let edit = #"{"id":\#(id),"body":"고쳤습니다"}"#
        #expect(await f.h.call(CommentFunction.handler, browser("PUT", "/api/comment", cookie: other, json: edit)).errorCode == "not_your_comment")
        #expect(await f.h.call(CommentFunction.handler, browser("PUT", "/api/comment", cookie: f.ownerCookie, json: edit)).errorCode == "not_your_comment")
        #expect(await f.h.call(CommentFunction.handler, browser("PUT", "/api/comment", cookie: cookie, json: edit)).statusCode == 200)
        let page = await f.h.call(CommentFunction.handler, browser("GET", "/api/comment", query: "resumeId=\(f.resumeID)"))
        let listed = try #require((page.json?["comments"] as? [[String: Any]])?.first)
        #expect(listed["body"] as? String == "고쳤습니다" && listed["edited"] as? Bool == true && listed["author"] as? String == "reader")
        #expect(listed["authorId"] as? Int == Int(reader.id))
        let remove = #"{"id":\#(id)}"#
        #expect(await f.h.call(CommentFunction.handler, browser("DELETE", "/api/comment", cookie: other, json: remove)).errorCode == "not_your_comment")
        #expect(await f.h.call(CommentFunction.handler, browser("DELETE", "/api/comment", cookie: f.ownerCookie, json: remove)).statusCode == 200)
        #expect(try f.count("SELECT comment_count FROM resume") == 0)
        #expect(try f.count("SELECT count(*) FROM notification") == 0)  // the notification went with its comment
    }

    @Test func pagingTakesTheSameStatementsWhateverThePageHolds() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        for i in 0..<45 {
            let (member, _) = try f.h.signedInMember("author-\(i)")
            _ = try f.h.database.addComment(resumeID: f.resumeID, memberID: member.id, anchor: nil, body: "comment \(i)", now: Date())
        }
        func statements(limit: Int, before: Int64? = nil) throws -> (Int, [CommentView]) {
            let seen = Counter()
            try f.h.database.database.statement { $0.trace { _ in seen.add() } }
            defer { _ = try? f.h.database.database.statement { $0.trace(nil) } }
            let page = try f.h.database.comments(resumeID: f.resumeID, before: before, limit: limit)
            return (seen.value, page)
        }
        let (small, five) = try statements(limit: 5)
        let (large, twenty) = try statements(limit: 20)
        let (last, rest) = try statements(limit: 20, before: twenty.last!.id)
        #expect(five.count == 5 && twenty.count == 20 && rest.count == 20)
        #expect(Set(twenty.map(\.author)).count == 20)  // each author named, from the same query
        #expect(small == large && large == last)
        #expect(large <= 4, "BEGIN, the resume check, the page, COMMIT")
        #expect(twenty.map(\.id) == twenty.map(\.id).sorted(by: >) && rest.first!.id < twenty.last!.id)
    }

    @Test("Private resumes' comments were readable", .tags(.originalDefect))
    func privateResumesHaveNoReadableComments() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, cookie) = try f.h.signedInMember("reader")
        #expect(await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"곧 비공개"}"#).statusCode == 201)
        try f.h.database.setVisibility(.private, resumeID: f.resumeID, memberID: f.owner.id, now: Date())
        let page = await f.h.call(CommentFunction.handler, browser("GET", "/api/comment", query: "resumeId=\(f.resumeID)", cookie: f.ownerCookie))
        #expect(page.errorCode == "resume_not_found")
        #expect(await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"또"}"#).errorCode == "resume_not_found")
    }

    @Test func aBurstOfCommentsIsSlowedDown() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, cookie) = try f.h.signedInMember("spammer")
        for i in 0..<AppDatabase.commentBurst {
            #expect(await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"spam \#(i)"}"#).statusCode == 201)
        }
        let refused = await post(f, cookie, #"{"resumeId":\#(f.resumeID),"body":"one more"}"#)
        #expect(refused.statusCode == 429 && refused.errorCode == "comment_rate_limited")
        #expect(Int(refused.headers["retry-after"] ?? "") ?? 0 >= 1)
        #expect(try f.count("SELECT count(*) FROM comment") == AppDatabase.commentBurst)
    }
}

@Suite struct NotificationTests {
    @Test func theOwnerReadsAndMarksTheirOwn() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (reader, cookie) = try f.h.signedInMember("reader")
        _ = f.like("POST", cookie: cookie)
        _ = try f.h.database.addComment(resumeID: f.resumeID, memberID: reader.id, anchor: "aboutMe", body: "좋은 소개", now: Date())
        let list = await f.h.call(NotificationsFunction.handler, browser("GET", "/api/notifications", cookie: f.ownerCookie))
        #expect(list.json?["unread"] as? Int == 2)
        let items = try #require(list.json?["notifications"] as? [[String: Any]])
        #expect(items.map { $0["kind"] as? String } == ["COMMENT", "LIKE"])
        #expect(items[0]["anchor"] as? String == "aboutMe" && items[0]["actor"] as? String == "reader")
        // The reader has none, and cannot mark the owner's.
        let theirs = await f.h.call(NotificationsFunction.handler, browser("POST", "/api/notifications", cookie: cookie,
                                                                            json: #"{"read":\#(items[0]["id"] as! Int)}"#))
        #expect(theirs.errorCode == "notification_not_found")
        let one = await f.h.call(NotificationsFunction.handler, browser("POST", "/api/notifications", cookie: f.ownerCookie,
                                                                         json: #"{"read":\#(items[0]["id"] as! Int)}"#))
        #expect(one.json?["unread"] as? Int == 1)
        let all = await f.h.call(NotificationsFunction.handler, browser("POST", "/api/notifications", cookie: f.ownerCookie, json: #"{"readAll":true}"#))
        #expect(all.json?["unread"] as? Int == 0)
        #expect(await f.h.call(NotificationsFunction.handler, browser("GET", "/api/notifications")).statusCode == 401)
        // Withdrawn, the resume has no page: its notifications stay, marked as no longer public.
        #expect(items.allSatisfy { $0["available"] as? Bool == true })
        try f.h.database.setVisibility(.private, resumeID: f.resumeID, memberID: f.owner.id, now: Date())
        let after = await f.h.call(NotificationsFunction.handler, browser("GET", "/api/notifications", cookie: f.ownerCookie))
        let kept = try #require(after.json?["notifications"] as? [[String: Any]])
        #expect(kept.count == 2 && kept.allSatisfy { $0["available"] as? Bool == false })
    }

    /// A comment's notification names the project its anchor is in, so the owner's notifications
    /// page says which project it is about (the anchor itself is a path such as `projects[1]`).
    @Test func aCommentOnAProjectNamesTheProject() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (reader, _) = try f.h.signedInMember("reader")
        let projects = Resume.sample(.ko).projects.map(\.name)
        for anchor in ["projects[1]", "projects[0].bullets[2]", "aboutMe", "projects"] {
            _ = try f.h.database.addComment(resumeID: f.resumeID, memberID: reader.id, anchor: anchor, body: anchor, now: Date())
        }
        _ = try f.h.database.addComment(resumeID: f.resumeID, memberID: reader.id, anchor: nil, body: "전체", now: Date())
        let list = await f.h.call(NotificationsFunction.handler, browser("GET", "/api/notifications", cookie: f.ownerCookie))
        #expect(list.statusCode == 200, "\(list.bodyText)")
        let items = try #require(list.json?["notifications"] as? [[String: Any]]).reversed().map { $0 }
        #expect(items.map { $0["anchor"] as? String } == ["projects[1]", "projects[0].bullets[2]", "aboutMe", "projects", nil])
        #expect(items.map { $0["anchorProject"] as? String } == [projects[1], projects[0], nil, nil, nil])
    }

    /// Deleting an account takes its likes, comments and notifications with it and corrects the
    /// counts of the resumes it touched.
    @Test func aDeletedAccountLeavesExactCounts() async throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, stays) = try f.h.signedInMember("stays")
        let (goes, goesCookie) = try f.h.signedInMember("goes")
        _ = f.like("POST", cookie: stays)
        _ = f.like("POST", cookie: goesCookie)
        _ = try f.h.database.addComment(resumeID: f.resumeID, memberID: goes.id, anchor: nil, body: "bye", now: Date())
        #expect(try f.count("SELECT like_count FROM resume") == 2)
        let deleted = await f.h.call(MeFunction.handler, browser("DELETE", "/api/me", cookie: goesCookie, json: #"{"confirm":"goes"}"#))
        #expect(deleted.statusCode == 200)
        #expect(try f.count("SELECT like_count FROM resume") == 1)
        #expect(try f.count("SELECT comment_count FROM resume") == 0)
        #expect(try f.count("SELECT count(*) FROM notification WHERE actor_id = \(goes.id)") == 0)
        #expect(try f.count("SELECT count(*) FROM comment") == 0)
    }

    @Test func theHeaderLearnsTheUnreadCountFromSession() throws {
        let f = try HubFixture()
        defer { f.h.dir.remove() }
        let (_, cookie) = try f.h.signedInMember("reader")
        _ = f.like("POST", cookie: cookie)
        let function = SessionFunction(config: f.config).respond
        let request = browser("GET", "/api/session", cookie: f.ownerCookie)
        let answer = FunctionRunner.respond(.success(request), context: FunctionContext(name: "session", mode: .warm), handler: function)
        #expect(answer.json?["unread"] as? Int == 1)
    }
}

/// Counts calls (from a trace hook).
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// Starts one process per input, all before any gets its input (so they really run at the same
/// time), then feeds each its input and collects its output. The waiting happens off the
/// cooperative pool: fakes in this process must keep answering.
func runAllAtOnce(_ executable: URL, environment: [String: String], inputs: [Data]) async throws -> [Data] {
    try await offPool {
        var running: [(Process, Pipe, Pipe)] = []
        for _ in inputs {
            let p = Process(), input = ChildProcesses.pipe(), output = ChildProcesses.pipe()
            p.executableURL = executable
            p.environment = environment
            p.standardInput = input
            p.standardOutput = output
            p.standardError = FileHandle.nullDevice
            try p.runAlone()
            running.append((p, input, output))
        }
        for ((_, input, _), data) in zip(running, inputs) {
            input.fileHandleForWriting.write(data)
            try input.fileHandleForWriting.close()
        }
        return running.map { p, _, output in
            let data = output.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return data
        }
    }
}
