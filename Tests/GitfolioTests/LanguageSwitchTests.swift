import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import RenderFunctions
import Testing

/// One source, two languages (issue 16, part 8): a resume switches between Korean and English from
/// the same evidence with no model; what the member wrote stays as written and is marked for review.
@Suite struct LanguageSwitchTests {
    /// The shop repository's evidence and the Korean GITFOLIO resume the offline writer makes of it.
    func written(_ language: Language = .ko) throws -> (evidence: [RepositoryEvidence], resume: Resume) {
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let evidence = [try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()]
        let draft = OfflineWriter().write(evidence: evidence, profile: Profile(name: "김앨리스"), template: .gitfolio, language: language)
        return (evidence, Grounding(evidence: evidence).check(draft).resume)
    }

    @Test func untouchedLinesAreWrittenAgainAndEditedOnesKeptForReview() throws {
        let (evidence, korean) = try written(.ko)
        let english = try written(.en).resume
        var edited = korean
        edited.aboutMe = Line("저는 결제 장애를 줄이는 일을 좋아합니다.")          // written by hand
        edited.projects[0].troubleshooting[0].result.text = "오류율 3% → 0.1%"  // a prompt the member filled
        edited.projects[0].troubleshooting[0].result.needsInput = false
        edited.projects.append(ResumeProject(name: "사이드 프로젝트", start: nil, end: nil, skills: ["Rust"], repository: "",
                                             summary: Line("혼자 만든 CLI 도구"), bullets: [Line("파서 작성")], star: nil, troubleshooting: []))

        let switched = edited.switchingLanguage(to: .en, evidence: evidence)
        #expect(switched.language == .en)
        // What the writer made is written again in English, exactly as the English writer writes it.
        #expect(switched.projects[0].bullets == english.projects[0].bullets)
        #expect(switched.projects[0].summary == english.projects[0].summary)
        #expect(switched.projects[0].troubleshooting[0].problem == english.projects[0].troubleshooting[0].problem)
        // Unfilled prompts become the English prompts.
        #expect(switched.projects[0].troubleshooting[0].hypothesis.needsInput)
        #expect(switched.projects[0].troubleshooting[0].hypothesis.text == english.projects[0].troubleshooting[0].hypothesis.text)
        // What the member wrote stays as written, marked; a project not from the evidence stays whole, marked.
        #expect(switched.aboutMe.text == "저는 결제 장애를 줄이는 일을 좋아합니다." && switched.aboutMe.needsReview)
        #expect(switched.projects[0].troubleshooting[0].result.text == "오류율 3% → 0.1%")
        #expect(switched.linesNeedingReview == ["aboutMe", "projects[0].troubleshooting[0].result", "projects[1].summary", "projects[1].bullets[0]"])
        // Names, skills, profile and the project list stay.
        #expect(switched.profile == edited.profile && switched.techStack == edited.techStack)
        #expect(switched.projects.map(\.name) == edited.projects.map(\.name) && switched.projects.map(\.skills) == edited.projects.map(\.skills))

        // And back: the writer's lines return to the Korean they were; the member's stay theirs.
        let back = switched.switchingLanguage(to: .ko, evidence: evidence)
        #expect(back.projects[0].bullets == korean.projects[0].bullets)
        #expect(back.projects[0].troubleshooting[0].hypothesis == korean.projects[0].troubleshooting[0].hypothesis)
        #expect(back.aboutMe.text == edited.aboutMe.text && back.aboutMe.needsReview)
    }

    @Test func withoutEvidenceEverythingIsKeptForReview() throws {
        let (_, korean) = try written(.ko)
        let switched = korean.switchingLanguage(to: .en, evidence: [])
        #expect(switched.language == .en)
        #expect(switched.projects.map(\.bullets.count) == korean.projects.map(\.bullets.count))
        #expect(switched.projects[0].bullets.allSatisfy { $0.needsReview })
        #expect(switched.projects[0].bullets.map(\.text) == korean.projects[0].bullets.map(\.text))
        #expect(korean.switchingLanguage(to: .ko, evidence: []) == korean, "the same language is no change")
    }

    @Test func theCommandSwitchesAnEditedFile() async throws {
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let evidence = [try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()]
        func write(_ language: Language) -> Resume {
            Grounding(evidence: evidence).check(OfflineWriter().write(evidence: evidence, profile: Profile(), template: .gitfolio, language: language)).resume
        }
        var edited = write(.ko)
        edited.aboutMe = Line("직접 쓴 소개")
        let dir = try TempDir("gitfolio-switch")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("ko.json")
        try JSONEncoder().encode(edited).write(to: file)
        let result = try await runProcessAsync(Built.executable("gitfolio"), arguments: [
            "resume", "--repo", repo.url.path, "--author", alice.email, "--from", file.path, "--lang", "en", "--format", "json",
        ], environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(result.status == 0, "\(result.err)")
        let english = try JSONDecoder().decode(Resume.self, from: result.stdout)
        #expect(english.language == .en && english.aboutMe.text == "직접 쓴 소개" && english.aboutMe.needsReview)
        #expect(english.projects[0].bullets == write(.en).projects[0].bullets)
        #expect(result.err.contains("1 line(s) kept as you wrote them, to translate: aboutMe"))
    }

    // MARK: The resume function's `language` action

    func post(_ h: Harness, _ cookie: String, _ body: String) async -> FunctionResponse {
        await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: body))
    }

    @Test func theEditorSwitchesAStoredResumeWithItsEvidenceAndCanUndo() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        let (evidence, korean) = try written(.ko)
        let id = try h.database.createResume(memberID: member.id, title: "이력서", resume: korean, now: Date(), evidence: evidence)
        #expect(try h.database.resumeEvidence(id: id, memberID: member.id) == evidence)

        // The member rewrites their about-me by hand (version 2), then switches to English.
        let accept = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
            json: #"{"action":"accept","resumeId":\#(id),"path":"aboutMe","text":"저는 결제 장애를 줄이는 일을 좋아합니다.","version":1}"#))
        #expect(accept.statusCode == 200, "\(accept.body)")
        let stale = await post(h, cookie, #"{"action":"language","id":\#(id),"version":1,"language":"en"}"#)
        #expect(stale.statusCode == 409 && stale.errorCode == "version_conflict")

        let switched = await post(h, cookie, #"{"action":"language","id":\#(id),"version":2,"language":"en"}"#)
        #expect(switched.statusCode == 200, "\(switched.body)")
        #expect(switched.json?["version"] as? Int == 3)
        #expect(switched.json?["review"] as? [String] == ["aboutMe"])
        let stored = try h.database.resume(id: id, memberID: member.id)
        let english = try written(.en).resume
        #expect(stored.resume.language == .en && stored.resume.projects[0].bullets == english.projects[0].bullets)
        #expect(try h.database.resumes(memberID: member.id).first?.language == "en", "the listed language follows the document")
        let opened = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)", cookie: cookie))
        #expect(opened.json?["review"] as? [String] == ["aboutMe"])
        #expect((opened.json?["html"] as? [String: String])?["GITFOLIO"]?.contains("Troubleshooting") == true)

        // A second click is no change; accepting a new text for the kept line clears its mark.
        let again = await post(h, cookie, #"{"action":"language","id":\#(id),"version":3,"language":"en"}"#)
        #expect(again.statusCode == 200 && again.json?["version"] as? Int == 3)
        let fixed = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
            json: #"{"action":"accept","resumeId":\#(id),"path":"aboutMe","text":"I like making payments fail less.","version":3}"#))
        #expect(fixed.statusCode == 200)
        #expect(try h.database.resume(id: id, memberID: member.id).resume.linesNeedingReview.isEmpty)

        // Undo twice: the edit, then the switch.
        for version in [4, 5] {
            let undo = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
                                                                    json: #"{"action":"undo","resumeId":\#(id),"version":\#(version)}"#))
            #expect(undo.statusCode == 200, "\(undo.body)")
        }
        let restored = try h.database.resume(id: id, memberID: member.id).resume
        #expect(restored.language == .ko && restored.aboutMe.text == "저는 결제 장애를 줄이는 일을 좋아합니다." && !restored.aboutMe.needsReview)
    }

    @Test func theUntouchedExampleBecomesTheOtherLanguagesExample() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        let created = await post(h, cookie, #"{"action":"sample","language":"ko"}"#)
        let id = try #require(created.json?["id"] as? Int)
        let switched = await post(h, cookie, #"{"action":"language","id":\#(id),"version":1,"language":"en"}"#)
        #expect(switched.statusCode == 200 && switched.json?["review"] as? [String] == [])
        #expect(try h.database.resume(id: Int64(id), memberID: member.id).resume == Resume.sample(.en))

        // An edited copy: the example's other lines become the English example's, the edit stays, marked.
        let back = await post(h, cookie, #"{"action":"language","id":\#(id),"version":2,"language":"ko"}"#)
        #expect(back.statusCode == 200 && back.json?["version"] as? Int == 3)
        let accept = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
            json: #"{"action":"accept","resumeId":\#(id),"path":"projects[0].bullets[0]","text":"직접 쓴 문장","version":3}"#))
        #expect(accept.statusCode == 200)
        let edited = await post(h, cookie, #"{"action":"language","id":\#(id),"version":4,"language":"en"}"#)
        #expect(edited.json?["review"] as? [String] == ["projects[0].bullets[0]"])
        let english = try h.database.resume(id: Int64(id), memberID: member.id).resume
        var expected = Resume.sample(.en)
        expected.projects[0].bullets[0].text = "직접 쓴 문장"
        expected.projects[0].bullets[0].needsReview = true
        #expect(english == expected)
    }

    @Test func anotherMembersResumeAndBadBodiesAreRefused() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (owner, _) = try h.signedInMember("owner")
        let (_, cookie) = try h.signedInMember("other")
        let id = try h.database.createResume(memberID: owner.id, title: "이력서", resume: .sample(.ko), now: Date())
        let foreign = await post(h, cookie, #"{"action":"language","id":\#(id),"version":1,"language":"en"}"#)
        #expect(foreign.statusCode == 404 && foreign.errorCode == "resume_not_found")
        #expect(try h.database.resume(id: id, memberID: owner.id).resume.language == .ko)
        let unknown = await post(h, cookie, #"{"action":"translate","id":\#(id),"version":1,"language":"en"}"#)
        #expect(unknown.statusCode == 400)
        let badLanguage = await post(h, cookie, #"{"action":"language","id":\#(id),"version":1,"language":"fr"}"#)
        #expect(badLanguage.statusCode == 400)
    }
}
