import Foundation
import GitfolioCore

/// A repository as GitHub's GraphQL API describes it.
public struct GitHubRepository: Codable, Sendable, Equatable {
    public var nameWithOwner: String
    public var description: String?
    public var url: String
    public var isPrivate: Bool
    public var isFork: Bool
    public var stars: Int
    public var forks: Int
    public var pushedAt: String?
    public var primaryLanguage: String?
    public var languages: [LanguageShare]
    public var topics: [String]
    public var readme: String?
    /// Whether the member owns it (or it was listed as contributed-to).
    public var owned: Bool
    /// The member's commit contributions in the last year (GitHub's count), when reported.
    public var commitContributions: Int?
}

/// What one import gives: the member's profile and their repositories.
public struct GitHubImport: Codable, Sendable, Equatable {
    public var login: String
    public var name: String?
    public var totalCommitContributions: Int
    public var totalPullRequestContributions: Int
    public var repositories: [GitHubRepository]
}

/// A place to keep responses between processes (SQLite in production).
public protocol GitHubImportCache: Sendable {
    func load(memberID: Int64) throws -> (value: GitHubImport, etag: String?, fetchedAt: Date)?
    func save(memberID: Int64, value: GitHubImport, etag: String?, fetchedAt: Date) throws
    func touch(memberID: Int64, fetchedAt: Date) throws
}

/// Imports a member's GitHub data with their own token: one GraphQL query paged by 100, cached for
/// an hour, then revalidated with `If-None-Match` on `GET /user/repos` (a 304 costs no rate limit).
public struct GitHubDataClient: Sendable {
    public let transport: any HTTPTransport
    public let apiURL: URL
    public let cache: any GitHubImportCache
    public let clock: any Clock
    public static let freshFor: TimeInterval = 3600

    public init(transport: any HTTPTransport, apiURL: URL, cache: any GitHubImportCache, clock: any Clock = SystemClock()) {
        self.transport = transport
        self.apiURL = apiURL
        self.cache = cache
        self.clock = clock
    }

    public func repositories(memberID: Int64, token: String) async throws -> GitHubImport {
        let now = clock.now()
        var knownETag: String?
        if let cached = try cache.load(memberID: memberID) {
            if now.timeIntervalSince(cached.fetchedAt) < Self.freshFor { return cached.value }
            if let etag = cached.etag {
                let check = try await send(OutboundRequest(url: listURL, headers: headers(token).merging(["If-None-Match": etag]) { $1 }))
                if check.status == 304 {
                    try cache.touch(memberID: memberID, fetchedAt: now)
                    return cached.value
                }
                // A 200 here already carries the list's new ETag: no need to ask for it again.
                knownETag = check.status == 200 ? check.headers["etag"] : nil
            }
        }
        let value: GitHubImport
        let etag: String?
        if let knownETag {
            value = try await fetch(token: token)
            etag = knownETag
        } else {
            // The list's ETag (for revalidation an hour from now) is fetched alongside the GraphQL pages.
            async let list: OutboundResponse? = try? send(OutboundRequest(url: listURL, headers: headers(token)))
            value = try await fetch(token: token)
            etag = await list?.headers["etag"]
        }
        try cache.save(memberID: memberID, value: value, etag: etag, fetchedAt: now)
        return value
    }

    var listURL: URL {
        var c = URLComponents(url: apiURL.appendingPathComponent("user/repos"), resolvingAgainstBaseURL: false)!
        c.queryItems = [URLQueryItem(name: "per_page", value: "100"), URLQueryItem(name: "sort", value: "pushed"),
                        URLQueryItem(name: "affiliation", value: "owner,collaborator,organization_member")]
        return c.url!
    }

    func headers(_ token: String) -> [String: String] {
        ["Authorization": "Bearer \(token)", "Accept": "application/vnd.github+json", "User-Agent": "Gitfolio",
         "X-GitHub-Api-Version": "2022-11-28"]
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
    func fetch(token: String) async throws -> GitHubImport {
        var owned: String?, contributed: String?
        var withOwned = true, withContributed = true
        var result: GitHubImport?
        var counts: [String: Int] = [:]
        var pages = 0
        while withOwned || withContributed {
            pages += 1
            guard pages <= 20 else { break }  // 2,000 repositories is more than a resume needs
            let variables: [String: Any] = ["owned": owned ?? NSNull(), "contributed": contributed ?? NSNull(),
                                            "withOwned": withOwned, "withContributed": withContributed]
            let body = try JSONSerialization.data(withJSONObject: ["query": Self.query, "variables": variables])
            let response = try await send(OutboundRequest(method: "POST", url: apiURL.appendingPathComponent("graphql"),
                                                          headers: headers(token).merging(["Content-Type": "application/json"]) { $1 },
                                                          body: body))
            guard response.status == 200,
                  let root = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any] else {
                throw APIError.upstream("github_error", "GitHub answered the repository query with HTTP \(response.status).")
            }
            if let errors = root["errors"] as? [[String: Any]], !errors.isEmpty {
                // A rate limit hit comes back as HTTP 200 with errors.
                if errors.contains(where: { ($0["type"] as? String) == "RATE_LIMITED" }) {
                    throw GitHubClient.rateLimitError(response)
                }
                throw APIError.upstream("github_error", "GitHub's query failed: \((errors.first?["message"] as? String ?? "unknown").prefix(200))")
            }
            guard let viewer = (root["data"] as? [String: Any])?["viewer"] as? [String: Any] else {
                throw APIError.upstream("github_error", "GitHub's answer had no data.")
            }
            if result == nil {
                let collection = viewer["contributionsCollection"] as? [String: Any] ?? [:]
                for entry in collection["commitContributionsByRepository"] as? [[String: Any]] ?? [] {
                    if let name = (entry["repository"] as? [String: Any])?["nameWithOwner"] as? String {
                        counts[name] = (entry["contributions"] as? [String: Any])?["totalCount"] as? Int
                    }
                }
                result = GitHubImport(login: viewer["login"] as? String ?? "", name: viewer["name"] as? String,
                                      totalCommitContributions: collection["totalCommitContributions"] as? Int ?? 0,
                                      totalPullRequestContributions: collection["totalPullRequestContributions"] as? Int ?? 0,
                                      repositories: [])
            }
            for (key, isOwned) in [("repositories", true), ("repositoriesContributedTo", false)] {
                guard let connection = viewer[key] as? [String: Any] else { continue }
                for node in connection["nodes"] as? [[String: Any]] ?? [] {
                    result!.repositories.append(Self.repository(node, owned: isOwned, counts: counts))
                }
                let info = connection["pageInfo"] as? [String: Any] ?? [:]
                let next = (info["hasNextPage"] as? Bool ?? false) ? info["endCursor"] as? String : nil
                if isOwned { owned = next; withOwned = next != nil } else { contributed = next; withContributed = next != nil }
            }
        }
        return result!
    }

    static func repository(_ node: [String: Any], owned: Bool, counts: [String: Int]) -> GitHubRepository {
        let languages = node["languages"] as? [String: Any] ?? [:]
        let total = max(1, languages["totalSize"] as? Int ?? 1)
        let name = node["nameWithOwner"] as? String ?? ""
        return GitHubRepository(
            nameWithOwner: name, description: node["description"] as? String, url: node["url"] as? String ?? "",
            isPrivate: node["isPrivate"] as? Bool ?? false, isFork: node["isFork"] as? Bool ?? false,
            stars: node["stargazerCount"] as? Int ?? 0, forks: node["forkCount"] as? Int ?? 0,
            pushedAt: node["pushedAt"] as? String,
            primaryLanguage: (node["primaryLanguage"] as? [String: Any])?["name"] as? String,
            languages: (languages["edges"] as? [[String: Any]] ?? []).compactMap { edge in
                guard let size = edge["size"] as? Int, let lang = (edge["node"] as? [String: Any])?["name"] as? String else { return nil }
                return LanguageShare(name: lang, bytes: size, share: (Double(size) / Double(total) * 1000).rounded() / 1000)
            },
            topics: ((node["repositoryTopics"] as? [String: Any])?["nodes"] as? [[String: Any]] ?? []).compactMap {
                ($0["topic"] as? [String: Any])?["name"] as? String
            },
            readme: (node["readme"] as? [String: Any])?["text"] as? String,
            owned: owned, commitContributions: counts[name])
    }

    func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        let response: OutboundResponse
        do { response = try await transport.send(request) } catch {
            throw APIError.upstream("github_unreachable", "GitHub could not be reached: \(error.localizedDescription)")
        }
        if response.status == 429 || (response.status == 403 && GitHubClient.isRateLimited(response)) {
            throw GitHubClient.rateLimitError(response)
        }
        if response.status == 401 {
            throw APIError(status: 401, code: "github_token_rejected", message: "GitHub no longer accepts this sign-in. Please sign in again.")
        }
        return response
    }
}

extension GitHubDataClient {
    /// The page number of `rel="last"` in a Link header (RFC 8288), as GitHub pages its lists.
    package static func lastPage(_ link: String?) -> Int? {
        guard let link else { return nil }
        for part in link.split(separator: ",") where part.contains("rel=\"last\"") {
            guard let open = part.firstIndex(of: "<"), let close = part.firstIndex(of: ">"), open < close,
                  let components = URLComponents(string: String(part[part.index(after: open)..<close]))
            else { continue }
            return components.queryItems?.first { $0.name == "page" }?.value.flatMap { Int($0) }
        }
        return nil
    }
}

extension RepositoryEvidence {
    /// Evidence from GitHub's description of a repository. GitHub reports the member's commits of the
    /// last year but not the repository's total, so `totalCommits` is 0 (unknown) and writers say so.
    public init(github repo: GitHubRepository) {
        let short = repo.nameWithOwner.split(separator: "/").last.map(String.init) ?? repo.nameWithOwner
        var technologies: [Technology] = []
        for topic in repo.topics {
            if let known = Vocabulary.technology(forTopic: topic), !technologies.contains(where: { $0.name == known.name }) {
                technologies.append(Technology(name: known.name, category: known.category, sources: ["topics"]))
            }
        }
        let pushed = repo.pushedAt.map { String($0.prefix(7)).replacingOccurrences(of: "-", with: ".") }
        self.init(
            name: short, origin: repo.url, readmeSummary: repo.readme.flatMap(LocalRepositoryAnalyzer.summary(ofReadme:)) ?? repo.description,
            languages: repo.languages, technologies: technologies,
            contribution: Contribution(authorEmails: [], commits: repo.commitContributions ?? 0, totalCommits: 0, firstMonth: nil,
                                       lastMonth: pushed, linesAdded: 0, linesDeleted: 0, areas: [], recentCommits: []))
    }
}

/// What GitHub's REST API adds for one repository: the member's own commits (attributed by GitHub to
/// their account, i.e. by id and verified emails), their pull requests, and root manifests.
public struct RepositoryDetails: Codable, Sendable, Equatable {
    public var commits: [Contribution.CommitRef]
    /// More commits than the first page of 100 exist.
    public var moreCommits: Bool
    /// With more than 100: the exact count and the first commit's date, from the last page.
    public var totalCommits: Int? = nil
    public var firstCommitDate: String? = nil
    public var pullRequests: Int
    public var mergedPullRequests: Int
    /// Tracked paths and texts of the root manifests (and the names of CI workflows, with empty text).
    public var manifests: [String: String]
}

extension GitHubDataClient {
    /// REST calls for one repository: commits by the member, their pull requests, root manifests.
    /// An empty repository (409) or one without access (404) gives empty details, not an error.
    public func details(for repository: String, login: String, token: String) async throws -> RepositoryDetails {
        var details = RepositoryDetails(commits: [], moreCommits: false, pullRequests: 0, mergedPullRequests: 0, manifests: [:])
        let repo = repository.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
        guard repo.count == 2 else { return details }
        let base = apiURL.appendingPathComponent("repos/\(repo[0])/\(repo[1])")
        func get(_ url: URL) async throws -> OutboundResponse? {
            let response = try await send(OutboundRequest(url: url, headers: headers(token)))
            return (200..<300).contains(response.status) ? response : nil
        }
        func json(_ response: OutboundResponse?) -> Any? { response.flatMap { try? JSONSerialization.jsonObject(with: $0.body) } }

        var commitsURL = URLComponents(url: base.appendingPathComponent("commits"), resolvingAgainstBaseURL: false)!
        commitsURL.queryItems = [URLQueryItem(name: "author", value: login), URLQueryItem(name: "per_page", value: "100")]
        let commitsResponse = try await get(commitsURL.url!)
        for item in json(commitsResponse) as? [[String: Any]] ?? [] {
            let commit = item["commit"] as? [String: Any] ?? [:]
            let date = ((commit["author"] as? [String: Any])?["date"] as? String) ?? ""
            let subject = (commit["message"] as? String ?? "").split(separator: "\n").first.map(String.init) ?? ""
            details.commits.append(.init(hash: String((item["sha"] as? String ?? "").prefix(12)), date: String(date.prefix(10)),
                                         subject: String(subject.prefix(200))))
        }
        details.moreCommits = commitsResponse?.headers["link"]?.contains("rel=\"next\"") ?? false
        // More than 100: one more request, for the last page, gives the exact count and the first commit.
        if details.moreCommits, let last = Self.lastPage(commitsResponse?.headers["link"]), last > 1 {
            var lastURL = commitsURL
            lastURL.queryItems?.append(URLQueryItem(name: "page", value: String(last)))
            if let items = json(try await get(lastURL.url!)) as? [[String: Any]], let oldest = items.last {
                details.totalCommits = (last - 1) * 100 + items.count
                let date = (((oldest["commit"] as? [String: Any])?["author"] as? [String: Any])?["date"] as? String) ?? ""
                details.firstCommitDate = date.isEmpty ? nil : String(date.prefix(10))
            }
        }

        var search = URLComponents(url: apiURL.appendingPathComponent("search/issues"), resolvingAgainstBaseURL: false)!
        search.queryItems = [URLQueryItem(name: "q", value: "repo:\(repository) is:pr author:\(login)"),
                             URLQueryItem(name: "per_page", value: "100")]
        if let found = json(try await get(search.url!)) as? [String: Any] {
            details.pullRequests = found["total_count"] as? Int ?? 0
            details.mergedPullRequests = (found["items"] as? [[String: Any]] ?? []).filter {
                (($0["pull_request"] as? [String: Any])?["merged_at"] as? String) != nil
            }.count
        }

        let root = json(try await get(base.appendingPathComponent("contents"))) as? [[String: Any]] ?? []
        let files = root.filter { $0["type"] as? String == "file" }.compactMap { $0["path"] as? String }
        for path in files.filter(Manifests.isRootManifest).prefix(8) {
            guard let file = json(try await get(base.appendingPathComponent("contents/\(path)"))) as? [String: Any],
                  let content = file["content"] as? String,
                  let data = Data(base64Encoded: content.replacingOccurrences(of: "\n", with: ""))
            else { continue }
            details.manifests[path] = String(decoding: data, as: UTF8.self)
        }
        if root.contains(where: { $0["path"] as? String == ".github" && $0["type"] as? String == "dir" }) {
            let workflows = json(try await get(base.appendingPathComponent("contents/.github/workflows"))) as? [[String: Any]] ?? []
            for path in workflows.compactMap({ $0["path"] as? String }) where path.hasSuffix(".yml") || path.hasSuffix(".yaml") {
                details.manifests[path] = ""
            }
        }
        return details
    }
}

extension RepositoryEvidence {
    /// Evidence from GitHub's description of a repository plus its REST details.
    public init(github repo: GitHubRepository, details: RepositoryDetails) {
        self.init(github: repo)
        for (path, text) in details.manifests.sorted(by: { $0.key < $1.key }) {
            for known in Manifests.detect(path: path, text: text) {
                if let i = technologies.firstIndex(where: { $0.name == known.name }) {
                    if !technologies[i].sources.contains(path) { technologies[i].sources.append(path) }
                } else {
                    technologies.append(Technology(name: known.name, category: known.category, sources: [path]))
                }
            }
        }
        if !details.commits.isEmpty {
            let months = details.commits.map { String($0.date.prefix(7)).replacingOccurrences(of: "-", with: ".") }.sorted()
            contribution.commits = details.totalCommits ?? details.commits.count
            contribution.firstMonth = details.firstCommitDate.map { String($0.prefix(7)).replacingOccurrences(of: "-", with: ".") }
                ?? (details.moreCommits ? nil : months.first)
            contribution.lastMonth = months.last
            contribution.recentCommits = Array(details.commits.prefix(20))
            // Only subjects are known here: fixes are ranked by what their subjects say.
            let problems = LocalRepositoryAnalyzer.problems(subjects: details.commits)
            contribution.problems = problems.isEmpty ? nil : problems
        }
        contribution.pullRequests = details.pullRequests
        contribution.mergedPullRequests = details.mergedPullRequests
    }
}
