import Foundation
import GitfolioCore
import GitfolioEvidence

/// GitHub's REST answers for one repository, as far as Gitfolio reads them.
enum REST {
    struct Commit: Decodable {
        struct Body: Decodable {
            struct Author: Decodable { var date: String? }
            var author: Author?
            var message: String?
        }
        var sha: String
        var commit: Body
    }
    struct Search: Decodable {
        struct Item: Decodable {
            struct PullRequest: Decodable { var merged_at: String? }
            var pull_request: PullRequest?
        }
        var total_count: Int
        var items: [Item]
    }
    struct Entry: Decodable {
        var type: String
        var path: String
    }
    struct File: Decodable {
        var content: String?
        var encoding: String?
    }
}

extension GitHub {
    /// The details of one repository for a member, from the cache when they were fetched within the
    /// hour (generating again soon costs no rate limit), else from GitHub (then cached).
    public func details(for repository: String, login: String, token: String, memberID: Int64,
                        cache: any GitHubCache) async throws -> RepositoryDetails {
        let now = Int64(clock.now().timeIntervalSince1970)
        if let body = try cache.loadDetails(memberID: memberID, repository: repository, notBefore: now - Self.freshFor),
           let cached = try? JSONValue.decode(RepositoryDetails.self, from: body) {
            return cached
        }
        let details = try await fetchDetails(for: repository, login: login, token: token)
        try cache.saveDetails(memberID: memberID, repository: repository, body: Array(try JSONValue.serialize(details).utf8),
                              fetchedAt: now)
        return details
    }

    /// REST calls for one repository: commits by the member (GitHub attributes them to the account by
    /// id and verified emails), their pull requests, root manifests and CI workflows. An empty
    /// repository (409) or one without access (404) gives empty details, not an error.
    public func fetchDetails(for repository: String, login: String, token: String) async throws -> RepositoryDetails {
        var details = RepositoryDetails(commits: [], moreCommits: false, pullRequests: 0, mergedPullRequests: 0, manifests: [:])
        let repo = repository.split(separator: "/").map { $0.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? String($0) }
        guard repo.count == 2 else { return details }
        let base = apiURL.appendingPathComponent("repos/\(repo[0])/\(repo[1])")
        /// A GET whose 4xx answer means "nothing here" (the caller moves on).
        func optional<T: Decodable>(_ type: T.Type, _ url: URL) async throws -> (T, OutboundResponse)? {
            let response = try await send(OutboundRequest(url: url, headers: headers(token: token)))
            guard (200..<300).contains(response.status) else { return nil }
            return (try decode(T.self, response), response)
        }

        var commitsURL = URLComponents(url: base.appendingPathComponent("commits"), resolvingAgainstBaseURL: false)!
        commitsURL.queryItems = [URLQueryItem(name: "author", value: login), URLQueryItem(name: "per_page", value: "100")]
        if let (commits, response) = try await optional([REST.Commit].self, commitsURL.url!) {
            details.commits = commits.map { item in
                let subject = (item.commit.message ?? "").split(separator: "\n").first.map(String.init) ?? ""
                return .init(hash: String(item.sha.prefix(12)), date: String((item.commit.author?.date ?? "").prefix(10)),
                             subject: String(subject.prefix(200)))
            }
            let link = response.headers["link"]
            details.moreCommits = link?.contains("rel=\"next\"") ?? false
            // More than 100: one more request, for the last page, gives the exact count and the first commit.
            if details.moreCommits, let last = Self.lastPage(link), last > 1 {
                var lastURL = commitsURL
                lastURL.queryItems?.append(URLQueryItem(name: "page", value: String(last)))
                if let (items, _) = try await optional([REST.Commit].self, lastURL.url!), let oldest = items.last {
                    details.totalCommits = (last - 1) * 100 + items.count
                    let date = oldest.commit.author?.date ?? ""
                    details.firstCommitDate = date.isEmpty ? nil : String(date.prefix(10))
                }
            }
        }

        var search = URLComponents(url: apiURL.appendingPathComponent("search/issues"), resolvingAgainstBaseURL: false)!
        search.queryItems = [URLQueryItem(name: "q", value: "repo:\(repository) is:pr author:\(login)"),
                             URLQueryItem(name: "per_page", value: "100")]
        if let (found, _) = try await optional(REST.Search.self, search.url!) {
            details.pullRequests = found.total_count
            details.mergedPullRequests = found.items.filter { $0.pull_request?.merged_at != nil }.count
        }

        let root = try await optional([REST.Entry].self, base.appendingPathComponent("contents"))?.0 ?? []
        for path in root.filter({ $0.type == "file" }).map(\.path).filter(Manifests.isRootManifest).prefix(8) {
            guard let (file, _) = try await optional(REST.File.self, base.appendingPathComponent("contents/\(path)")),
                  let content = file.content, let bytes = Base64.decode(content)
            else { continue }
            details.manifests[path] = String(decoding: bytes, as: UTF8.self)
        }
        if root.contains(where: { $0.path == ".github" && $0.type == "dir" }) {
            let workflows = try await optional([REST.Entry].self, base.appendingPathComponent("contents/.github/workflows"))?.0 ?? []
            for entry in workflows where entry.path.hasSuffix(".yml") || entry.path.hasSuffix(".yaml") {
                details.manifests[entry.path] = ""
            }
        }
        return details
    }

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
