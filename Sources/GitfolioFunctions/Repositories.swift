import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioStore

public enum RepositoriesFunction {
    struct Item: Encodable {
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

    struct Body: Encodable {
        var login: String
        var repositories: [Item]
    }

    /// `GET /api/repositories`: the member's GitHub repositories (owned and contributed-to) for the
    /// generator, from the hour-long cache or a fresh import. My page calls it right after sign-in so
    /// the list is warm by the time the member opens the generator.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("GET")
        let member = try s.requireMember(request)
        let imported = try await s.githubImport(for: member)
        return .json(Body(login: imported.login, repositories: imported.repositories.map {
            Item(nameWithOwner: $0.nameWithOwner, description: $0.description, isPrivate: $0.isPrivate, isFork: $0.isFork,
                 stars: $0.stars, forks: $0.forks, pushedAt: $0.pushedAt, primaryLanguage: $0.primaryLanguage, owned: $0.owned,
                 commitContributions: $0.commitContributions)
        }))
    }
}

extension Services {
    /// The member's GitHub token, decrypted; a member who signed in locally has none.
    func githubToken(for member: Member) throws -> String {
        guard let stored = try database.encryptedGitHubToken(memberID: member.id) else {
            throw APIError.conflict("github_not_linked", "Sign in with GitHub to use your repositories.",
                                    korean: "저장소를 쓰려면 GitHub로 로그인해 주세요.")
        }
        return try cipher.open(stored.ciphertext)
    }

    /// The member's repositories, through the GitHub client's cache.
    func githubImport(for member: Member) async throws -> GitHubImport {
        try await github.repositories(memberID: member.id, token: try githubToken(for: member), cache: githubCache)
    }
}
