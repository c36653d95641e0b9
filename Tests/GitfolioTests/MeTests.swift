import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport
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
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        #expect(put.statusCode == 200)
        let get = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie))
        let profile = try JSONDecoder().decode(Profile.self, from: try JSONSerialization.data(withJSONObject: get.json!["profile"]!))
        #expect(profile == (try Profile.parse(try JSONValue.parse(fullProfile), today: h.services.today)))
        #expect(profile.education.first?.schoolType == .bachelor)
        #expect(profile.workExperience.first?.employment == .employed)
    }

    @Test func signedOutIs401() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let get = await h.call(MeFunction.handler, browser("GET", "/api/me"))
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
            let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: value, json: #"{"name":"hacked"}"#))
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
                                     now: Date().addingTimeInterval(-Double(Database.sessionLifetimeSeconds) - 10))
        let get = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: "gitfolio_session=\(token)"))
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
        _ = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        let before = try h.database.profile(memberID: member.id)
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400)
        #expect(put.errorCode == code)
        if code == "invalid_json" {
            #expect((put.errorMessage ?? "").contains(field))
        } else {
            #expect(put.errorField == field)
        }
        #expect(try h.database.profile(memberID: member.id) == before)
    }

    /// Decomposed Korean or `e` + a combining accent counts as people see it (NFC), the same way in
    /// the parser and the schema: a valid name is stored, a long one is a 400 naming the field, never
    /// a 500 (issue 15, defect 5).
    @Test func textIsNormalisedAndCountedOneWay() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        let decomposedKorean = String(repeating: "\u{1100}\u{1161}", count: 50)  // 50 × 가, decomposed
        let accented = String(repeating: "e\u{0301}", count: 50)                   // 50 × é, decomposed
        for name in [decomposedKorean, accented] {
            let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"\#(name)"}"#))
            #expect(put.statusCode == 200, "\(put.bodyText)")
            let stored = try #require(try h.database.profile(memberID: member.id)?.name)
            #expect(stored == name.precomposedStringWithCanonicalMapping && stored.unicodeScalars.count == 50)
        }
        let school = String(repeating: "\u{1112}\u{1161}\u{11AB}", count: 101)  // 101 × 한, decomposed
        let long = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"""
            {"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"\#(school)","status":"GRADUATED"}]}
            """#))
        #expect(long.statusCode == 400 && long.errorField == "education[0].schoolName")
    }

    /// Dates a person could not mean: a graduation or a past job ending in the future, an end date on
    /// a job they still have (issue 17).
    @Test(arguments: [
        (#"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"GRADUATED","end":"2031.02"}]}"#, "education[0].end"),
        (#"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"ATTENDING","end":"2040.02"}]}"#, "education[0].end"),
        (#"{"workExperience":[{"company":"X","workType":"FULL_TIME","employment":"EMPLOYMENT","end":"2024.01"}]}"#, "workExperience[0].end"),
        (#"{"workExperience":[{"company":"X","workType":"FULL_TIME","employment":"RESIGNATION","start":"2039.01"}]}"#, "workExperience[0].start"),
    ])
    func impossibleDatesAreRefused(body: String, field: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400 && put.errorField == field)
        // Still studying, with the expected graduation ahead: fine.
        let attending = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"""
            {"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"ATTENDING","start":"2024.03","end":"2028.02"}]}
            """#))
        #expect(attending.statusCode == 200)
    }

    @Test func tooManyEntriesAreRefused() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let links = (0...Profile.maxListItems).map { #"{"title":"l\#($0)","url":"https://x.example/\#($0)"}"# }.joined(separator: ",")
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"{"links":[\#(links)]}"#))
        #expect(put.statusCode == 400)
    }

    @Test func aMemberCannotChangeAnotherMembersData() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, aliceCookie) = try h.signedInMember("alice")
        let (bob, bobCookie) = try h.signedInMember("bob")
        _ = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: bobCookie, json: fullProfile))
        let bobBefore = try h.database.profile(memberID: bob.id)
        // Alice names Bob's id in the body, the query and a header: only her own row may change.
        let attempt = await h.call(MeFunction.handler, browser(
            "PUT", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie, json: #"{"id":\#(bob.id),"name":"owned"}"#,
            extra: ["x-member-id": "\(bob.id)"]))
        #expect(attempt.statusCode == 400)
        let ok = await h.call(MeFunction.handler, browser("PUT", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie,
                                                     json: #"{"name":"Alice"}"#))
        #expect(ok.statusCode == 200)
        #expect(try h.database.profile(memberID: bob.id) == bobBefore)
        // Deleting "me" deletes only the caller.
        let delete = await h.call(MeFunction.handler, browser("DELETE", "/api/me", query: "memberId=\(bob.id)", cookie: aliceCookie,
                                                         json: #"{"confirm":"alice"}"#))
        #expect(delete.statusCode == 200)
        #expect(try h.database.profile(memberID: bob.id) == bobBefore)
    }

    /// DNS rebinding: a page on another name that resolves to 127.0.0.1 sends its own Host and
    /// Origin. Neither is trusted: both must be the configured site's (issue 15, defect 4).
    @Test func aRebindingPageCannotChangeState() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        let before = try h.database.profile(memberID: member.id)
        let attack = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"rebound"}"#, origin: "http://rebind.example:8080",
                             extra: ["host": "rebind.example:8080"])
        let put = await h.call(MeFunction.handler, attack)
        #expect(put.statusCode == 403 && put.errorCode == "unknown_host")
        let originOnly = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"rebound"}"#, origin: "http://rebind.example:8080")
        #expect(await h.call(MeFunction.handler, originOnly).errorCode == "cross_site_request")
        #expect(try h.database.profile(memberID: member.id) == before)
        // The site's own loopback names stay allowed when the site is on loopback.
        let localhost = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"ok"}"#, origin: "http://localhost:8080",
                                extra: ["host": "localhost:8080"])
        #expect(await h.call(MeFunction.handler, localhost).statusCode == 200)
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
        let put = await h.call(MeFunction.handler, request)
        #expect(put.statusCode == 403)
        #expect(put.errorCode == code)
        var delete = browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"alice"}"#, origin: nil, extra: headers)
        delete.headers.removeValue(forKey: "host")
        #expect(await h.call(MeFunction.handler, delete).statusCode == 403)
        #expect(try h.database.profile(memberID: member.id) == before)
        // The same request with the site's own Origin, or the CSRF header from a script, passes.
        let same = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"ok"}"#))
        #expect(same.statusCode == 200)
        let script = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"ok"}"#, origin: nil,
                                                         extra: ["x-gitfolio-csrf": "1"]))
        #expect(script.statusCode == 200)
    }

    @Test func wrongMethodAndMediaType() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let post = await h.call(MeFunction.handler, browser("POST", "/api/me", cookie: cookie, json: "{}"))
        #expect(post.statusCode == 405)
        var form = browser("PUT", "/api/me", cookie: cookie, json: #"{"name":"x"}"#)
        form.headers["content-type"] = "application/x-www-form-urlencoded"
        #expect(await h.call(MeFunction.handler, form).statusCode == 415)
        #expect(await h.call(LogoutFunction.handler, browser("GET", "/api/logout", cookie: cookie)).statusCode == 405)
        #expect(await h.call(AuthCallbackFunction.handler, browser("POST", "/api/auth-callback")).statusCode == 405)
    }

    @Test func deleteAccountNeedsConfirmationThenRemovesEverything() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember("carol")
        _ = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: fullProfile))
        let unconfirmed = await h.call(MeFunction.handler, browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"someone"}"#))
        #expect(unconfirmed.statusCode == 400)
        #expect(unconfirmed.errorCode == "confirmation_required")
        #expect(try h.database.profile(memberID: member.id) != nil)
        let deleted = await h.call(MeFunction.handler, browser("DELETE", "/api/me", cookie: cookie, json: #"{"confirm":"carol"}"#))
        #expect(deleted.statusCode == 200)
        #expect(deleted.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        #expect(try h.database.profile(memberID: member.id) == nil)
        let leftovers = try h.database.database.read { db in
            try ["session", "education", "work_experience", "certificate", "link", "github_token"].map {
                try db.integer("SELECT count(*) FROM \($0) WHERE member_id = ?", [member.id]) ?? 0
            }
        }
        #expect(leftovers == [0, 0, 0, 0, 0, 0])
        #expect(await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie)).statusCode == 401)
    }

    @Test func logoutEndsTheSession() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let out = await h.call(LogoutFunction.handler, browser("POST", "/api/logout", cookie: cookie))
        #expect(out.statusCode == 200)
        #expect(out.cookie("gitfolio_session")?.contains("Max-Age=0") == true)
        #expect(await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie)).statusCode == 401)
    }

    @Test func localSignInOnlyUnderServeOnLoopback() async throws {
        let key = Secrets.randomToken()
        let h = try Harness(localKey: key)
        defer { h.dir.remove() }
        let body = #"{"login":"trial-user","name":"체험"}"#
        func attempt(mode: RunMode, key given: String?, ip: String) async -> FunctionResponse {
            var request = browser("POST", "/api/login", json: body, extra: given.map { ["x-gitfolio-local-key": $0] } ?? [:])
            request.sourceIp = ip
            return await h.call(LoginFunction.handler, request, mode: mode)
        }
        #expect(await attempt(mode: .cgi, key: key, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .oneShot, key: key, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: nil, ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: "guess", ip: "127.0.0.1").errorCode == "local_signin_disabled")
        #expect(await attempt(mode: .warm, key: key, ip: "203.0.113.9").errorCode == "local_signin_disabled")
        #expect(try h.database.memberCount() == 0)
        let ok = await attempt(mode: .warm, key: key, ip: "127.0.0.1")
        #expect(ok.statusCode == 200)
        try expectCookieLivesAsLongAsItsSession(try #require(ok.cookie("gitfolio_session")), database: h.database)
        #expect(try h.database.memberCount() == 1)
    }

    @Test func localSignInIsOffWhenGitHubIsConfigured() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        let harness = try Harness(github: github)
        defer { harness.dir.remove() }
        var env = harness.environment
        env["GITFOLIO_LOCAL_SIGNIN_KEY"] = "k"
        let services = try Services.live(config: try Config(environment: env), transport: URLSessionTransport())
        var request = browser("POST", "/api/login", json: #"{"login":"x"}"#, extra: ["x-gitfolio-local-key": "k"])
        request.sourceIp = "127.0.0.1"
        let response = await FunctionRunner.respond(.success(request), context: FunctionContext(name: "t", mode: .warm)) { r, c in
            try await LoginFunction.handler(services, r, c)
        }
        #expect(response.errorCode == "local_signin_disabled")
    }
}

@Suite struct FieldErrorTests {
    /// Messages are sentences for a person, in both languages: no field paths or variable names, and
    /// the Korean particle that fits the word before it (the path goes in `field`, for the page).
    @Test(arguments: [
        (#"{"education":[{"schoolType":"HIGH_SCHOOL","schoolName":"X","status":"GRADUATED","start":"2020.05","end":"2019.01"}]}"#,
         "education[0].end", "The end month of education entry 1 cannot be before the start.",
         "학력 1번째 항목의 종료 시기는 시작보다 앞설 수 없습니다."),
        (#"{"email":"nope"}"#, "email", "The email address must be an email address such as name@example.com.",
         "이메일은 name@example.com 같은 이메일 주소여야 합니다."),
        (#"{"jobRole":"CEO"}"#, "jobRole", "The job role must be one of: Backend, Frontend, Infrastructure, AI, Game.",
         "직무는 백엔드, 프론트엔드, 인프라, 인공지능, 게임 중 하나여야 합니다."),
        (#"{"links":[{"title":"x","url":"https://ok.example"},{"url":""}]}"#, "links[1].url", "The address of link 2 is required.",
         "링크 2번째 항목의 주소가 필요합니다."),
        (#"{"workExperience":[{"company":"Naver","workType":"FULL_TIME","employment":"EMPLOYMENT","start":"2020.01","end":"2021.01"}]}"#,
         "workExperience[0].end", "The end month of work experience entry 1 must be empty for a job you still have.",
         "경력 1번째 항목의 종료 시기는 재직 중인 회사에는 비워 두어야 합니다."),
        (#"{"plan":"PRO"}"#, "plan", "This field cannot be set here.", "이 항목은 여기서 설정할 수 없습니다."),
    ])
    func errorsNameTheFieldInEnglishAndKorean(body: String, field: String, english: String, korean: String) async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400)
        #expect(put.errorField == field)
        #expect(put.errorMessage == english)
        #expect(put.errorKorean == korean)
    }

    /// A form with several mistakes hears about all of them at once, each with its field, in both languages.
    @Test func everyMistakeOfASaveIsReported() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let body = #"""
        {"email":"nope","phone":"call me",
         "education":[{"schoolType":"","schoolName":"","status":"GRADUATED","start":"2020.05","end":"2019.01"},
                      {"schoolType":"HIGH_SCHOOL","schoolName":"Ok","status":"GRADUATED","start":"2030.01"}],
         "workExperience":[{"company":"Naver","workType":"FULL_TIME","employment":"EMPLOYMENT","start":"2020.01","end":"2021.01"}],
         "links":[{"title":"x","url":"ftp://x"}]}
        """#
        let put = await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json: body))
        #expect(put.statusCode == 400)
        let errors = try #require((put.json?["error"] as? [String: Any])?["errors"] as? [[String: Any]])
        let fields = errors.compactMap { $0["field"] as? String }
        #expect(Set(fields) == ["email", "phone", "education[0].schoolType", "education[0].schoolName", "education[0].end",
                                "education[1].start", "workExperience[0].end", "links[0].url"], "\(fields)")
        #expect(put.errorField == fields.first)
        for error in errors {
            let messages = try #require(error["messages"] as? [String: String])
            #expect(messages["en"] == error["message"] as? String && messages["ko"]?.hasSuffix("다.") == true)
        }
        let korean = errors.compactMap { ($0["messages"] as? [String: String])?["ko"] }
        #expect(korean.contains("학력 1번째 항목의 학교 구분이 필요합니다."))
        #expect(korean.contains("학력 2번째 항목의 시작 시기는 미래일 수 없습니다."))
        #expect(try h.database.profile(memberID: 1)?.email ?? "" == "", "nothing is saved")
    }

    @Test func aFinishedSchoolCannotEndInTheFutureButStudiesMay() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        func put(_ status: String, end: Int) async -> FunctionResponse {
            await h.call(MeFunction.handler, browser("PUT", "/api/me", cookie: cookie, json:
                #"{"education":[{"schoolType":"UNIVERSITY_BACHELOR","schoolName":"X","status":"\#(status)","start":"2020.03","end":"\#(end).02"}]}"#))
        }
        let graduated = await put("GRADUATED", end: year + 3)
        #expect(graduated.statusCode == 400 && graduated.errorKorean ==
                "학력 1번째 항목의 종료 시기는 마친 학교라면 미래일 수 없습니다. 아직 다니고 있다면 졸업 여부를 재학중으로 고르세요.")
        #expect(await put("ATTENDING", end: year + 3).statusCode == 200)
        let farAhead = await put("ATTENDING", end: year + 12)
        #expect(farAhead.statusCode == 400 && farAhead.errorMessage == "The end month of education entry 1 can be at most 8 years ahead.")
    }

    @Test(arguments: [("시기", "는"), ("이메일", "은"), ("직무", "는"), ("주소", "는"), ("URL", "은"), ("Docker", "는"), ("3", "은"), ("2", "는")])
    func koreanParticlesFollowTheLastSound(word: String, topic: String) {
        #expect(Korean.topic(word) == topic)
    }
}
