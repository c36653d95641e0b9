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

    public init(nameWithOwner: String, description: String?, url: String, isPrivate: Bool, isFork: Bool, stars: Int, forks: Int,
                pushedAt: String?, primaryLanguage: String?, languages: [LanguageShare], topics: [String], readme: String?,
                owned: Bool, commitContributions: Int?) {
        self.nameWithOwner = nameWithOwner
        self.description = description
        self.url = url
        self.isPrivate = isPrivate
        self.isFork = isFork
        self.stars = stars
        self.forks = forks
        self.pushedAt = pushedAt
        self.primaryLanguage = primaryLanguage
        self.languages = languages
        self.topics = topics
        self.readme = readme
        self.owned = owned
        self.commitContributions = commitContributions
    }
}

/// What one import gives: the member's profile and their repositories.
public struct GitHubImport: Codable, Sendable, Equatable {
    public var login: String
    public var name: String?
    public var totalCommitContributions: Int
    public var totalPullRequestContributions: Int
    public var repositories: [GitHubRepository]

    public init(login: String, name: String?, totalCommitContributions: Int, totalPullRequestContributions: Int,
                repositories: [GitHubRepository]) {
        self.login = login
        self.name = name
        self.totalCommitContributions = totalCommitContributions
        self.totalPullRequestContributions = totalPullRequestContributions
        self.repositories = repositories
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

    public init(commits: [Contribution.CommitRef], moreCommits: Bool, totalCommits: Int? = nil, firstCommitDate: String? = nil,
                pullRequests: Int, mergedPullRequests: Int, manifests: [String: String]) {
        self.commits = commits
        self.moreCommits = moreCommits
        self.totalCommits = totalCommits
        self.firstCommitDate = firstCommitDate
        self.pullRequests = pullRequests
        self.mergedPullRequests = mergedPullRequests
        self.manifests = manifests
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
