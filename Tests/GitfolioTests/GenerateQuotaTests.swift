import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioGitHub
import GitfolioHTTP
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import Testing

@Suite struct GenerateQuotaTests {
    static let body = #"{"repositories":["alice-dev/shop-api","team/infra"],"template":"STAR","language":"ko","request":"Spring Boot"}"#

    /// A GitHub member with a session, and a fake GitHub serving their repositories.
    func setup(extra: [String: String] = [:], github given: FakeGitHub? = nil) async throws -> (FakeGitHub, Harness, Member, String) {
        let github: FakeGitHub
        if let given { github = given } else { github = try await FakeGitHub() }
        await github.state.setRepositories(
            owned: [FakeRepository(owner: "alice-dev", name: "shop-api", languages: [("Java", 8000), ("HTML", 500)],
                                   topics: ["spring-boot", "mysql", "docker"], readme: "# Shop API\n\nAn order and payment API.", commits: 42)],
            contributed: [FakeRepository(owner: "team", name: "infra", languages: [("HCL", 3000)], topics: ["terraform"], commits: 7)])
        let h = try Harness(github: github, extra: extra)
        let token = await github.state.issueToken()
        let member = try h.database.upsertGitHubMember(account: GitHubAccount(id: 583_231, login: "alice-dev", name: "앨리스", email: "alice@example.com", avatarURL: ""),
                                                       tokenCiphertext: try h.services.cipher.seal(token),
                                                       scope: "read:user,user:email", now: Date())
        let session = Secrets.randomToken()
        try h.database.createSession(hash: Secrets.sha256Hex(session), memberID: member.id, now: Date())
        return (github, h, member, "gitfolio_session=\(session)")
    }

    func uses(_ h: Harness, _ member: Member) throws -> Int { try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) }

    @Test func generatesAGroundedResumeFromGitHubData() async throws {
        let (github, h, member, cookie) = try await setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: Self.body))
        #expect(response.statusCode == 201, "\(response.bodyText)")
        let json = try #require(response.json)
        #expect(json["aiUsesToday"] as? Int == 1)
        #expect((json["grounding"] as? [Any])?.isEmpty == true)
        let resume = try JSONDecoder().decode(Resume.self, from: JSONSerialization.data(withJSONObject: json["resume"]!))
        #expect(resume.template == .star && resume.language == .ko)
        #expect(resume.projects.map(\.name) == ["shop-api", "infra"])
        #expect(resume.techStack.first == "Spring Boot")  // asked for, and found in the topics
        #expect(resume.projects[0].bullets.first?.text == "지난 한 해 동안 커밋 42개 작성")
        #expect(resume.projects[0].summary?.text == "An order and payment API.")
        #expect(resume.projects[0].star?.task.needsInput == true)  // GitHub cannot say what share was theirs
        let id = try #require(json["id"] as? Int)
        #expect((try? h.database.resume(id: Int64(id), memberID: member.id)) != nil)
        #expect((try? h.database.resume(id: Int64(id), memberID: member.id + 1)) == nil)
        #expect(try uses(h, member) == 1)
        // The evidence is kept beside the resume, so it can change language later without GitHub.
        #expect(try h.database.resumeEvidence(id: Int64(id), memberID: member.id).map(\.name) == ["shop-api", "infra"])
    }

    @Test(arguments: [
        (#"{"repositories":["someone/else"]}"#, 400, "unknown_repositories"),
        (#"{"repositories":[]}"#, 400, "invalid_field"),
        (#"{"repositories":"alice-dev/shop-api"}"#, 400, "invalid_field"),
        (#"{"repositories":["alice-dev/shop-api"],"template":"FANCY"}"#, 400, "invalid_field"),
        (#"{"repositories":["alice-dev/shop-api"],"language":"fr"}"#, 400, "invalid_field"),
        (#"{"repositories":["alice-dev/shop-api"],"request":"\#(String(repeating: "x", count: 1001))"}"#, 400, "invalid_field"),
        (#"{"repositories":["alice-dev/shop-api"],"memberId":2}"#, 400, "unknown_field"),
    ])
    func badRequestsAreRefusedWithoutChargingTheQuota(body: String, status: Int, code: String) async throws {
        let (github, h, member, cookie) = try await setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: body))
        #expect(response.statusCode == status)
        #expect(response.errorCode == code)
        #expect(try uses(h, member) == 0)
    }

    @Test func localMembersAreToldToLinkGitHub() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: Self.body))
        #expect(response.statusCode == 409 && response.errorCode == "github_not_linked")
    }

    @Test func fiftyParallelProcessesOfOneFreeMemberGetExactlyThree() async throws {
        let (github, h, member, cookie) = try await setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        // Warm the member's GitHub cache so the 50 processes race only on the quota.
        let client = GitHub(transport: URLSessionTransport(), apiURL: github.baseURL)
        _ = try await client.repositories(memberID: member.id, token: try h.services.cipher.open(h.database.encryptedGitHubToken(memberID: member.id)!.ciphertext),
                                          cache: h.database)
        let generateEvent = event(FunctionRequest(
            method: "POST", path: "/api/generate",
            headers: ["cookie": cookie, "content-type": "application/json", "x-gitfolio-csrf": "1"], body: Self.body))
        var env = h.environment
        env["PATH"] = "/usr/bin:/bin"
        // All fifty start before any gets its input, so they really run at the same time.
        let answers = try await runAllAtOnce(Built.executable("generate"), environment: env,
                                             inputs: Array(repeating: generateEvent, count: 50))
        var statuses: [Int: Int] = [:]
        for data in answers {
            let response = try FunctionResponse.parse(event: Array(data))
            statuses[response.statusCode, default: 0] += 1
            if response.statusCode == 429 { #expect(response.bodyText.contains("quota_exceeded")) }
            if response.statusCode != 201 && response.statusCode != 429 { Issue.record("unexpected answer: \(response.bodyText)") }
        }
        #expect(statuses == [201: 3, 429: 47])
        #expect(try uses(h, member) == 3)
        let resumes = try h.database.database.read { try $0.integer("SELECT count(*) FROM resume") }
        #expect(resumes == 3)
    }

    @Test func theQuotaDayIsAsiaSeoulAndResetsAtItsMidnight() throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, _) = try h.signedInMember()
        let beforeMidnight = ISO8601DateFormatter().date(from: "2026-03-01T14:59:59Z")!  // 23:59:59 in Seoul
        #expect(Plans.day(of: beforeMidnight) == "2026-03-01")
        #expect(Plans.day(of: beforeMidnight.addingTimeInterval(1)) == "2026-03-02")
        for _ in 0..<3 { _ = try h.database.chargeAIUse(memberID: member.id, kind: .revise, now: beforeMidnight) }
        #expect(throws: StoreError.aiQuotaExceeded(limit: 3, fairUse: false)) {
            try h.database.chargeAIUse(memberID: member.id, kind: .generate, now: beforeMidnight)
        }
        let use = try h.database.chargeAIUse(memberID: member.id, kind: .generate, now: beforeMidnight.addingTimeInterval(1))
        try h.database.refundAIUse(id: use)
        #expect(try h.database.aiUses(memberID: member.id, on: "2026-03-02") == 0)
    }
}

@Suite struct LLMGenerateTests {
    func setup() async throws -> (FakeLLM, FakeGitHub, Harness, Member, String) {
        let fake = try await FakeLLM()
        let (github, h, member, cookie) = try await GenerateQuotaTests().setup(extra: [
            "GITFOLIO_LLM_PROVIDER": "openai", "GITFOLIO_LLM_BASE_URL": fake.baseURL.absoluteString + "/v1",
            "GITFOLIO_LLM_MODEL": "test-model",
        ])
        return (fake, github, h, member, cookie)
    }

    @Test func theModelWritesProseButOnlyCitedAndGroundedClaimsSurvive() async throws {
        let (fake, github, h, member, cookie) = try await setup()
        defer { Task { await fake.stop(); await github.stop() }; h.dir.remove() }
        let answer: [String: Any] = ["aboutMe": "Spring Boot로 주문·결제 API를 만든 백엔드 개발자입니다.", "projects": [[
            "name": "shop-api", "bullets": [
                ["text": "Spring Boot 기반 주문·결제 API 개발", "evidence": ["shop-api:file:topics"]],
                ["text": "지난 한 해 동안 커밋 42개로 기능 개발 주도", "evidence": ["shop-api:contributions"]],
                ["text": "Kubernetes로 무중단 배포 구성", "evidence": ["shop-api:file:topics"]],   // invented technology
                ["text": "트래픽 10배 증가에 대응", "evidence": []],                                 // cites nothing
                ["text": "Redis 캐시 도입", "evidence": ["somewhere-else:file:x"]],                 // cites what was not offered
            ]]]]
        await fake.script.load([.chat(String(decoding: try JSONSerialization.data(withJSONObject: answer), as: UTF8.self))])
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie,
                                                                       json: #"{"repositories":["alice-dev/shop-api"],"template":"BASIC"}"#))
        #expect(response.statusCode == 201, "\(response.bodyText)")
        let json = try #require(response.json)
        let resume = try JSONDecoder().decode(Resume.self, from: JSONSerialization.data(withJSONObject: json["resume"]!))
        #expect(resume.aboutMe.text == "Spring Boot로 주문·결제 API를 만든 백엔드 개발자입니다.")
        #expect(resume.projects[0].bullets.map(\.text) == ["Spring Boot 기반 주문·결제 API 개발", "지난 한 해 동안 커밋 42개로 기능 개발 주도"])
        let findings = (json["grounding"] as? [[String: Any]])?.compactMap { $0["value"] as? String } ?? []
        #expect(findings == ["Kubernetes"])
        let sent = try #require(await fake.script.seen.first?.json)
        #expect(((sent["response_format"] as? [String: Any])?["json_schema"] as? [String: Any])?["name"] as? String == "resume")
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 1)
    }

    @Test func aFailingModelCostsNothingAndStoresNothing() async throws {
        let (fake, github, h, member, cookie) = try await setup()
        defer { Task { await fake.stop(); await github.stop() }; h.dir.remove() }
        await fake.script.load([.chat("Sorry, I can't.")])
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie,
                                                                       json: #"{"repositories":["alice-dev/shop-api"]}"#))
        #expect(response.statusCode == 502 && response.errorCode == "model_bad_output")
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 0)
        let resumes = try h.database.database.read { try $0.integer("SELECT count(*) FROM resume") }
        #expect(resumes == 0)
    }
}
