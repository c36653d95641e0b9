import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioResume
import GitfolioTestSupport
import Testing

@Suite struct JSONResumeTests {
    @Test(arguments: Template.allCases)
    func ownExportImportsBackUnchanged(template: Template) throws {
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        var profile = try Profile.parse(try JSONValue.parse(fullProfile), today: CivilDate(year: 2026, month: 11, day: 30))
        profile.name = "김개발"
        let resume = OfflineWriter().write(evidence: [evidence], profile: profile, template: template, language: .ko)
        let exported = try JSONResume.export(resume)
        let object = try #require(try JSONSerialization.jsonObject(with: exported) as? [String: Any])
        // The standard sections are there for other JSON Resume tools.
        let basics = try #require(object["basics"] as? [String: Any])
        #expect(basics["name"] as? String == "김개발" && basics["label"] as? String == "백엔드")
        #expect((object["work"] as? [[String: Any]])?.first?["name"] as? String == "카카오")
        #expect((object["education"] as? [[String: Any]])?.first?["startDate"] as? String == "2016-03")
        let project = try #require((object["projects"] as? [[String: Any]])?.first)
        #expect((project["highlights"] as? [String])?.first == "전체 커밋 5개 중 3개(60%) 작성, 개발 주도")
        // What leaves the editor has no unfilled prompts; the rest comes back unchanged.
        #expect(try JSONResume.import(exported, template: .basic, language: .en) == resume.withoutUnfilledPrompts())
        if !resume.unfilledPrompts.isEmpty {
            #expect(throws: UnfilledPromptsError.self) { try JSONResume.export(resume, prompts: .refuse) }
        }
    }

    @Test func importsAPlainJSONResume() throws {
        let document = """
        {"basics":{"name":"Richard Hendricks","label":"Backend Engineer","email":"richard@piedpiper.example","phone":"(912) 555-4321",
          "summary":"Builds compression.","profiles":[{"network":"GitHub","username":"rh","url":"https://github.com/rh"}]},
         "work":[{"name":"Pied Piper","position":"CEO","startDate":"2013-12-01","summary":"Compression."},
                 {"name":"Hooli","position":"Engineer","startDate":"2011-01","endDate":"2013-11"}],
         "education":[{"institution":"Stanford","area":"Computer Science","studyType":"Bachelor","startDate":"2007-09","endDate":"2011-06"}],
         "certificates":[{"name":"AWS SAA","issuer":"Amazon","date":"2020-05-01"}],
         "skills":[{"name":"Backend","keywords":["Go","PostgreSQL"]}],
         "projects":[{"name":"Middle-out","description":"Compression algorithm","highlights":["Weissman score 5.2"],"startDate":"2014-01"}]}
        """
        let resume = try JSONResume.import(Data(document.utf8), template: .star, language: .en)
        #expect(resume.profile.name == "Richard Hendricks" && resume.profile.jobRole == .backend)
        #expect(resume.profile.workExperience.map(\.employment) == [.employed, .resigned])
        #expect(resume.profile.workExperience[0].start == "2013.12")
        #expect(resume.profile.education.first?.schoolType == .bachelor && resume.profile.education.first?.status == .graduated)
        #expect(resume.profile.certificates.first?.acquired == "2020.05")
        #expect(resume.profile.links.first?.url == "https://github.com/rh")
        #expect(resume.techStack == ["Go", "PostgreSQL"])
        #expect(resume.projects.first?.bullets.first?.text == "Weissman score 5.2")
        #expect(resume.template == .star && resume.aboutMe.text == "Builds compression.")
    }

    @Test(arguments: [
        (#"{"basics":{"email":"not an email"}}"#, "email"),
        (#"{"basics":{"profiles":[{"network":"x","url":"javascript:alert(1)"}]}}"#, "links[0].url"),
        (#"{"work":[{"position":"no company"}]}"#, "workExperience[0].company"),
        ("[]", "JSON"),
    ])
    func invalidDocumentsAreRefusedNamingTheField(document: String, field: String) async throws {
        do {
            _ = try JSONResume.import(Data(document.utf8), template: .basic, language: .ko)
            Issue.record("import should have failed")
        } catch let error as APIError {
            #expect(error.status == 400)
            #expect(error.field == field || (field == "JSON" && error.message.contains(field)))
        }
    }

    @Test func commandsExportAndImport() async throws {
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let exported = repo.dir.path("resume.jsonresume.json"), imported = repo.dir.path("back.md")
        let export = try await runProcessAsync(Built.executable("gitfolio"), arguments: [
            "resume", "--repo", repo.url.path, "--author", alice.email, "--format", "jsonresume", "--out", exported,
        ], environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(export.status == 0, "\(export.err)")
        let back = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["import", exported, "--out", imported],
                                  environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(back.status == 0, "\(back.err)")
        #expect(try String(contentsOfFile: imported, encoding: .utf8).contains("## 프로젝트"))
        try Data(#"{"basics":{"email":"bad"}}"#.utf8).write(to: URL(fileURLWithPath: repo.dir.path("bad.json")))
        let bad = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["import", repo.dir.path("bad.json")],
                                 environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(bad.status != 0 && bad.err.contains("email"))
    }
}
