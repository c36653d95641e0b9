import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport
import GRDB
import Testing

let fullProfile = """
{"name":"김개발","email":"dev@example.com","phone":"010-1234-5678","avatarURL":"https://avatars.example/u/1","jobRole":"BACKEND",
 "education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"한국대학교","major":"컴퓨터공학","status":"GRADUATED","start":"2016.03","end":"2020.02"}],
 "workExperience":[{"company":"카카오","title":"Backend engineer","workType":"FULL_TIME","employment":"EMPLOYMENT","start":"2020.03","description":"결제 API"}],
 "certificates":[{"name":"정보처리기사","issuer":"한국산업인력공단","acquired":"2019.11"}],
 "links":[{"title":"Blog","url":"https://blog.example"}]}
"""

@Suite struct MeTests {
    @Test func readUpdateAndReadBack() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let put = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        #expect(put.statusCode == 200)
        let get = await h.call(MeHandlers.me, browser("GET", "/api/me", cookie: cookie))
        let profile = try JSONDecoder().decode(Profile.self, from: try JSONSerialization.data(withJSONObject: get.json!["profile"]!))
        #expect(profile == (try Profile.parse(json: Data(fullProfile.utf8))))
        #expect(profile.education.first?.schoolType == .bachelor)
        #expect(profile.workExperience.first?.employment == .employed)
    }

    @Test func signedOutIs401() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let get = await h.call(MeHandlers.me, browser("GET", "/api/me"))
        #expect(get.statusCode == 401)
        #expect(get.errorCode == "unauthorized")
    }

    @Test(arguments: [
        ("gitfolio_session=", "empty"),
        ("gitfolio_session=abc", "too short"),
        ("gitfolio_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "unknown id of the right form"),
        ("gitfolio_session=<script>alert(1)</script>AAAAAAAAAAAAAAAAAAAAAAAAA", "garbage"),
    ])
    func tamperedSessionCookieIsRefusedAndCleared(cookie: String, _ why: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, real) = try h.signedInMember()
        let before = try h.database.profile(memberID: 1)
        // Flip one character of a real session id, too.
        var flipped = Array(real)
        flipped[flipped.count - 1] = flipped.last == "A" ? "B" : "A"
        for value in [cookie, String(flipped)] {
            let put = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: value, json: #"{"name":"hacked"}"#))
            #expect(put.statusCode == 401, "\(why)")
            #expect(put.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        }
        #expect(try h.database.profile(memberID: 1) == before)
    }

    @Test func expiredSessionIsRefused() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let member = try h.database.upsertLocalMember(login: "old", name: "old", now: Date())
        let token = Secrets.randomToken()
        try h.database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id,
                                     now: Date().addingTimeInterval(-AppDatabase.sessionLifetime - 10))
        let get = await h.call(MeHandlers.me, browser("GET", "/api/me", cookie: "gitfolio_session=\(token)"))
        #expect(get.statusCode == 401)
    }

    @Test(arguments: [
        (#"{"jobRole":"CEO"}"#, "invalid_field", "jobRole"),
        (#"{"email":"not-an-email"}"#, "invalid_field", "email"),
        (#"{"phone":"call me maybe"}"#, "invalid_field", "phone"),
        (#"{"avatarURL":"javascript:alert(1)"}"#, "invalid_field", "avatarURL"),
        (#"{"name":"\#(String(repeating: "가", count: 51))"}"#, "invalid_field", "name"),
        (#"{"name":42}"#, "invalid_field", "name"),
        (#"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"GRADUATED","start":"2020.13"}]}"#, "invalid_field", "education[0].start"),
        (#"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"GRADUATED","start":"2020.05","end":"2019.01"}]}"#, "invalid_field", "education[0].end"),
        (#"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","status":"GRADUATED"}]}"#, "invalid_field", "education[0].schoolName"),
        (#"{"workExperience":[{"company":"X","workType":"SLAVE","employment":"EMPLOYMENT"}]}"#, "invalid_field", "workExperience[0].workType"),
        (#"{"links":[{"title":"x","url":"ftp://files.example"}]}"#, "invalid_field", "links[0].url"),
        (#"{"links":"https://x.example"}"#, "invalid_field", "links"),
        (#"{"plan":"PRO"}"#, "unknown_field", "plan"),
        (#"{"memberId":2,"name":"x"}"#, "unknown_field", "memberId"),
        (#"{"education":[{"schoolType":"HIGH_SCHOOL","schoolName":"X","status":"GRADUATED","memberId":2}]}"#, "unknown_field", "education[0].memberId"),
        ("[1]", "invalid_json", "JSON"),
        ("{nope", "invalid_json", "JSON"),
        ("", "invalid_json", "JSON"),
    ])
    func invalidProfilesAreRefusedAndChangeNothing(body: String, code: String, field: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        _ = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        let before = try h.database.profile(memberID: member.id)
        let put = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400)
        #expect(put.errorCode == code)
        #expect((put.errorMessage ?? "").contains(field))
        #expect(try h.database.profile(memberID: member.id) == before)
    }

    @Test func tooManyEntriesAreRefused() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let links = (0...Profile.maxListItems).map { #"{"title":"l\#($0)","url":"https://x.example/\#($0)"}"# }.joined(separator: ",")
        let put = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: #"{"links":[\#(links)]}"#))
        #expect(put.statusCode == 400)
    }

    @Test func aMemberCannotChangeAnotherMembersData() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, aliceCookie) = try h.signedInMember("alice")
        let (bob, bobCookie) = try h.signedInMember("bob")
        _ = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: bobCookie, json: fullProfile))
        let bobBefore = try h.database.profile(memberID: bob.id)
        // Alice names Bob's id in the body, the query and a header: only her own row may change.
        let attempt = await h.call(MeHandlers.me, browser(
            "PUT", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie, json: #"{"id":\#(bob.id),"name":"owned"}"#,
            extra: ["x-member-id": "\(bob.id)"]))
        #expect(attempt.statusCode == 400)
        let ok = await h.call(MeHandlers.me, browser("PUT", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie,
                                                     json: #"{"name":"Alice"}"#))
        #expect(ok.statusCode == 200)
        #expect(try h.database.profile(memberID: bob.id) == bobBefore)
        // Deleting "me" deletes only the caller.
        let delete = await h.call(MeHandlers.me, browser("DELETE", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie,
                                                         json: #"{"confirm":"alice"}"#))
        #expect(delete.statusCode == 200)
        #expect(try h.database.profile(memberID: bob.id) == bobBefore)
    }

    @Test(arguments: [
        (["origin": "https://evil.example"], "cross_site_request"),
        (["origin": "http://127.0.0.1:8080.evil.example"], "cross_site_request"),
        (["sec-fetch-site": "cross-site"], "cross_site_request"),
        ([:], "csrf_header_missing"),
    ])
    func crossSiteStateChangesAreRefused(headers: [String: String], code: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        let before = try h.database.profile(memberID: member.id)
        var request = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"csrf"}"#, origin: nil, extra: headers)
        request.headers.removeValue(forKey: "host")
        let put = await h.call(MeHandlers.me, request)
        #expect(put.statusCode == 403)
        #expect(put.errorCode == code)
        var delete = browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"alice"}"#, origin: nil, extra: headers)
        delete.headers.removeValue(forKey: "host")
        #expect(await h.call(MeHandlers.me, delete).statusCode == 403)
        #expect(try h.database.profile(memberID: member.id) == before)
        // The same request with the site's own Origin, or the CSRF header from a script, passes.
        let same = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"ok"}"#))
        #expect(same.statusCode == 200)
        let script = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"ok"}"#, origin: nil,
                                                         extra: ["x-gitfolio-csrf": "1"]))
        #expect(script.statusCode == 200)
    }

    @Test func wrongMethodAndMediaType() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let post = await h.call(MeHandlers.me, browser("POST", "/api/me", cookie: cookie, json: "{}"))
        #expect(post.statusCode == 405)
        var form = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"x"}"#)
        form.headers["content-type"] = "application/x-www-form-urlencoded"
        #expect(await h.call(MeHandlers.me, form).statusCode == 415)
        #expect(await h.call(AuthHandlers.logout, browser("GET", "/api/logout", cookie: cookie)).statusCode == 405)
        #expect(await h.call(AuthHandlers.authCallback, browser("POST", "/api/auth-callback")).statusCode == 405)
    }

    @Test func deleteAccountNeedsConfirmationThenRemovesEverything() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember("carol")
        _ = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        let unconfirmed = await h.call(MeHandlers.me, browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"someone"}"#))
        #expect(unconfirmed.statusCode == 400)
        #expect(unconfirmed.errorCode == "confirmation_required")
        #expect(try h.database.profile(memberID: member.id) != nil)
        let deleted = await h.call(MeHandlers.me, browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"carol"}"#))
        #expect(deleted.statusCode == 200)
        #expect(deleted.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        #expect(try h.database.profile(memberID: member.id) == nil)
        let leftovers = try await h.database.writer.read { db in
            try ["session", "education", "work_experience", "certificate", "link", "github_token"].map {
                try Int.fetchOne(db, sql: "SELECT count(*) FROM \($0) WHERE member_id = ?", arguments: [member.id]) ?? 0
            }
        }
        #expect(leftovers == [0, 0, 0, 0, 0, 0])
        #expect(await h.call(MeHandlers.me, browser("GET", "/api/me", cookie: cookie)).statusCode == 401)
    }

    @Test func logoutEndsTheSession() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let out = await h.call(AuthHandlers.logout, browser("POST", "/api/logout", cookie: cookie))
        #expect(out.statusCode == 200)
        #expect(out.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        #expect(await h.call(MeHandlers.me, browser("GET", "/api/me", cookie: cookie)).statusCode == 401)
    }

    @Test func localSignInOnlyUnderServeOnLoopback() async throws {
        let key = Secrets.randomToken()
        let h = try Harness(localKey: key)
        defer { h.dir.remove() }
        let body = #"{"login":"trial-user","name":"체험"}"#
        func attempt(mode: RunMode, key given: String?, ip: String) async -> FunctionResponse {
            var request = browser("POST", "/api/login", json: body, extra: given.map { ["x-gitfolio-local-key": $0] } ?? [:])
            request.requestContext.http.sourceIp = ip
            return await h.call(AuthHandlers.login, request, mode: mode)
        }
        #expect(await attempt(mode: .cgi, key: key, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .oneShot, key: key, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: nil, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: "guess", ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: key, ip: "203.0.113.9").errorCode == "local_signin_disabled")
        #expect(try h.database.memberCount() == 0)
        let ok = await attempt(mode: .warm, key: key, ip: "127.0.0.1")
        #expect(ok.statusCode == 200)
        #expect(ok.cookie("gitfolio_session") != nil)
        #expect(try h.database.memberCount() == 1)
    }

    @Test func localSignInIsOffWhenGitHubIsConfigured() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let harness = try Harness(github: github)
        defer { harness.dir.remove() }
        var env = harness.environment
        env["GITFOLIO_LOCAL_SIGNIN_KEY"] = "k"
        let services = try Services.live(environment: env, transport: URLSessionTransport())
        var request = browser("POST", "/api/login", json: #"{"login":"x"}"#, extra: ["x-gitfolio-local-key": "k"])
        request.requestContext.http.sourceIp = "127.0.0.1"
        let response = await FunctionRuntime.respond(to: request, context: FunctionContext(name: "t", mode: .warm)) { r, c in
            try await AuthHandlers.login(services, r, c)
        }
        #expect(response.errorCode == "local_signin_disabled")
    }
}

@Suite struct FieldErrorTests {
    @Test(arguments: [
        (#"{"education":[{"schoolType":"HIGH_SCHOOL","schoolName":"X","status":"GRADUATED","start":"2020.05","end":"2019.01"}]}"#,
         "education[0].end", "학력 1번째 항목의 종료은(는) 시작보다 앞설 수 없습니다."),
        (#"{"email":"nope"}"#, "email", "이메일은(는) 이메일 주소 형식이 아닙니다."),
        (#"{"jobRole":"CEO"}"#, "jobRole", "직무은(는) 다음 중 하나여야 합니다: 백엔드, 프론트엔드, 인프라, 인공지능, 게임."),
        (#"{"links":[{"title":"x","url":"https://ok.example"},{"url":""}]}"#, "links[1].url", "링크 2번째 항목의 URL은(는) 필수입니다."),
        (#"{"plan":"PRO"}"#, "plan", "plan은(는) 여기서 설정할 수 없는 항목입니다."),
    ])
    func errorsNameTheFieldInEnglishAndKorean(body: String, field: String, korean: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let put = await h.call(MeHandlers.me, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400)
        let error = try #require(put.json?["error"] as? [String: Any])
        #expect(error["field"] as? String == field)
        let message = try #require(error["message"] as? String)
        #expect(message.hasPrefix(field + " "))
        #expect(message.hasSuffix(" / " + korean))
    }
}
