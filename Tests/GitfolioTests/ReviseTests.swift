import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import Testing

@Suite struct ReviseTests {
    /// A member with a stored Korean resume, and a fake model server.
    func setup(model: Bool = true) async throws -> (FakeLLM, Harness, Member, String, Int64, Resume) {
        let fake = try await FakeLLM()
        let env = model ? ["GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": fake.baseURL.absoluteString + "/v1",
                           "GITFOLIO_LLM_MODEL": "test-model", "GITFOLIO_LLM_API_KEY": "sk-test"] : [:]
        let h = try Harness(extra: env)
        let (member, cookie) = try h.signedInMember()
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(name: "앨리스"), template: .basic, language: .ko)
        let id = try h.database.createResume(memberID: member.id, title: "이력서", resume: resume, now: Date())
        return (fake, h, member, cookie, id, resume)
    }

    func body(_ id: Int64, path: String = "projects[0].bullets[1]", start: Int, end: Int, instruction: String = "더 구체적으로") -> String {
        let object: [String: Any] = ["resumeId": id, "path": path, "start": start, "end": end, "instruction": instruction]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    func uses(_ h: Harness, _ m: Member) throws -> Int { try h.database.aiUses(memberID: m.id, on: Plans.day(of: Date())) }

    @Test func rewritesOnlyTheSelectedSpanAndSavesNothing() async throws {
        let (fake, h, member, cookie, id, resume) = try await setup()
        defer { Task { await fake.stop() }; h.dir.remove() }
        await fake.script.load([.chat(#"{"replacement":"주문·결제 웹 서비스 설계 및 개발"}"#)])
        let line = try #require(resume.line(at: "projects[0].bullets[1]")).text  // "Express, React, Gin 기반 웹 서비스 개발"
        let start = line.utf16.count - "웹 서비스 개발".utf16.count
        let before = try h.database.resume(id: id, memberID: member.id)
        let response = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
                                                                   json: body(id, start: start, end: line.utf16.count)))
        #expect(response.statusCode == 200, "\(response.bodyText)")
        let json = try #require(response.json)
        #expect(json["before"] as? String == "웹 서비스 개발")
        #expect(json["after"] as? String == "주문·결제 웹 서비스 설계 및 개발")
        #expect(json["text"] as? String == "Express, React, Gin 기반 주문·결제 웹 서비스 설계 및 개발")
        #expect((json["findings"] as? [Any])?.isEmpty == true)
        #expect(json["aiUsesToday"] as? Int == 1)
        #expect(try h.database.resume(id: id, memberID: member.id) == before)
        let sent = try #require(await fake.script.seen.first?.json)
        let user = ((sent["messages"] as? [[String: Any]])?.last?["content"] as? String) ?? ""
        #expect(user.contains("Gin 기반 «웹 서비스 개발»") && user.contains("Request: 더 구체적으로"))
    }

    @Test func inventedNumbersAndTechnologiesAreFlagged() async throws {
        let (fake, h, _, cookie, id, _) = try await setup()
        defer { Task { await fake.stop() }; h.dir.remove() }
        await fake.script.load([.chat(#"{"replacement":"Kubernetes로 배포해 응답 시간 30% 단축"}"#)])
        let response = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: body(id, start: 0, end: 7)))
        #expect(response.statusCode == 200)
        let findings = (response.json?["findings"] as? [[String: Any]])?.compactMap { $0["value"] as? String } ?? []
        #expect(Set(findings) == ["Kubernetes", "30"])
    }

    @Test(arguments: [
        ("other", 404, "resume_not_found"), ("span-past-end", 400, "invalid_span"), ("empty-span", 400, "invalid_span"),
        ("split-emoji", 400, "invalid_span"), ("empty-instruction", 400, "invalid_field"), ("huge-instruction", 400, "invalid_field"),
        ("bad-path", 400, "invalid_field"), ("no-model", 503, "model_not_configured"), ("model-down", 503, "model_unavailable"),
    ])
    func refusalsChangeNothingAndCostNothing(kind: String, status: Int, code: String) async throws {
        let (fake, h, member, cookie, id, _) = try await setup(model: kind != "no-model")
        defer { Task { await fake.stop() }; h.dir.remove() }
        await fake.script.load(Array(repeating: FakeLLM.Reply(status: 500, body: #"{"error":{"message":"down"}}"#), count: 4))
        var requestBody = body(id, start: 0, end: 5)
        var asWho = cookie
        switch kind {
        case "other":
            let (_, otherCookie) = try h.signedInMember("mallory")
            asWho = otherCookie
        case "span-past-end": requestBody = body(id, start: 0, end: 5000)
        case "empty-span": requestBody = body(id, start: 3, end: 3)
        case "split-emoji":
            // A line with an emoji, then a selection ending between its two UTF-16 halves.
            var resume = try h.database.resume(id: id, memberID: member.id).resume
            resume.aboutMe = Line("개발 🚀 좋아요")
            let newID = try h.database.createResume(memberID: member.id, title: "x", resume: resume, now: Date())
            requestBody = body(newID, path: "aboutMe", start: 0, end: 4)
        case "empty-instruction": requestBody = body(id, start: 0, end: 5, instruction: "   ")
        case "huge-instruction": requestBody = body(id, start: 0, end: 5, instruction: String(repeating: "가", count: 501))
        case "bad-path": requestBody = body(id, path: "projects[9].bullets[0]", start: 0, end: 1)
        default: break
        }
        let response = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: asWho, json: requestBody))
        #expect(response.statusCode == status, "\(response.bodyText)")
        #expect(response.errorCode == code)
        #expect(try uses(h, member) == 0)  // refused before the model ran, or given back when it failed
    }

    @Test func linePathsReachEveryPartOfTheDocument() throws {
        var resume = Resume(language: .en, template: .gitfolio, profile: Profile(), aboutMe: Line("about"), techStack: [], projects: [
            ResumeProject(name: "p", start: nil, end: nil, skills: [], repository: "", summary: Line("sum"), bullets: [Line("b0")],
                          star: STAR(situation: Line("s"), task: Line("t"), action: Line("a"), result: Line("r")),
                          troubleshooting: [Troubleshooting(problem: Line("pr"), hypothesis: Line("h"), attempt: Line("at"), result: Line("re"))]),
        ])
        for (path, text) in [("aboutMe", "about"), ("projects[0].summary", "sum"), ("projects[0].bullets[0]", "b0"),
                             ("projects[0].star.result", "r"), ("projects[0].troubleshooting[0].attempt", "at")] {
            #expect(resume.line(at: path)?.text == text)
        }
        for bad in ["projects[1].bullets[0]", "projects[0].bullets[1]", "projects[0].star.mood", "projects", "x"] {
            #expect(resume.line(at: bad) == nil)
        }
        resume.withLine(at: "projects[0].star.task") { $0.text = "new" }
        #expect(resume.projects[0].star?.task.text == "new")
    }
}

@Suite struct AcceptUndoTests {
    func action(_ h: Harness, _ cookie: String, _ object: [String: Any]) async -> FunctionResponse {
        let json = String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
        return await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: json))
    }

    @Test func acceptSavesWithVersionsAndUndoRestores() async throws {
        let (fake, h, member, cookie, id, resume) = try await ReviseTests().setup(model: false)
        defer { Task { await fake.stop() }; h.dir.remove() }
        let path = "projects[0].bullets[1]"
        let original = try #require(resume.line(at: path))
        let first = await action(h, cookie, ["action": "accept", "resumeId": id, "path": path, "text": "주문·결제 웹 서비스 개발", "version": 1])
        #expect(first.statusCode == 200, "\(first.body)")
        #expect(first.json?["version"] as? Int == 2)
        // A second tab still at version 1 cannot overwrite it.
        let stale = await action(h, cookie, ["action": "accept", "resumeId": id, "path": path, "text": "다른 탭", "version": 1])
        #expect(stale.statusCode == 409 && stale.errorCode == "version_conflict")
        let second = await action(h, cookie, ["action": "accept", "resumeId": id, "path": "aboutMe", "text": "백엔드 개발자입니다.", "version": 2])
        #expect(second.json?["version"] as? Int == 3)

        let undo = await action(h, cookie, ["action": "undo", "resumeId": id, "version": 3])
        #expect(undo.statusCode == 200 && undo.json?["path"] as? String == "aboutMe")
        var saved = try h.database.resume(id: id, memberID: member.id).resume
        #expect(saved.aboutMe == resume.aboutMe)
        #expect(saved.line(at: path)?.text == "주문·결제 웹 서비스 개발")
        #expect(saved.line(at: path)?.evidence == original.evidence)  // the rewrite rests on the same evidence

        let undoAgain = await action(h, cookie, ["action": "undo", "resumeId": id, "version": 4])
        #expect(undoAgain.json?["version"] as? Int == 5)
        saved = try h.database.resume(id: id, memberID: member.id).resume
        #expect(saved == resume)
        let nothing = await action(h, cookie, ["action": "undo", "resumeId": id, "version": 5])
        #expect(nothing.statusCode == 409 && nothing.errorCode == "nothing_to_undo")
    }

    /// Undo is a change like any other: a tab at an older version cannot undo what another tab
    /// accepted since (it would throw away a change it never saw).
    @Test func undoFromAStaleVersionIsRefusedAndChangesNothing() async throws {
        let (fake, h, member, cookie, id, _) = try await ReviseTests().setup(model: false)
        defer { Task { await fake.stop() }; h.dir.remove() }
        _ = await action(h, cookie, ["action": "accept", "resumeId": id, "path": "aboutMe", "text": "첫 번째 수정", "version": 1])
        let second = await action(h, cookie, ["action": "accept", "resumeId": id, "path": "aboutMe", "text": "두 번째 수정", "version": 2])
        #expect(second.json?["version"] as? Int == 3)
        let before = try h.database.resume(id: id, memberID: member.id)
        for stale in [1, 2, 4] {
            let undo = await action(h, cookie, ["action": "undo", "resumeId": id, "version": stale])
            #expect(undo.statusCode == 409 && undo.errorCode == "version_conflict", "version \(stale): \(undo.bodyText)")
        }
        #expect(try h.database.resume(id: id, memberID: member.id) == before)
        let current = await action(h, cookie, ["action": "undo", "resumeId": id, "version": 3])
        #expect(current.statusCode == 200 && current.json?["version"] as? Int == 4)
        #expect(try h.database.resume(id: id, memberID: member.id).resume.aboutMe.text == "첫 번째 수정")
    }

    @Test func onlyTheOwnerCanSaveOrUndo() async throws {
        let (fake, h, member, _, id, resume) = try await ReviseTests().setup(model: false)
        defer { Task { await fake.stop() }; h.dir.remove() }
        let (_, mallory) = try h.signedInMember("mallory")
        let save = await action(h, mallory, ["action": "accept", "resumeId": id, "path": "aboutMe", "text": "hacked", "version": 1])
        #expect(save.statusCode == 404 && save.errorCode == "resume_not_found")
        let undo = await action(h, mallory, ["action": "undo", "resumeId": id, "version": 1])
        #expect(undo.statusCode == 404)
        let saved = try h.database.resume(id: id, memberID: member.id).resume
        #expect(saved == resume)
    }

    @Test(arguments: [
        (#"{"action":"accept","path":"aboutMe","text":"x","version":1}"#, "resumeId"),
        (#"{"action":"accept","path":"projects[5].bullets[0]","text":"x","version":1}"#, "path"),
        (#"{"action":"accept","path":"aboutMe","text":"","version":1}"#, "text"),
        (#"{"action":"accept","path":"aboutMe","text":"x"}"#, "version"),
        (#"{"action":"delete"}"#, "action"),
    ])
    func badSavesAreRefusedNamingTheField(json: String, field: String) async throws {
        let (fake, h, member, cookie, id, resume) = try await ReviseTests().setup(model: false)
        defer { Task { await fake.stop() }; h.dir.remove() }
        var body = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        if field != "resumeId" { body["resumeId"] = id }
        let response = await action(h, cookie, body)
        #expect(response.statusCode == 400)
        #expect((response.json?["error"] as? [String: Any])?["field"] as? String == field)
        let saved = try h.database.resume(id: id, memberID: member.id).resume
        #expect(saved == resume)
    }
}
