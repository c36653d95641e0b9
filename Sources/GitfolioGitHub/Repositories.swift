import Foundation
import GitfolioCore
import GitfolioEvidence

/// Where the GitHub client keeps answers between processes (SQLite in production): a member's
/// import (with its ETag) and REST details per member and repository. The client decides freshness.
public protocol GitHubCache: Sendable {
    func loadImport(memberID: Int64) throws -> (body: [UInt8], etag: String?, fetchedAt: Int64)?
    func saveImport(memberID: Int64, body: [UInt8], etag: String?, fetchedAt: Int64) throws
    func touchImport(memberID: Int64, fetchedAt: Int64) throws
    func loadDetails(memberID: Int64, repository: String, notBefore: Int64) throws -> [UInt8]?
    func saveDetails(memberID: Int64, repository: String, body: [UInt8], fetchedAt: Int64) throws
}

/// A cache for one command run.
public final class MemoryGitHubCache: GitHubCache, @unchecked Sendable {
    private let lock = NSLock()
    private var imports: [Int64: (body: [UInt8], etag: String?, fetchedAt: Int64)] = [:]
    private var details: [String: (body: [UInt8], fetchedAt: Int64)] = [:]

    public init() {}

    public func loadImport(memberID: Int64) -> (body: [UInt8], etag: String?, fetchedAt: Int64)? { lock.withLock { imports[memberID] } }
    public func saveImport(memberID: Int64, body: [UInt8], etag: String?, fetchedAt: Int64) {
        lock.withLock { imports[memberID] = (body, etag, fetchedAt) }
    }
    public func touchImport(memberID: Int64, fetchedAt: Int64) { lock.withLock { imports[memberID]?.fetchedAt = fetchedAt } }
    public func loadDetails(memberID: Int64, repository: String, notBefore: Int64) -> [UInt8]? {
        lock.withLock { details["\(memberID)/\(repository.lowercased())"].flatMap { $0.fetchedAt >= notBefore ? $0.body : nil } }
    }
    public func saveDetails(memberID: Int64, repository: String, body: [UInt8], fetchedAt: Int64) {
        lock.withLock { details["\(memberID)/\(repository.lowercased())"] = (body, fetchedAt) }
    }
}

extension GitHub {
    /// Answers are reused for an hour: the repository list (then revalidated with `If-None-Match`, a
    /// 304 costing no rate limit) and a repository's REST details.
    public static let freshFor: Int64 = 3600

    /// A member's GitHub data with their own token: one GraphQL query paged by 100, from the cache
    /// when fresh.
    public func repositories(memberID: Int64, token: String, cache: any GitHubCache) async throws -> GitHubImport {
        let now = Int64(clock.now().timeIntervalSince1970)
        var knownETag: String?
        if let cached = try cache.loadImport(memberID: memberID), let value = try? JSONValue.decode(GitHubImport.self, from: cached.body) {
            if now - cached.fetchedAt < Self.freshFor { return value }
            if let etag = cached.etag {
                let check = try await send(OutboundRequest(url: listURL, headers: headers(token: token).merging(["If-None-Match": etag]) { $1 }))
                if check.status == 304 {
                    try cache.touchImport(memberID: memberID, fetchedAt: now)
                    return value
                }
                // A 200 here already carries the list's new ETag: no need to ask for it again.
                knownETag = check.status == 200 ? check.headers["etag"] : nil
            }
        }
        let value: GitHubImport
        let etag: String?
        if let knownETag {
            value = try await fetchImport(token: token)
            etag = knownETag
        } else {
            // The list's ETag (for revalidation an hour from now) is fetched alongside the GraphQL pages.
            async let list: OutboundResponse? = try? send(OutboundRequest(url: listURL, headers: headers(token: token)))
            value = try await fetchImport(token: token)
            etag = await list?.headers["etag"]
        }
        try cache.saveImport(memberID: memberID, body: Array(try JSONValue.serialize(value).utf8), etag: etag, fetchedAt: now)
        return value
    }

    var listURL: URL {
        var c = URLComponents(url: apiURL.appendingPathComponent("user/repos"), resolvingAgainstBaseURL: false)!
        c.queryItems = [URLQueryItem(name: "per_page", value: "100"), URLQueryItem(name: "sort", value: "pushed"),
                        URLQueryItem(name: "affiliation", value: "owner,collaborator,organization_member")]
        return c.url!
    }

    static let query = """
    query($owned: String, $contributed: String, $withContributed: Boolean!, $withOwned: Boolean!) {
      viewer {
        login name
        contributionsCollection {
          totalCommitContributions totalPullRequestContributions
          commitContributionsByRepository(maxRepositories: 100) { repository { nameWithOwner } contributions { totalCount } }
        }
        repositories(first: 100, after: $owned, ownerAffiliations: [OWNER], orderBy: {field: PUSHED_AT, direction: DESC}) @include(if: $withOwned) {
          pageInfo { hasNextPage endCursor } nodes { ...Repo }
        }
        repositoriesContributedTo(first: 100, after: $contributed, includeUserRepositories: false,
          contributionTypes: [COMMIT, PULL_REQUEST], orderBy: {field: PUSHED_AT, direction: DESC}) @include(if: $withContributed) {
          pageInfo { hasNextPage endCursor } nodes { ...Repo }
        }
      }
    }
    fragment Repo on Repository {
      nameWithOwner description url isPrivate isFork stargazerCount forkCount pushedAt
      primaryLanguage { name }
      languages(first: 10, orderBy: {field: SIZE, direction: DESC}) { totalSize edges { size node { name } } }
      repositoryTopics(first: 10) { nodes { topic { name } } }
      readme: object(expression: "HEAD:README.md") { ... on Blob { text } }
    }
    """

    /// Pages through owned and contributed-to repositories together: ⌈max(owned, contributed)/100⌉ requests.
    func fetchImport(token: String) async throws -> GitHubImport {
        var owned: String?, contributed: String?
        var withOwned = true, withContributed = true
        var result: GitHubImport?
        var counts: [String: Int] = [:]
        var pages = 0
        while withOwned || withContributed {
            pages += 1
            guard pages <= 20 else { break }  // 2,000 repositories is more than a resume needs
            let body: JSONValue = ["query": .string(Self.query), "variables": [
                "owned": owned.map { .string($0) } ?? .null, "contributed": contributed.map { .string($0) } ?? .null,
                "withOwned": .bool(withOwned), "withContributed": .bool(withContributed),
            ]]
            let response = try await send(OutboundRequest(
                method: "POST", url: apiURL.appendingPathComponent("graphql"),
                headers: headers(token: token).merging(["Content-Type": "application/json"]) { $1 }, body: Data(body.serialized.utf8)))
            guard response.status == 200 else {
                throw APIError.upstream("github_error", "GitHub answered the repository query with HTTP \(response.status).",
                                        korean: "GitHub에서 저장소 목록을 받지 못했습니다.")
            }
            let answer = try decode(GraphQL.Answer.self, response)
            if let errors = answer.errors, !errors.isEmpty {
                // A rate limit hit comes back as HTTP 200 with errors.
                if errors.contains(where: { $0.type == "RATE_LIMITED" }) { throw Self.rateLimitError(response) }
                throw APIError.upstream("github_error", "GitHub's query failed: \((errors.first?.message ?? "unknown").prefix(200))",
                                        korean: "GitHub에서 저장소 목록을 받지 못했습니다.")
            }
            guard let viewer = answer.data?.viewer else {
                throw APIError.upstream("github_error", "GitHub's answer had no data.", korean: "GitHub 응답에 데이터가 없습니다.")
            }
            if result == nil {
                let collection = viewer.contributionsCollection
                for entry in collection?.commitContributionsByRepository ?? [] {
                    counts[entry.repository.nameWithOwner] = entry.contributions.totalCount
                }
                result = GitHubImport(login: viewer.login, name: viewer.name,
                                      totalCommitContributions: collection?.totalCommitContributions ?? 0,
                                      totalPullRequestContributions: collection?.totalPullRequestContributions ?? 0, repositories: [])
            }
            for (connection, isOwned) in [(viewer.repositories, true), (viewer.repositoriesContributedTo, false)] {
                guard let connection else { continue }
                result!.repositories += connection.nodes.map { $0.repository(owned: isOwned, commits: counts[$0.nameWithOwner]) }
                let next = connection.pageInfo.hasNextPage ? connection.pageInfo.endCursor : nil
                if isOwned { owned = next; withOwned = next != nil } else { contributed = next; withContributed = next != nil }
            }
        }
        return result!
    }
}

/// GitHub's GraphQL answer, as far as Gitfolio reads it.
enum GraphQL {
    struct Answer: Decodable {
        var data: DataBody?
        var errors: [Failure]?
    }
    struct Failure: Decodable {
        var type: String?
        var message: String?
    }
    struct DataBody: Decodable { var viewer: Viewer? }
    struct Viewer: Decodable {
        var login: String
        var name: String?
        var contributionsCollection: Contributions?
        var repositories: Connection?
        var repositoriesContributedTo: Connection?
    }
    struct Contributions: Decodable {
        var totalCommitContributions: Int
        var totalPullRequestContributions: Int
        var commitContributionsByRepository: [ByRepository]
    }
    struct ByRepository: Decodable {
        struct Name: Decodable { var nameWithOwner: String }
        struct Count: Decodable { var totalCount: Int }
        var repository: Name
        var contributions: Count
    }
    struct Connection: Decodable {
        struct PageInfo: Decodable {
            var hasNextPage: Bool
            var endCursor: String?
        }
        var pageInfo: PageInfo
        var nodes: [Node]
    }
    struct Named: Decodable { var name: String }
    struct Node: Decodable {
        struct Languages: Decodable {
            struct Edge: Decodable {
                var size: Int
                var node: Named
            }
            var totalSize: Int
            var edges: [Edge]
        }
        struct Topics: Decodable {
            struct Topic: Decodable { var topic: Named }
            var nodes: [Topic]
        }
        struct Blob: Decodable { var text: String? }
        var nameWithOwner: String
        var description: String?
        var url: String
        var isPrivate: Bool
        var isFork: Bool
        var stargazerCount: Int
        var forkCount: Int
        var pushedAt: String?
        var primaryLanguage: Named?
        var languages: Languages?
        var repositoryTopics: Topics?
        var readme: Blob?

        func repository(owned: Bool, commits: Int?) -> GitHubRepository {
            let total = max(1, languages?.totalSize ?? 1)
            return GitHubRepository(
                nameWithOwner: nameWithOwner, description: description, url: url, isPrivate: isPrivate, isFork: isFork,
                stars: stargazerCount, forks: forkCount, pushedAt: pushedAt, primaryLanguage: primaryLanguage?.name,
                languages: (languages?.edges ?? []).map {
                    LanguageShare(name: $0.node.name, bytes: $0.size, share: (Double($0.size) / Double(total) * 1000).rounded() / 1000)
                },
                topics: repositoryTopics?.nodes.map(\.topic.name) ?? [], readme: readme?.text, owned: owned, commitContributions: commits)
        }
    }
}
