import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioGitHub
import GitfolioFunctions
import GitfolioHTTP
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import Testing

/// A clock the test moves forward.
final class ManualClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date(timeIntervalSince1970: 1_750_000_000)
    func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

@Suite struct GitHubImportTests {
    static func repos(_ count: Int, owner: String) -> [FakeRepository] {
        (0..<count).map { FakeRepository(owner: owner, name: "repo-\($0)", languages: [("Kotlin", 7000 + $0), ("Java", 3000)],
                                         topics: ["spring"], readme: "# repo-\($0)\n\nA service.", commits: $0 % 40 + 1) }
    }

    struct Setup {
        let github: FakeGitHub
        let dir: TempDir
        let database: AppDatabase
        let clock = ManualClock()
        let client: CachedClient
        let token: String
        let memberID: Int64

        init(owned: Int, contributed: Int) async throws {
            github = try await FakeGitHub()
            await github.state.setRepositories(owned: GitHubImportTests.repos(owned, owner: "alice-dev"),
                                               contributed: GitHubImportTests.repos(contributed, owner: "team"))
            dir = try TempDir()
            database = try AppDatabase(path: dir.path("g.sqlite"), create: true)
            memberID = try database.upsertLocalMember(login: "alice", name: "alice", now: Date()).id
            client = CachedClient(github: GitHub(transport: URLSessionTransport(), apiURL: github.baseURL, clock: clock), cache: database)
            token = await github.state.issueToken()
        }

        func stop() async {
            await github.stop()
            dir.remove()
        }
    }

    @Test func coldImportOf150RepositoriesTakesThreeRequestsAndWarmNone() async throws {
        let s = try await Setup(owned: 150, contributed: 30)
        let cold = try await s.client.repositories(memberID: s.memberID, token: s.token)
        #expect(await s.github.state.apiRequests.sorted() == ["GET /user/repos", "POST /graphql", "POST /graphql"])
        #expect(cold.repositories.count == 180)
        #expect(cold.repositories.filter(\.owned).count == 150)
        let first = try #require(cold.repositories.first)
        #expect(first.nameWithOwner == "alice-dev/repo-0" && first.languages.first?.name == "Kotlin" && first.topics == ["spring"])
        #expect(first.readme?.contains("A service.") == true && first.commitContributions == 1)
        #expect(cold.login == "alice-dev")

        await s.github.state.resetRequests()
        s.clock.advance(59 * 60)
        let warm = try await s.client.repositories(memberID: s.memberID, token: s.token)
        #expect(warm == cold)
        #expect(await s.github.state.apiRequests.isEmpty)

        // After an hour: one conditional request; 304 keeps the cache (and costs no rate limit).
        s.clock.advance(2 * 60)
        let revalidated = try await s.client.repositories(memberID: s.memberID, token: s.token)
        #expect(revalidated == cold)
        #expect(await s.github.state.apiRequests == ["GET /user/repos"])

        // The list changed on GitHub: the next revalidation fetches it again.
        await s.github.state.setRepositories(owned: GitHubImportTests.repos(151, owner: "alice-dev"), contributed: [])
        s.clock.advance(3601)
        await s.github.state.resetRequests()
        let changed = try await s.client.repositories(memberID: s.memberID, token: s.token)
        #expect(changed.repositories.count == 151)
        let requests = await s.github.state.apiRequests
        #expect(requests.first == "GET /user/repos")  // the conditional check comes first
        #expect(requests.sorted() == ["GET /user/repos", "POST /graphql", "POST /graphql"])  // its 200 gave the new ETag
        await s.stop()
    }

    @Test func rateLimitInAGraphQL200IsReportedClearly() async throws {
        let s = try await Setup(owned: 3, contributed: 0)
        await s.github.state.setGraphQLRateLimited(true)
        do {
            _ = try await s.client.repositories(memberID: s.memberID, token: s.token)
            Issue.record("expected a rate-limit error")
        } catch let error as APIError {
            #expect(error.code == "github_rate_limited" && error.status == 503)
            #expect(error.message.contains("until"))
        }
        #expect(try s.database.loadImport(memberID: s.memberID) == nil)  // nothing half-written
        await s.stop()
    }

    @Test func aRejectedTokenAsksToSignInAgain() async throws {
        let s = try await Setup(owned: 3, contributed: 0)
        do {
            _ = try await s.client.repositories(memberID: s.memberID, token: "gho_revoked")
            Issue.record("expected an error")
        } catch let error as APIError {
            #expect(error.code == "github_token_rejected")
        }
        await s.stop()
    }

    @Test func cacheGoesWithTheMember() async throws {
        let s = try await Setup(owned: 2, contributed: 0)
        _ = try await s.client.repositories(memberID: s.memberID, token: s.token)
        #expect(try s.database.loadImport(memberID: s.memberID) != nil)
        try s.database.deleteMember(id: s.memberID)
        #expect(try s.database.loadImport(memberID: s.memberID) == nil)
        await s.stop()
    }
}

@Suite struct RepositoriesFunctionTests {
    @Test func listsFromTheCacheAfterTheFirstImport() async throws {
        let (github, h, _, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let first = await h.call(RepositoriesFunction.handler, browser("GET", "/api/repositories", cookie: cookie, origin: nil))
        #expect(first.statusCode == 200, "\(first.body)")
        let list = try #require(first.json?["repositories"] as? [[String: Any]])
        #expect(list.compactMap { $0["nameWithOwner"] as? String } == ["alice-dev/shop-api", "team/infra"])
        #expect(list.first?["owned"] as? Bool == true && list.last?["owned"] as? Bool == false)
        #expect(list.first?["readme"] == nil)  // the list stays small
        await github.state.resetRequests()
        let second = await h.call(RepositoriesFunction.handler, browser("GET", "/api/repositories", cookie: cookie, origin: nil))
        #expect(second.statusCode == 200)
        #expect(await github.state.apiRequests.isEmpty)
    }

    @Test func refusals() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        #expect(await h.call(RepositoriesFunction.handler, browser("GET", "/api/repositories", origin: nil)).statusCode == 401)
        #expect(await h.call(RepositoriesFunction.handler, browser("GET", "/api/repositories", cookie: cookie, origin: nil)).errorCode == "github_not_linked")
        #expect(await h.call(RepositoriesFunction.handler, browser("POST", "/api/repositories", cookie: cookie)).statusCode == 405)
    }
}

@Suite struct GitHubDetailsTests {
    static let shop = FakeRepository(
        owner: "alice-dev", name: "shop-web", languages: [("TypeScript", 9000)], topics: ["docker"], commits: 40,
        files: ["package.json": #"{"dependencies":{"react":"18","express":"4"}}"#, "README.md": "# shop",
                ".github/workflows/ci.yml": "on: push\n", "src/app.ts": "x"],
        commitLog: [("Fix payment rounding error", "2024-03-02"), ("Add cart page", "2024-02-10"), ("Initial commit", "2024-01-05")],
        pullRequests: (5, 3))

    func setup() async throws -> (FakeGitHub, CachedClient, String, GitHubRepository) {
        let github = try await FakeGitHub()
        await github.state.setRepositories(owned: [Self.shop, FakeRepository(owner: "alice-dev", name: "empty", empty: true)], contributed: [])
        let dir = try TempDir()
        let database = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let member = try database.upsertLocalMember(login: "a", name: "a", now: Date())
        let client = CachedClient(github: GitHub(transport: URLSessionTransport(), apiURL: github.baseURL), cache: database)
        let token = await github.state.issueToken()
        let imported = try await client.repositories(memberID: member.id, token: token)
        return (github, client, token, imported.repositories[0])
    }

    @Test func restDetailsBecomeEvidence() async throws {
        let (github, client, token, repo) = try await setup()
        defer { Task { await github.stop() } }
        await github.state.resetRequests()
        let details = try await client.details(for: repo.nameWithOwner, login: "alice-dev", token: token)
        #expect(await github.state.apiRequests.sorted() == ["GET /repos/commits", "GET /repos/contents", "GET /repos/contents",
                                                            "GET /repos/contents", "GET /search/issues"])
        #expect(details.commits.map(\.subject) == ["Fix payment rounding error", "Add cart page", "Initial commit"])
        #expect(details.pullRequests == 5 && details.mergedPullRequests == 3)
        #expect(Set(details.manifests.keys) == ["package.json", ".github/workflows/ci.yml"])
        let evidence = RepositoryEvidence(github: repo, details: details)
        #expect(evidence.contribution.commits == 3)
        #expect(evidence.contribution.firstMonth == "2024.01" && evidence.contribution.lastMonth == "2024.03")
        let tech = Dictionary(uniqueKeysWithValues: evidence.technologies.map { ($0.name, $0.sources) })
        #expect(tech["React"] == ["package.json"] && tech["GitHub Actions"] == [".github/workflows/ci.yml"] && tech["Docker"] == ["topics"])

        // Commits are GitHub's attribution to the account, asked for by login: another login gets none.
        let other = try await client.details(for: repo.nameWithOwner, login: "alice-dev-impostor", token: token)
        #expect(other.commits.isEmpty)
    }

    @Test func moreThanAPageOfCommitsIsCountedExactlyWithOneMoreRequest() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        // 250 commits, newest first: day by day back from 2024-12-31.
        let log = (0..<250).map { i -> (subject: String, date: String) in
            let day = Calendar(identifier: .gregorian).date(byAdding: .day, value: -i, to: ISO8601DateFormatter().date(from: "2024-12-31T00:00:00Z")!)!
            return ("Change \(250 - i)", String(ISO8601DateFormatter().string(from: day).prefix(10)))
        }
        var big = Self.shop
        big.commitLog = log
        await github.state.setRepositories(owned: [big], contributed: [])
        let dir = try TempDir()
        defer { dir.remove() }
        let database = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let member = try database.upsertLocalMember(login: "a", name: "a", now: Date())
        let client = CachedClient(github: GitHub(transport: URLSessionTransport(), apiURL: github.baseURL), cache: database)
        let token = await github.state.issueToken()
        let repo = try await client.repositories(memberID: member.id, token: token).repositories[0]
        await github.state.resetRequests()
        let details = try await client.details(for: repo.nameWithOwner, login: "alice-dev", token: token)
        #expect(await github.state.apiRequests.filter { $0 == "GET /repos/commits" }.count == 2)
        #expect(details.commits.count == 100 && details.moreCommits)
        #expect(details.totalCommits == 250)
        #expect(details.firstCommitDate == log.last!.date)
        let evidence = RepositoryEvidence(github: repo, details: details)
        #expect(evidence.contribution.commits == 250)
        #expect(evidence.contribution.firstMonth == String(log.last!.date.prefix(7)).replacingOccurrences(of: "-", with: "."))
        #expect(evidence.contribution.lastMonth == "2024.12")
    }

    @Test func linkHeadersAreRead() {
        #expect(GitHub.lastPage(#"<https://api.github.com/repositories/1/commits?author=a&per_page=100&page=2>; rel="next", <https://api.github.com/repositories/1/commits?author=a&per_page=100&page=7>; rel="last""#) == 7)
        #expect(GitHub.lastPage(#"<https://api.github.com/x?page=2>; rel="next""#) == nil)
        #expect(GitHub.lastPage(nil) == nil)
    }

    @Test func anEmptyRepositoryGivesEmptyDetails() async throws {
        let (github, client, token, _) = try await setup()
        defer { Task { await github.stop() } }
        let details = try await client.details(for: "alice-dev/empty", login: "alice-dev", token: token)
        #expect(details.commits.isEmpty && details.manifests.isEmpty)
    }

    @Test func generationUsesTheDetails() async throws {
        let (github, h, member, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        await github.state.setRepositories(owned: [Self.shop], contributed: [])
        let response = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie,
                                                                       json: #"{"repositories":["alice-dev/shop-web"],"template":"GITFOLIO"}"#))
        #expect(response.statusCode == 201, "\(response.bodyText)")
        let json = try #require(response.json)
        #expect((json["grounding"] as? [Any])?.isEmpty == true)
        let resume = try JSONDecoder().decode(Resume.self, from: JSONSerialization.data(withJSONObject: json["resume"]!))
        let bullets = resume.projects[0].bullets.map(\.text)
        #expect(bullets.first == "커밋 3개 작성, 2024.01–2024.03")
        #expect(bullets.contains("PR 5개 작성, 3개 병합"))
        #expect(bullets.contains("Express, React 기반 웹 서비스 개발"))
        // A commit subject alone ("Fix payment rounding error", no body, tests or pull request) is too
        // little signal for a troubleshooting story: the member is asked instead.
        #expect(resume.projects[0].troubleshooting.first?.problem.needsInput == true)
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 1)
    }
}

extension GitHubDetailsTests {
    @Test func generatingAgainWithinAnHourReusesTheDetails() async throws {
        let (github, h, member, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        await github.state.setRepositories(owned: [Self.shop], contributed: [])
        let body = #"{"repositories":["alice-dev/shop-web"],"template":"BASIC"}"#
        let rest: @Sendable ([String]) -> [String] = { $0.filter { $0.hasPrefix("GET /repos/") || $0.hasPrefix("GET /search/") } }

        await github.state.resetRequests()
        #expect(await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: body)).statusCode == 201)
        #expect(rest(await github.state.apiRequests).count == 5, "commits, pull requests, the root listing and two files")

        await github.state.resetRequests()
        let again = await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: body))
        #expect(again.statusCode == 201)
        #expect(rest(await github.state.apiRequests).isEmpty, "the details came from the cache")
        let resume = try JSONDecoder().decode(Resume.self, from: JSONSerialization.data(withJSONObject: try #require(again.json?["resume"])))
        #expect(resume.projects[0].bullets.first?.text == "커밋 3개 작성, 2024.01–2024.03")

        // An hour later they are fetched again.
        let cached = try #require(try h.database.loadDetails(memberID: member.id, repository: "alice-dev/shop-web", notBefore: 0))
        try h.database.saveDetails(memberID: member.id, repository: "alice-dev/shop-web", body: cached,
                                   fetchedAt: Int64(Date().timeIntervalSince1970) - 3_700)
        await github.state.resetRequests()
        #expect(await h.call(GenerateFunction.handler, browser("POST", "/api/generate", cookie: cookie, json: body)).statusCode == 201)
        #expect(rest(await github.state.apiRequests).count == 5)
    }
}

@Suite struct ResumeFromGitHubCommandTests {
    @Test func resumeCommandReadsGitHub() async throws {
        let github = try await FakeGitHub()
        defer { Task { await github.stop() } }
        await github.state.setRepositories(owned: [GitHubDetailsTests.shop], contributed: [])
        let token = await github.state.issueToken()
        let dir = try TempDir()
        defer { dir.remove() }
        let env = ["PATH": "/usr/bin:/bin", "GITHUB_TOKEN": token, "GITHUB_API_URL": github.baseURL.absoluteString]
        let out = dir.path("r.md")
        let result = try await runProcessAsync(Built.executable("gitfolio"), arguments: [
            "resume", "--github", "--repo", "alice-dev/shop-web", "--lang", "en", "--template", "gitfolio", "--out", out,
        ], environment: env, input: Data())
        #expect(result.status == 0, "\(result.err)")
        #expect(result.err.contains("[2/2] reading alice-dev/shop-web"))
        let markdown = try String(contentsOfFile: out, encoding: .utf8)
        #expect(markdown.contains("- Wrote 3 commits (2024.01–2024.03)") && markdown.contains("- Opened 5 pull requests, 3 merged"))
        let unknown = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["resume", "--github", "--repo", "someone/else"],
                                     environment: env, input: Data())
        #expect(unknown.status != 0 && unknown.err.contains("not among"))
        let noToken = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["resume", "--github", "--repo", "alice-dev/shop-web"],
                                     environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(noToken.status != 0 && noToken.err.contains("GITHUB_TOKEN"))
    }
}

/// The GitHub client with one cache, as these tests use it.
struct CachedClient: Sendable {
    let github: GitHub
    let cache: AppDatabase

    func repositories(memberID: Int64, token: String) async throws -> GitHubImport {
        try await github.repositories(memberID: memberID, token: token, cache: cache)
    }

    func details(for repository: String, login: String, token: String) async throws -> RepositoryDetails {
        try await github.fetchDetails(for: repository, login: login, token: token)
    }
}
