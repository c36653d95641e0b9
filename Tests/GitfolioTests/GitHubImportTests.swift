import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioFunctions
import GitfolioHTTP
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
        let client: GitHubDataClient
        let token: String
        let memberID: Int64

        init(owned: Int, contributed: Int) async throws {
            github = try await FakeGitHub()
            await github.state.setRepositories(owned: GitHubImportTests.repos(owned, owner: "alice-dev"),
                                               contributed: GitHubImportTests.repos(contributed, owner: "team"))
            dir = try TempDir()
            database = try AppDatabase(path: dir.path("g.sqlite"))
            memberID = try database.upsertLocalMember(login: "alice", name: "alice", now: Date()).id
            client = GitHubDataClient(transport: URLSessionTransport(), apiURL: github.baseURL, cache: database, clock: clock)
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
        #expect(requests.sorted() == ["GET /user/repos", "GET /user/repos", "POST /graphql", "POST /graphql"])
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
        #expect(try s.database.load(memberID: s.memberID) == nil)  // nothing half-written
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
        #expect(try s.database.load(memberID: s.memberID) != nil)
        try s.database.deleteMember(id: s.memberID)
        #expect(try s.database.load(memberID: s.memberID) == nil)
        await s.stop()
    }
}

@Suite struct RepositoriesFunctionTests {
    @Test func listsFromTheCacheAfterTheFirstImport() async throws {
        let (github, h, _, cookie) = try await GenerateQuotaTests().setup()
        defer { Task { await github.stop() }; h.dir.remove() }
        let first = await h.call(RepositoryHandlers.repositories, browser("GET", "/api/repositories", cookie: cookie, origin: nil))
        #expect(first.statusCode == 200, "\(first.body)")
        let list = try #require(first.json?["repositories"] as? [[String: Any]])
        #expect(list.compactMap { $0["nameWithOwner"] as? String } == ["alice-dev/shop-api", "team/infra"])
        #expect(list.first?["owned"] as? Bool == true && list.last?["owned"] as? Bool == false)
        #expect(list.first?["readme"] == nil)  // the list stays small
        await github.state.resetRequests()
        let second = await h.call(RepositoryHandlers.repositories, browser("GET", "/api/repositories", cookie: cookie, origin: nil))
        #expect(second.statusCode == 200)
        #expect(await github.state.apiRequests.isEmpty)
    }

    @Test func refusals() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        #expect(await h.call(RepositoryHandlers.repositories, browser("GET", "/api/repositories", origin: nil)).statusCode == 401)
        #expect(await h.call(RepositoryHandlers.repositories, browser("GET", "/api/repositories", cookie: cookie, origin: nil)).errorCode == "github_not_linked")
        #expect(await h.call(RepositoryHandlers.repositories, browser("POST", "/api/repositories", cookie: cookie)).statusCode == 405)
    }
}
