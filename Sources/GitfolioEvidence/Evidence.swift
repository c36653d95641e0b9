/// What analysis found in a repository: facts with their sources. Evidence is the only material a
/// resume writer may use, so every value here names where it came from.
public struct RepositoryEvidence: Codable, Sendable, Equatable {
    public var name: String
    /// The repository's web address (from the clone's `origin` remote, or GitHub's URL) when it has
    /// one, otherwise the local path.
    public var origin: String
    /// The README's first prose paragraph (Markdown and HTML stripped), or the repository's own
    /// description: never markup.
    public var readmeSummary: String?
    public var languages: [LanguageShare]
    public var technologies: [Technology]
    public var contribution: Contribution
}

public struct LanguageShare: Codable, Sendable, Equatable {
    public var name: String
    public var bytes: Int
    /// Share of all counted bytes, 0–1, rounded to three places.
    public var share: Double

    public init(name: String, bytes: Int, share: Double) {
        self.name = name
        self.bytes = bytes
        self.share = share
    }
}

public struct Technology: Codable, Sendable, Equatable {
    public enum Category: String, Codable, Sendable {
        case framework, library, database, infrastructure, ci, tool
        /// A hosted service or API the code calls (Stripe, Sentry, OpenAI API).
        case service
        /// Test frameworks and tools (JUnit, Jest, pytest).
        case testing
    }
    public var name: String
    public var category: Category
    /// The files it was detected in.
    public var sources: [String]
    /// How many of the member's own changed files import it; nil where imports say nothing (a
    /// container image, a CI system, a gem that Bundler loads).
    public var usage: Int?
    /// True for a dependency the catalogue lacks, named by its package because the member's code
    /// imports it heavily.
    public var uncatalogued: Bool?

    public init(name: String, category: Category, sources: [String], usage: Int? = nil, uncatalogued: Bool? = nil) {
        self.name = name
        self.category = category
        self.sources = sources
        self.usage = usage
        self.uncatalogued = uncatalogued
    }
}

/// The member's own work, attributed by their email addresses (never by display name).
public struct Contribution: Codable, Sendable, Equatable {
    public var authorEmails: [String]
    /// Non-merge commits by the member, and by everyone.
    public var commits: Int
    public var totalCommits: Int
    /// First and last commit by the member, `YYYY.MM`.
    public var firstMonth: String?
    public var lastMonth: String?
    public var linesAdded: Int
    public var linesDeleted: Int
    /// Top-level areas (first path component) the member changed, most commits first.
    public var areas: [Area]
    /// The member's most recent commits (at most 20), newest first.
    public var recentCommits: [CommitRef]
    /// Pull requests the member opened, and how many of them were merged (GitHub only).
    public var pullRequests: Int?
    public var mergedPullRequests: Int?
    /// The name the member commits under (the most frequent on their commits), for the resume
    /// when no profile gives one.
    public var authorName: String?
    /// Commits and merged pull requests that describe a problem and its fix, best first.
    public var problems: [Problem]?

    public struct Area: Codable, Sendable, Equatable {
        public var path: String
        public var commits: Int
    }

    public struct CommitRef: Codable, Sendable, Equatable {
        public var hash: String
        public var date: String
        public var subject: String

        public init(hash: String, date: String, subject: String) {
            self.hash = hash
            self.date = date
            self.subject = subject
        }
    }

    /// A troubleshooting candidate: a fix with real signal, and what the evidence says about it.
    public struct Problem: Codable, Sendable, Equatable {
        /// The commit (or merge commit of the pull request), 12 hex digits.
        public var hash: String
        public var date: String
        /// The subject without its `fix:` prefix and pull request number.
        public var title: String
        /// The body's first paragraph (at most 300 characters), when it has prose.
        public var detail: String?
        /// A sentence of the body that names a cause ("because …", "원인은 …").
        public var cause: String?
        public var pullRequest: Int?
        /// The top-level area most of its files are in.
        public var area: String?
        public var files: Int
        public var linesChanged: Int
        /// Test files it added or changed.
        public var tests: [String]
        /// A revert it followed, touching the same files.
        public var afterRevert: String?
        /// Higher is more telling; see `LocalRepositoryAnalyzer.problems`.
        public var score: Int
    }
}
