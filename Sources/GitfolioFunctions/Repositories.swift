import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioEvidence
import GitfolioStore

struct RepositoryListItem: Encodable {
    var nameWithOwner: String
    var description: String?
    var isPrivate: Bool
    var isFork: Bool
    var stars: Int
    var forks: Int
    var pushedAt: String?
    var primaryLanguage: String?
    var owned: Bool
    var commitContributions: Int?
}

struct RepositoryList: Encodable {
    var login: String
    var repositories: [RepositoryListItem]
}

public enum RepositoryHandlers {
    /// `GET /api/repositories`: the member's GitHub repositories (owned and contributed-to) for the
    /// generator, from the hour-long cache or a fresh import. My page calls it right after sign-in so
    /// the list is warm by the time the member opens the generator.
    public static let repositories: ServiceHandler = { s, request, _ in
        try allow(request, "GET")
        let member = try s.requireMember(request)
        guard let stored = try s.database.encryptedGitHubToken(memberID: member.id) else {
            throw APIError(status: 409, code: "github_not_linked",
                           message: "Sign in with GitHub to list your repositories. / GitHub로 로그인해야 저장소 목록을 볼 수 있습니다.")
        }
        let client = GitHubDataClient(transport: s.transport, apiURL: s.config.githubAPIURL, cache: s.database, clock: s.clock)
        let imported = try await client.repositories(memberID: member.id, token: try s.cipher.open(stored.ciphertext))
        return .json(RepositoryList(login: imported.login, repositories: imported.repositories.map {
            RepositoryListItem(nameWithOwner: $0.nameWithOwner, description: $0.description, isPrivate: $0.isPrivate, isFork: $0.isFork,
                               stars: $0.stars, forks: $0.forks, pushedAt: $0.pushedAt, primaryLanguage: $0.primaryLanguage,
                               owned: $0.owned, commitContributions: $0.commitContributions)
        }))
    }
}
