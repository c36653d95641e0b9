import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioHTTP
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import GRDB
import Testing

@Suite struct GenerateQuotaTests {
    static let body = #"{"repositories":["alice-dev/shop-api","team/infra"],"template":"STAR","language":"ko","request":"Spring Boot"}"#

    /// A GitHub member with a session, and a fake GitHub serving their repositories.
    func setup() async throws -> (FakeGitHub, Harness, Member, String) {
        let github = try await FakeGitHub()
        await github.state.setRepositories(
            owned: [FakeRepository(owner: "alice-dev", name: "shop-api", languages: [("Java", 8000), ("HTML", 500)],
                                   topics: ["spring-boot", "mysql", "docker"], readme: "# Shop API\n\nAn order and payment API.", commits: 42)],
            contributed: [FakeRepository(owner: "team", name: "infra", languages: [("HCL", 3000)], topics: ["terraform"], commits: 7)])
        let h = try Harness(github: github)
        let token = await github.state.issueToken()
        let member = try h.database.upsertGitHubMember(user: GitHubUser(id: 583_231, login: "alice-dev", name: "앨리스", email: nil, avatarURL: nil),
                                                       email: "alice@example.com", tokenCiphertext: try h.services.cipher.seal(token),
                                                       scope: "read:user,user:email", now: Date())
        let session = Secrets.randomToken()
        try h.database.createSession(hash: Secrets.sha256Hex(session), memberID: member.id, now: Date())
        return (github, h, member, "gitfolio_session=\(session)")
    }

    func uses(_ h: Harness, _ member: Member) throws -> Int { try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) }

    @Test func generatesAGroundedResumeFromGitHubData() async throws {
        let (github, h, member, cookie) = try await setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let response = await h.call(GenerateHandlers.generate, browser("POST", "/api/generate", cookie: cookie, json: Self.body))
        #expect(response.statusCode == 201, "\(response.body)")
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
        #expect(try h.database.resumeDocument(id: Int64(id), memberID: member.id) != nil)
        #expect(try h.database.resumeDocument(id: Int64(id), memberID: member.id + 1) == nil)
        #expect(try uses(h, member) == 1)
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
        let response = await h.call(GenerateHandlers.generate, browser("POST", "/api/generate", cookie: cookie, json: body))
        #expect(response.statusCode == status)
        #expect(response.errorCode == code)
        #expect(try uses(h, member) == 0)
    }

    @Test func localMembersAreToldToLinkGitHub() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        let response = await h.call(GenerateHandlers.generate, browser("POST", "/api/generate", cookie: cookie, json: Self.body))
        #expect(response.statusCode == 409 && response.errorCode == "github_not_linked")
    }

    @Test func fiftyParallelProcessesOfOneFreeMemberGetExactlyThree() async throws {
        let (github, h, member, cookie) = try await setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        // Warm the member's GitHub cache so the 50 processes race only on the quota.
        let client = GitHubDataClient(transport: URLSessionTransport(), apiURL: github.baseURL, cache: h.database)
        _ = try await client.repositories(memberID: member.id, token: try h.services.cipher.open(h.database.encryptedGitHubToken(memberID: member.id)!.ciphertext))
        let event = try JSONEncoder().encode(FunctionRequest(
            method: "POST", path: "/api/generate",
            headers: ["cookie": cookie, "content-type": "application/json", "x-gitfolio-csrf": "1"], body: Self.body))
        var env = h.environment
        env["PATH"] = "/usr/bin:/bin"
        // Start all fifty before any gets its input, so they really run at the same time.
        var running: [(Process, Pipe, Pipe)] = []
        for _ in 0..<50 {
            let p = Process(), input = Pipe(), output = Pipe()
            p.executableURL = Built.executable("generate")
            p.environment = env
            p.standardInput = input
            p.standardOutput = output
            p.standardError = FileHandle.nullDevice
            try p.run()
            running.append((p, input, output))
        }
        for (_, input, _) in running {
            input.fileHandleForWriting.write(event)
            try input.fileHandleForWriting.close()
        }
        var statuses: [Int: Int] = [:]
        for (p, _, output) in running {
            let data = output.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let response = try JSONDecoder().decode(FunctionResponse.self, from: data)
            statuses[response.statusCode, default: 0] += 1
            if response.statusCode == 429 { #expect(response.body.contains("quota_exceeded")) }
        }
        #expect(statuses == [201: 3, 429: 47])
        #expect(try uses(h, member) == 3)
        let resumes = try await h.database.writer.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM resume") }
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
        #expect(throws: APIError.self) { try h.database.chargeAIUse(memberID: member.id, kind: .generate, now: beforeMidnight) }
        let use = try h.database.chargeAIUse(memberID: member.id, kind: .generate, now: beforeMidnight.addingTimeInterval(1))
        try h.database.refundAIUse(id: use)
        #expect(try h.database.aiUses(memberID: member.id, on: "2026-03-02") == 0)
    }
}
