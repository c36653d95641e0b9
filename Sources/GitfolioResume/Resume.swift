import Foundation
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
/// A line with `needsReview` was kept as the member wrote it when the resume changed language
/// (``Resume/switchingLanguage(to:evidence:)``): it is still in the other language.
public struct Line: Codable, Sendable, Equatable {
    public var text: String
    public var evidence: [String]
    public var needsInput: Bool
    public var needsReview: Bool

    public init(_ text: String, evidence: [String] = [], needsInput: Bool = false, needsReview: Bool = false) {
        self.text = text
        self.evidence = evidence
        self.needsInput = needsInput
        self.needsReview = needsReview
    }

    enum CodingKeys: String, CodingKey { case text, evidence, needsInput, needsReview }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        text = try c.decode(String.self, forKey: .text)
        evidence = try c.decodeIfPresent([String].self, forKey: .evidence) ?? []
        needsInput = try c.decodeIfPresent(Bool.self, forKey: .needsInput) ?? false
        needsReview = try c.decodeIfPresent(Bool.self, forKey: .needsReview) ?? false
    }

    /// `needsReview` is written only when set, so documents without it stay as they were.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(evidence, forKey: .evidence)
        try c.encode(needsInput, forKey: .needsInput)
        if needsReview { try c.encode(true, forKey: .needsReview) }
    }
}

public struct STAR: Codable, Sendable, Equatable {
    public var situation: Line
    public var task: Line
    public var action: Line
    public var result: Line

    public init(situation: Line, task: Line, action: Line, result: Line) {
        self.situation = situation
        self.task = task
        self.action = action
        self.result = result
    }
}

public struct Troubleshooting: Codable, Sendable, Equatable {
    public var problem: Line
    public var hypothesis: Line
    public var attempt: Line
    public var result: Line

    public init(problem: Line, hypothesis: Line, attempt: Line, result: Line) {
        self.problem = problem
        self.hypothesis = hypothesis
        self.attempt = attempt
        self.result = result
    }
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

    public init(name: String, start: String?, end: String?, skills: [String], repository: String, summary: Line?,
                bullets: [Line], star: STAR?, troubleshooting: [Troubleshooting]) {
        self.name = name
        self.start = start
        self.end = end
        self.skills = skills
        self.repository = repository
        self.summary = summary
        self.bullets = bullets
        self.star = star
        self.troubleshooting = troubleshooting
    }
}

/// The resume document: what generation produces, the editor changes and the templates render.
public struct Resume: Codable, Sendable, Equatable {
    public var language: Language
    public var template: Template
    public var profile: Profile
    public var aboutMe: Line
    public var techStack: [String]
    public var projects: [ResumeProject]
    /// Paths of profile values the source never stated (an imported JSON Resume has no work type,
    /// say): the profile holds a placeholder there, and nothing prints it. Nil when there are none.
    public var unstated: [String]?

    public init(language: Language, template: Template, profile: Profile, aboutMe: Line, techStack: [String], projects: [ResumeProject],
                unstated: [String]? = nil) {
        self.language = language
        self.template = template
        self.profile = profile
        self.aboutMe = aboutMe
        self.techStack = techStack
        self.projects = projects
        self.unstated = unstated
    }

    /// Whether the source stated the profile value at `path` (`profile.workExperience[0].workType`).
    public func states(_ path: String) -> Bool { !(unstated ?? []).contains(path) }
}

extension Resume {
    /// Every line of the document, in reading order.
    public var allLines: [Line] {
        [aboutMe] + projects.flatMap { p in
            (p.summary.map { [$0] } ?? []) + p.bullets
                + (p.star.map { [$0.situation, $0.task, $0.action, $0.result] } ?? [])
                + p.troubleshooting.flatMap { [$0.problem, $0.hypothesis, $0.attempt, $0.result] }
        }
    }

    /// The line at a path such as `aboutMe`, `projects[0].bullets[2]`, `projects[1].star.result` or
    /// `projects[0].troubleshooting[0].attempt`; nil when there is none.
    public func line(at path: String) -> Line? {
        var copy = self
        return copy.withLine(at: path) { _ in }
    }

    /// Changes the line at `path`; returns the line as it was, or nil when the path names none.
    @discardableResult
    public mutating func withLine(at path: String, _ change: (inout Line) -> Void) -> Line? {
        if path == "aboutMe" { let old = aboutMe; change(&aboutMe); return old }
        let parts = path.split(separator: ".")
        let index = Resume.index
        guard parts.count >= 2, let p = index(parts[0], "projects"), projects.indices.contains(p) else { return nil }
        switch parts.count {
        case 2 where parts[1] == "summary":
            guard var line = projects[p].summary else { return nil }
            let old = line; change(&line); projects[p].summary = line; return old
        case 2:
            guard let b = index(parts[1], "bullets"), projects[p].bullets.indices.contains(b) else { return nil }
            let old = projects[p].bullets[b]; change(&projects[p].bullets[b]); return old
        case 3 where parts[1] == "star":
            guard var star = projects[p].star else { return nil }
            let keyPath: WritableKeyPath<STAR, Line>
            switch parts[2] {
            case "situation": keyPath = \.situation
            case "task": keyPath = \.task
            case "action": keyPath = \.action
            case "result": keyPath = \.result
            default: return nil
            }
            let old = star[keyPath: keyPath]; change(&star[keyPath: keyPath]); projects[p].star = star; return old
        case 3:
            guard let t = index(parts[1], "troubleshooting"), projects[p].troubleshooting.indices.contains(t) else { return nil }
            let keyPath: WritableKeyPath<Troubleshooting, Line>
            switch parts[2] {
            case "problem": keyPath = \.problem
            case "hypothesis": keyPath = \.hypothesis
            case "attempt": keyPath = \.attempt
            case "result": keyPath = \.result
            default: return nil
            }
            let old = projects[p].troubleshooting[t][keyPath: keyPath]
            change(&projects[p].troubleshooting[t][keyPath: keyPath]); return old
        default:
            return nil
        }
    }
}

extension Resume {
    /// `3` for a path part `bullets[3]` named `bullets`; nil otherwise.
    static func index(_ part: Substring, _ name: String) -> Int? {
        guard part.hasPrefix(name + "["), part.hasSuffix("]") else { return nil }
        return Int(part.dropFirst(name.count + 1).dropLast())
    }

    /// Why ``setText(_:at:)`` refused a value.
    public enum TextFieldError: Error, Equatable {
        case tooLong(max: Int)
        /// The rule the value breaks, as the predicate after the field's name, in English and Korean.
        case invalid(english: String, korean: String)
    }

    /// Sets a field that is plain text rather than a ``Line`` — the name and contact on the resume
    /// (`profile.name`, `profile.email`, `profile.phone`), `techStack`, a project's `name` and
    /// `skills`, and the text of work, education and certificate entries
    /// (`profile.workExperience[0].company`, …) — and returns false when the path names no such field.
    /// Lists (tech stack, skills) are written as names separated by commas or middle dots.
    public mutating func setText(_ text: String, at path: String) throws -> Bool {
        let value = TextRules.normalize(text)
        func limited(_ max: Int) throws -> String {
            guard TextRules.length(value) <= max else { throw TextFieldError.tooLong(max: max) }
            return value
        }
        func list() throws -> [String] {
            let names = value.split(whereSeparator: { $0 == "," || $0 == "·" }).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard names.count <= 40, names.allSatisfy({ TextRules.length($0) <= 40 }) else { throw TextFieldError.tooLong(max: 40) }
            return names
        }
        let index = Resume.index
        let parts = path.split(separator: ".")
        switch path {
        case "profile.name": profile.name = try limited(50); return true
        case "profile.phone":
            let phone = try limited(20)
            guard phone.isEmpty || Profile.isPhoneNumber(phone) else { throw TextFieldError.invalid(english: "may hold only digits, spaces, +, - and brackets", korean: "숫자, 공백, +, -, 괄호만 쓸 수 있습니다") }
            profile.phone = phone
            return true
        case "profile.email":
            let email = try limited(254)
            guard email.isEmpty || Profile.isEmailAddress(email) else { throw TextFieldError.invalid(english: "must be an email address such as name@example.com", korean: "name@example.com 같은 이메일 주소여야 합니다") }
            profile.email = email
            return true
        case "techStack": techStack = try list(); return true
        default: break
        }
        if parts.count == 2, let p = index(parts[0], "projects"), projects.indices.contains(p) {
            switch parts[1] {
            case "name": projects[p].name = try limited(100); return true
            case "skills": projects[p].skills = try list(); return true
            default: return false
            }
        }
        guard parts.count == 3, parts[0] == "profile" else { return false }
        if let i = index(parts[1], "workExperience"), profile.workExperience.indices.contains(i) {
            switch parts[2] {
            case "company": profile.workExperience[i].company = try limited(100)
            case "title": profile.workExperience[i].title = try limited(100)
            case "description": profile.workExperience[i].description = try limited(2000)
            default: return false
            }
            return true
        }
        if let i = index(parts[1], "education"), profile.education.indices.contains(i) {
            switch parts[2] {
            case "schoolName": profile.education[i].schoolName = try limited(100)
            case "major": profile.education[i].major = try limited(100)
            default: return false
            }
            return true
        }
        if let i = index(parts[1], "certificates"), profile.certificates.indices.contains(i) {
            switch parts[2] {
            case "name": profile.certificates[i].name = try limited(100)
            case "issuer": profile.certificates[i].issuer = try limited(100)
            default: return false
            }
            return true
        }
        return false
    }
}
