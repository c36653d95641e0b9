import GitfolioCore

/// How a resume tells its projects (MISSION.md, "Templates").
public enum Template: String, Codable, Sendable, CaseIterable {
    /// Role-and-task bullets.
    case basic = "BASIC"
    /// Bullets plus Situation, Task, Action, Result.
    case star = "STAR"
    /// Bullets plus troubleshooting: problem, hypothesis, what was tried, result.
    case gitfolio = "GITFOLIO"
}

/// A sentence of the resume and the evidence it rests on (`shop:commits`, `shop:file:package.json`).
/// A sentence with `needsInput` is a prompt for the member: the evidence could not say it.
public struct Line: Codable, Sendable, Equatable {
    public var text: String
    public var evidence: [String]
    public var needsInput: Bool

    public init(_ text: String, evidence: [String] = [], needsInput: Bool = false) {
        self.text = text
        self.evidence = evidence
        self.needsInput = needsInput
    }
}

public struct STAR: Codable, Sendable, Equatable {
    public var situation: Line
    public var task: Line
    public var action: Line
    public var result: Line
}

public struct Troubleshooting: Codable, Sendable, Equatable {
    public var problem: Line
    public var hypothesis: Line
    public var attempt: Line
    public var result: Line
}

public struct ResumeProject: Codable, Sendable, Equatable {
    public var name: String
    /// `YYYY.MM`.
    public var start: String?
    public var end: String?
    public var skills: [String]
    public var repository: String
    public var summary: Line?
    public var bullets: [Line]
    public var star: STAR?
    public var troubleshooting: [Troubleshooting]
}

/// The resume document: what generation produces, the editor changes and the templates render.
public struct Resume: Codable, Sendable, Equatable {
    public var language: Language
    public var template: Template
    public var profile: Profile
    public var aboutMe: Line
    public var techStack: [String]
    public var projects: [ResumeProject]
}
