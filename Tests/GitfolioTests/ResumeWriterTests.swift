import Foundation
import GitfolioCore
import GitfolioEvidence
@testable import GitfolioResume
import GitfolioTestSupport
import Testing

@Suite struct ResumeWriterTests {
    func shopEvidence(extraCommit: Bool = false) throws -> (TestRepository, RepositoryEvidence) {
        let repo = try makeShopRepository()
        if extraCommit {
            // A fix with signal: a conventional type, a message that names the cause, and a test.
            try repo.commit("fix: race in checkout total\n\nTwo requests could read the same total because the cart was not locked.",
                            by: alice, on: "2023-08-01T10:00:00+09:00",
                            files: ["src/checkout.ts": "export const total = 0;\nexport const lock = 1;\n", "src/checkout.test.ts": "test('x', () => {});\n"])
        }
        return (repo, try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze())
    }

    @Test(arguments: Template.allCases, Language.allCases)
    func offlineOutputIsGroundedForEveryTemplateAndLanguage(template: Template, language: Language) throws {
        let (repo, evidence) = try shopEvidence(extraCommit: true)
        defer { repo.dir.remove() }
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(name: "앨리스", jobRole: .backend),
                                           template: template, language: language)
        let grounding = Grounding(evidence: [evidence])
        let (checked, findings) = grounding.check(resume)
        #expect(findings == [])
        #expect(checked == resume)
        // Leaving a clean resume alone proves nothing by itself (a check that does nothing does that
        // too): the same check must take out a claim the evidence does not hold, in every part.
        var tainted = resume
        tainted.projects[0].bullets.append(Line("Kubernetes로 배포 자동화", evidence: ["\(evidence.name):file:package.json"]))
        tainted.aboutMe = Line(resume.aboutMe.text + " 응답 시간 47% 단축.")
        tainted.projects[0].star?.result = Line("매출 12345원 증가")
        if !tainted.projects[0].troubleshooting.isEmpty { tainted.projects[0].troubleshooting[0].attempt = Line("Apache Kafka 도입") }
        let (cleaned, caught) = grounding.check(tainted)
        #expect(Set(caught.map(\.value)).isSuperset(of: ["Kubernetes", "47"]))
        #expect(caught.contains { $0.value == "12345" } == (template == .star))
        #expect(caught.contains { $0.value == "Apache Kafka" } == (template == .gitfolio))
        #expect(cleaned.projects[0].bullets == resume.projects[0].bullets && cleaned.aboutMe.needsInput)
        #expect(resume.projects.count == 1)
        #expect(resume.projects[0].bullets.allSatisfy { !$0.evidence.isEmpty })
        #expect((resume.projects[0].star != nil) == (template == .star))
        #expect(resume.projects[0].troubleshooting.isEmpty == (template != .gitfolio))
    }

    @Test func koreanBasicReadsLikeAResume() throws {
        let (repo, evidence) = try shopEvidence()
        defer { repo.dir.remove() }
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(jobRole: .backend), template: .basic, language: .ko)
        #expect(resume.projects[0].bullets.map(\.text) == [
            "전체 커밋 5개 중 3개(60%) 작성, 개발 주도",
            "Express, React, Gin 기반 웹 서비스 개발",
            "src, .github 영역 중심으로 코드 \(evidence.contribution.linesAdded)줄 추가, \(evidence.contribution.linesDeleted)줄 삭제",
            "Docker, Docker Compose로 PostgreSQL, Redis 포함 실행 환경 구성",
            "GitHub Actions로 CI 구성",
        ])
        #expect(resume.projects[0].bullets[1].evidence.contains("\(evidence.name):file:package.json"))
        #expect(resume.aboutMe.text.hasPrefix("백엔드 개발자로서 1개 프로젝트에서 TypeScript, Go 중심으로 개발했습니다."))
        #expect(resume.aboutMe.text.hasSuffix("2023.03부터 2023.07까지 커밋 3개를 작성했습니다."))
        #expect(resume.projects[0].summary?.text == "A small shop with a React front end and an Express API.")
    }

    @Test func gitfolioTemplateTellsFixCommitsAsTroubleshootingAndAsksForWhatEvidenceCannotSay() throws {
        let (repo, evidence) = try shopEvidence(extraCommit: true)
        defer { repo.dir.remove() }
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .gitfolio, language: .ko)
        let t = try #require(resume.projects[0].troubleshooting.first)
        #expect(t.problem.text == "“race in checkout total” (2023-08-01)")
        #expect(t.problem.evidence.first?.hasPrefix("\(evidence.name):commit:") == true)
        #expect(!t.hypothesis.needsInput && t.result.needsInput)
        #expect(!t.attempt.needsInput)
        let markdown = MarkdownRenderer.render(resume)
        #expect(markdown.contains("- **발생한 문제**: “race in checkout total”"))
        // The message names the cause: quoted as the hypothesis, cited; the improvement stays a prompt.
        #expect(t.hypothesis.text == "“Two requests could read the same total because the cart was not locked.”")
        #expect(t.attempt.text.contains("테스트 파일 1개"))
    }

    @Test func requestMovesRequestedTechnologyFirstButAddsNothing() throws {
        let (repo, evidence) = try shopEvidence()
        defer { repo.dir.remove() }
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .basic, language: .en,
                                           request: "Gin 위주로, and Kubernetes please")
        #expect(resume.techStack.first == "Gin")
        #expect(!resume.techStack.contains("Kubernetes"))
    }

    @Test func groundingCatchesInventedRepositoriesTechnologiesAndNumbers() throws {
        let (repo, evidence) = try shopEvidence()
        defer { repo.dir.remove() }
        var resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .star, language: .ko)
        var ghost = resume.projects[0]
        ghost.name = "ghost-repo"
        resume.projects.append(ghost)
        resume.projects[0].bullets += [
            Line("Kubernetes로 배포 자동화", evidence: ["made-up"]),
            Line("응답 시간 30% 개선"),
            Line("Google 로그인과 Rusty 레거시 정리"),  // whole words only: neither Go nor Rust is claimed
        ]
        resume.projects[0].star?.result = Line("사용자 5000명 달성")
        resume.techStack.append("Apache Kafka")
        resume.aboutMe = Line("Spring Boot 전문가")
        let (checked, findings) = Grounding(evidence: [evidence]).check(resume)
        let summary = Set(findings.map { "\($0.kind.rawValue):\($0.value)" })
        #expect(summary == ["repository:ghost-repo", "technology:Kubernetes", "number:30", "number:5000", "technology:Apache Kafka",
                            "technology:Spring Boot"])
        #expect(checked.projects.map(\.name) == [evidence.name])
        #expect(checked.projects[0].bullets.last?.text == "Google 로그인과 Rusty 레거시 정리")
        #expect(!checked.projects[0].bullets.contains { $0.text.contains("Kubernetes") || $0.text.contains("30%") })
        #expect(checked.projects[0].star?.result.needsInput == true)
        #expect(checked.aboutMe.needsInput)
        #expect(!checked.techStack.contains("Apache Kafka"))
    }

    /// A claim is a claim whatever its case: "kubernetes" and "SPRING BOOT" are as invented as
    /// "Kubernetes" when the evidence has neither.
    @Test func technologiesAreMatchedWhateverTheirCase() throws {
        let (repo, evidence) = try shopEvidence()
        defer { repo.dir.remove() }
        var resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .basic, language: .ko)
        let clean = resume.projects[0].bullets
        resume.projects[0].bullets += [Line("kubernetes로 배포"), Line("SPRING BOOT 서버 개발"), Line("apache kafka 연동")]
        resume.aboutMe = Line("graphql API를 설계했습니다.")
        let (checked, findings) = Grounding(evidence: [evidence]).check(resume)
        #expect(Set(findings.map(\.value)) == ["Kubernetes", "Spring Boot", "Apache Kafka", "GraphQL"], "\(findings)")
        #expect(checked.projects[0].bullets == clean)
        #expect(checked.aboutMe.needsInput)
        // The evidence's own technologies pass in any case.
        #expect(Grounding(evidence: [evidence]).findings(in: "express와 REACT, docker", at: "x").isEmpty)
    }

    /// Every part of a troubleshooting story is checked (and each part alone): an invented number or
    /// technology in any of them turns that part into a prompt and is reported where it was.
    @Test(arguments: ["problem", "hypothesis", "attempt", "result"])
    func everyTroubleshootingPartIsChecked(part: String) throws {
        let (repo, evidence) = try shopEvidence(extraCommit: true)
        defer { repo.dir.remove() }
        var resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .gitfolio, language: .ko)
        try #require(!resume.projects[0].troubleshooting.isEmpty)
        let invented = Line("Kubernetes 도입으로 장애 97% 감소")
        switch part {
        case "problem": resume.projects[0].troubleshooting[0].problem = invented
        case "hypothesis": resume.projects[0].troubleshooting[0].hypothesis = invented
        case "attempt": resume.projects[0].troubleshooting[0].attempt = invented
        default: resume.projects[0].troubleshooting[0].result = invented
        }
        let (checked, findings) = Grounding(evidence: [evidence]).check(resume)
        #expect(Set(findings.map { "\($0.location) \($0.value)" }) == [
            "projects[0].troubleshooting[0].\(part) Kubernetes", "projects[0].troubleshooting[0].\(part) 97",
        ])
        let story = checked.projects[0].troubleshooting[0]
        let line = ["problem": story.problem, "hypothesis": story.hypothesis, "attempt": story.attempt, "result": story.result][part]!
        #expect(line.needsInput && !line.text.contains("Kubernetes"))
    }

    @Test func numbersAreWholeTokens() {
        #expect(Grounding.numbers(in: "커밋 e72f3a1에서 12개, 100%, 2024.03") == ["12", "100", "2024", "3"])
    }

    @Test(arguments: [("Docker", "Docker로"), ("Kubernetes", "Kubernetes로"), ("PostgreSQL", "PostgreSQL로"), ("Gin", "Gin으로"),
                      ("서버", "서버로"), ("파일", "파일로"), ("책", "책으로"), ("Redis 7", "Redis 7로"), ("버전 3", "버전 3으로")])
    func koreanParticleFollowsTheFinalSound(word: String, expected: String) {
        #expect(Korean.ro(word) == expected)
    }

    @Test func resumeCommandWritesMarkdownAndJSON() async throws {
        let repo = try makeShopRepository()
        defer { repo.dir.remove() }
        let md = repo.dir.path("resume.md"), json = repo.dir.path("resume.json")
        for (out, template, lang) in [(md, "star", "en"), (json, "gitfolio", "ko")] {
            let result = try await runProcessAsync(Built.executable("gitfolio"), arguments: [
                "resume", "--repo", repo.url.path, "--author", alice.email, "--template", template, "--lang", lang,
                "--name", "Alice Kim", "--out", out,
            ], environment: ["PATH": "/usr/bin:/bin"], input: Data())
            #expect(result.status == 0, "\(result.err)")
            #expect(result.err.contains("[1/1] analysing"))
        }
        let markdown = try String(contentsOfFile: md, encoding: .utf8)
        #expect(markdown.hasPrefix("# Alice Kim\n"))
        #expect(markdown.contains("## Projects") && markdown.contains("- **Situation**: A small shop"))
        let resume = try JSONDecoder().decode(Resume.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(resume.template == .gitfolio && resume.language == .ko)
        let bad = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["resume", "--repo", repo.url.path, "--author", alice.email,
                                                                          "--template", "FANCY"],
                                 environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(bad.status != 0 && bad.err.contains("template"))
    }
}
