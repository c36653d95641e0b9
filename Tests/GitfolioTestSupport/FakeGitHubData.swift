import FlyingFox
import Foundation
import GitfolioCore

/// A repository the fake GitHub serves.
public struct FakeRepository: Sendable {
    public var owner: String
    public var name: String
    public var languages: [(String, Int)]
    public var topics: [String]
    public var readme: String?
    public var commits: Int
    public var pushedAt: String

    public init(owner: String, name: String, languages: [(String, Int)] = [("Swift", 1000)], topics: [String] = [],
                readme: String? = nil, commits: Int = 10, pushedAt: String = "2024-05-01T10:00:00Z") {
        self.owner = owner
        self.name = name
        self.languages = languages
        self.topics = topics
        self.readme = readme
        self.commits = commits
        self.pushedAt = pushedAt
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
        let auth = request.headers[.authorization] ?? ""
        let token = auth.hasPrefix("Bearer ") ? String(auth.dropFirst(7)) : ""
        return await state.user(forToken: token)
    }

    static func json(_ status: HTTPStatusCode, _ object: Any, extra: [String: String] = [:]) -> HTTPResponse {
        var headers: HTTPHeaders = [.contentType: "application/json; charset=utf-8"]
        headers[HTTPHeader("x-ratelimit-limit")] = "5000"
        headers[HTTPHeader("x-ratelimit-remaining")] = "4990"
        for (k, v) in extra { headers[HTTPHeader(k)] = v }
        return HTTPResponse(statusCode: status, headers: headers, body: (try? JSONSerialization.data(withJSONObject: object)) ?? Data())
    }

    /// GraphQL `viewer` with owned and contributed-to repositories, paged by 100 with cursors.
    static func graphQL(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("POST /graphql")
        try? await Task.sleep(for: await state.latency)
        guard let user = await authorized(request, state: state) else {
            return json(.unauthorized, ["message": "Bad credentials"])
        }
        if await state.graphQLRateLimited {
            return json(.ok, ["errors": [["type": "RATE_LIMITED", "message": "API rate limit exceeded for user ID \(user.id)."]]],
                        extra: ["x-ratelimit-remaining": "0", "x-ratelimit-reset": String(Int(Date().timeIntervalSince1970) + 1800)])
        }
        let body = (try? await request.bodyData) ?? Data()
        guard let root = try? JSONSerialization.jsonObject(with: body) as? [String: Any], root["query"] is String else {
            return json(.badRequest, ["message": "Problems parsing JSON"])
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
        return json(.ok, ["data": ["viewer": viewer]])
    }

    /// REST `GET /user/repos` with an ETag; `If-None-Match` with the current one answers 304.
    static func userRepos(_ request: HTTPRequest, state: State) async -> HTTPResponse {
        await state.record("GET /user/repos")
        try? await Task.sleep(for: await state.latency)
        guard await authorized(request, state: state) != nil else { return json(.unauthorized, ["message": "Bad credentials"]) }
        let etag = "W/\"list-\(await state.listVersion)\""
        if request.headers[HTTPHeader("If-None-Match")] == etag {
            var headers: HTTPHeaders = [:]
            headers[HTTPHeader("ETag")] = etag
            return HTTPResponse(statusCode: .notModified, headers: headers)
        }
        let repos = await state.owned.prefix(100).map { ["full_name": $0.nameWithOwner, "pushed_at": $0.pushedAt] }
        return json(.ok, repos, extra: ["ETag": etag])
    }
}
