/// What analysis found in a repository: facts with their sources. Evidence is the only material a
/// resume writer may use, so every value here names where it came from.
public struct RepositoryEvidence: Codable, Sendable, Equatable {
    public var name: String
    /// A local path or a repository URL.
    public var origin: String
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
    }
    public var name: String
    public var category: Category
    /// The files it was detected in.
    public var sources: [String]
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
}
