import Foundation
import GitfolioCore
import HTTPServer

/// A repository the fake GitHub serves.
public struct FakeRepository: Sendable {
    public var owner: String
    public var name: String
    public var languages: [(String, Int)]
    public var topics: [String]
    public var readme: String?
    public var commits: Int
    public var pushedAt: String
    /// Root files (path → text); a `.github/workflows/x.yml` path makes the `.github` folder.
    public var files: [String: String]
    /// The user's commit subjects, newest first, with their dates (`YYYY-MM-DD`).
    public var commitLog: [(subject: String, date: String)]
    public var pullRequests: (opened: Int, merged: Int)
    /// An empty repository: the commits and contents endpoints answer 409.
    public var empty: Bool

    public init(owner: String, name: String, languages: [(String, Int)] = [("Swift", 1000)], topics: [String] = [],
                readme: String? = nil, commits: Int = 10, pushedAt: String = "2024-05-01T10:00:00Z", files: [String: String] = [:],
                commitLog: [(subject: String, date: String)] = [], pullRequests: (opened: Int, merged: Int) = (0, 0), empty: Bool = false) {
        self.owner = owner
        self.name = name
        self.languages = languages
        self.topics = topics
        self.readme = readme
        self.commits = commits
        self.pushedAt = pushedAt
        self.files = files
        self.commitLog = commitLog
        self.pullRequests = pullRequests
        self.empty = empty
    }

    var nameWithOwner: String { "\(owner)/\(name)" }

    var graphQLNode: [String: Any] {
        [
            "nameWithOwner": nameWithOwner, "description": "The \(name) project", "url": "https://github.com/\(nameWithOwner)",
            "isPrivate": false, "isFork": false, "stargazerCount": 3, "forkCount": 1, "pushedAt": pushedAt,
            "primaryLanguage": ["name": languages.first?.0 ?? "Swift"],
            "languages": ["totalSize": languages.map(\.1).reduce(0, +),
                          "edges": languages.map { ["size": $0.1, "node": ["name": $0.0]] }],
            "repositoryTopics": ["nodes": topics.map { ["topic": ["name": $0]] }],
            "readme": readme.map { ["text": $0] } ?? NSNull(),
        ]
    }
}

extension FakeGitHub {
    static func authorized(_ request: HTTPRequest, state: State) async -> FakeGitHub.User? {
        let auth = request.header("Authorization") ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        let user = await state.user(forToken: token)
        await state.recordCaller(user?.login)
        return user
    }

    static func json(_ status: Int, _ object: Any, extra: [String: String] = [:]) -> HTTPResponse {
        var headers = ["content-type": "application/json; charset=utf-8", "x-ratelimit-limit": "5000", "x-ratelimit-remaining": "4990"]
        for (k, v) in extra { headers[k.lowercased()] = v }
        return HTTPResponse(status: status, headers: headers, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// GraphQL `viewer` with owned and contributed-to repositories, paged by 100 with cursors.
    static func graphQL(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("POST /graphql")
        try? await Task.sleep(for: await state.latency)
        guard let user = await authorized(request, state: state) else {
            return json(401, ["message": "Bad credentials"])
        }
        if await state.graphQLRateLimited {
            return json(200, ["errors": [["type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID \(user.id)."]]],
                        extra: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Int(Date().timeIntervalSince1970) + 1800)])
        }
        let body = request.bodyData
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any], root["query"] is String else {
            return json(400, ["message": "Problems parsing JSON"])
        }
        let variables = root["variables"] as? [String: Any] ?? [:]
        let owned = await state.owned, contributed = await state.contributed
        func page(_ repos: [FakeRepository], after: Any?) -> [String: Any] {
            let start = (after as? String).flatMap { Int($0.dropFirst("cursor:".count)) } ?? 0
            let slice = Array(repos.dropFirst(start).prefix(100))
            let end = start + slice.count
            return ["pageInfo": ["hasNextPage": end < repos.count, "endCursor": "cursor:\(end)"], "nodes": slice.map(\.graphQLNode)]
        }
        var viewer: [String: Any] = [
            "login": user.login, "name": user.name ?? NSNull(),
            "contributionsCollection": [
                "totalCommitContributions": (owned + contributed).map(\.commits).reduce(0, +), "totalPullRequestContributions": 7,
                "commitContributionsByRepository": (owned + contributed).prefix(100).map {
                    ["repository": ["nameWithOwner": $0.nameWithOwner], "contributions": ["totalCount": $0.commits]]
                },
            ],
        ]
        if variables["withOwned"] as? Bool ?? true { viewer["repositories"] = page(owned, after: variables["owned"]) }
        if variables["withContributed"] as? Bool ?? true { viewer["repositoriesContributedTo"] = page(contributed, after: variables["contributed"]) }
        return json(200, ["data": ["viewer": viewer]])
    }

    /// REST `GET /user/repos` with an ETag; `If-None-Match` with the current one answers 304.
    static func userRepos(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("GET /user/repos")
        try? await Task.sleep(for: await state.latency)
        guard await authorized(request, state: state) != nil else { return json(401, ["message": "Bad credentials"]) }
        let etag = "W/\"list-\(await state.listVersion)\""
        if request.header("If-None-Match") == etag {
            return HTTPResponse(status: 304, headers: ["ETag": etag])
        }
        let repos = await state.owned.prefix(100).map { ["full_name": $0.nameWithOwner, "pushed_at": $0.pushedAt] }
        return json(200, repos, extra: ["ETag": etag])
    }
}

extension FakeGitHub {
    static func repository(_ request: HTTPRequest, state: State) async -> FakeRepository? {
        let parts = request.path.split(separator: "/")  // repos, owner, name, …
        guard parts.count >= 3 else { return nil }
        let full = "\(parts[1])/\(parts[2])"
        return (await state.owned + state.contributed).first { $0.nameWithOwner == full }
    }

    /// `GET /repos/{o}/{r}/commits?author=`: only the commits GitHub attributes to that account.
    static func commits(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("GET /repos/commits")
        guard let user = await authorized(request, state: state) else { return json(401, ["message": "Bad credentials"]) }
        guard let repo = await repository(request, state: state) else { return json(404, ["message": "Not Found"]) }
        if repo.empty { return json(409, ["message": "Git Repository is empty."]) }
        let author = request.queryValue("author")
        await state.recordCommitAuthor(author)
        let log = author == user.login ? repo.commitLog : []
        // Paged as GitHub pages: per_page (default 30, at most 100) and page (from 1), newest first,
        // with a Link header naming the next and last pages when there are more.
        let perPage = min(100, max(1, Int(request.queryValue("per_page") ?? "") ?? 30))
        let page = max(1, Int(request.queryValue("page") ?? "") ?? 1)
        let lastPage = max(1, (log.count + perPage - 1) / perPage)
        let slice = log.enumerated().dropFirst((page - 1) * perPage).prefix(perPage)
        var extra: [String: String] = [:]
        if page < lastPage {
            let host = request.header("host") ?? "127.0.0.1"
            func link(_ n: Int) -> String { "<http://\(host)\(request.path)?author=\(author ?? "")&per_page=\(perPage)&page=\(n)>" }
            extra["link"] = "\(link(page + 1)); rel=\"next\", \(link(lastPage)); rel=\"last\""
        }
        return json(200, slice.map { i, c in
            ["sha": String(format: "%040x", i + 1), "commit": ["message": c.subject + "\n\nbody", "author": ["name": "x", "date": c.date + "T09:00:00Z"]]]
        }, extra: extra)
    }

    /// `GET /search/issues?q=repo:o/r is:pr author:login`.
    static func searchIssues(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("GET /search/issues")
        guard await authorized(request, state: state) != nil else { return json(401, ["message": "Bad credentials"]) }
        let q = request.queryValue("q") ?? ""
        let name = q.split(separator: " ").first { $0.hasPrefix("repo:") }.map { String($0.dropFirst(5)) } ?? ""
        let repo = (await state.owned + state.contributed).first { $0.nameWithOwner == name }
        let opened = repo?.pullRequests.opened ?? 0, merged = repo?.pullRequests.merged ?? 0
        return json(200, ["total_count": opened, "incomplete_results": false,
                          "items": (0..<opened).map { i in ["number": i + 1, "pull_request": ["merged_at": i < merged ? "2024-04-01T00:00:00Z" as Any : NSNull()]] }])
    }

    /// `GET /repos/{o}/{r}/contents[/path]`: a folder listing or a file as base64.
    static func contents(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("GET /repos/contents")
        guard await authorized(request, state: state) != nil else { return json(401, ["message": "Bad credentials"]) }
        guard let repo = await repository(request, state: state) else { return json(404, ["message": "Not Found"]) }
        if repo.empty { return json(404, ["message": "This repository is empty."]) }
        let parts = request.path.split(separator: "/").map(String.init)
        let path = parts.count > 4 ? parts[4...].joined(separator: "/") : ""
        if let text = repo.files[path] {
            return json(200, ["type": "file", "path": path, "encoding": "base64", "content": Data(text.utf8).base64EncodedString(options: .lineLength76Characters)])
        }
        let prefix = path.isEmpty ? "" : path + "/"
        var entries: [String: String] = [:]
        for file in repo.files.keys where file.hasPrefix(prefix) {
            let rest = file.dropFirst(prefix.count).split(separator: "/")
            entries[prefix + rest[0]] = rest.count > 1 ? "dir" : "file"
        }
        guard !entries.isEmpty else { return json(404, ["message": "Not Found"]) }
        return json(200, entries.sorted { $0.key < $1.key }.map { ["type": $0.value, "path": $0.key, "name": String($0.key.split(separator: "/").last!)] })
    }
}
