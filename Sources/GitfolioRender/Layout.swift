import GitfolioCore
import GitfolioResume

/// A piece of text with one look. `path` names the resume line it shows (`projects[0].bullets[1]`),
/// so the editor can edit it in place; `evidence` is what that line rests on.
public struct Run: Sendable, Equatable {
    public var text: String
    public var bold = false
    public var italic = false
    public var muted = false
    public var link: String?
    public var path: String?
    public var evidence: [String] = []

    public init(_ text: String, bold: Bool = false, italic: Bool = false, muted: Bool = false, link: String? = nil,
                path: String? = nil, evidence: [String] = []) {
        self.text = text
        self.bold = bold
        self.italic = italic
        self.muted = muted
        self.link = link
        self.path = path
        self.evidence = evidence
    }

    /// A resume line: prompts for the member (`needsInput`) look muted and italic, so nobody takes them for content.
    public init(line: Line, path: String) {
        self.init(line.text, italic: line.needsInput, muted: line.needsInput, path: path, evidence: line.evidence)
    }
}

/// The kinds of block a resume is made of. Each kind has one style per template (``Theme``), used
/// by both the HTML and the PDF renderer.
public enum BlockKind: String, Sendable, CaseIterable {
    /// The member's name.
    case name
    /// Job role under the name.
    case role
    /// Email, phone and links.
    case contact
    /// A section heading (About me, Projects, ...).
    case section
    /// An entry's title (a project, a job, a school) with its period on the right.
    case entry
    /// A muted line under an entry title (repository, skills).
    case meta
    /// Body text.
    case paragraph
    /// A bullet point.
    case bullet
    /// A labelled row of a STAR or troubleshooting part ("Situation: ...").
    case row
    /// A small heading inside an entry (STAR, Troubleshooting).
    case subheading
}

/// One block of the document, in reading order.
public struct Block: Sendable, Equatable {
    public var kind: BlockKind
    public var runs: [Run]
    /// Right-aligned text on the first line (an entry's period).
    public var aside: String?

    public init(_ kind: BlockKind, _ runs: [Run], aside: String? = nil) {
        self.kind = kind
        self.runs = runs
        self.aside = aside
    }

    /// Headings and entry titles stay on the page of the line that follows them.
    public var keepWithNext: Bool { kind == .section || kind == .entry || kind == .subheading }
}

/// The template definition: a resume as blocks, the same for the screen and the PDF.
public enum ResumeLayout {
    /// Between the items of a list on one line (contact, tech stack): no-break spaces before the dot,
    /// so a line never starts with a separator.
    public static let separator = "\u{00A0}· "

    public static func blocks(_ r: Resume) -> [Block] {
        let lang = r.language
        let ko = lang == .ko
        let p = r.profile
        var out: [Block] = []

        out.append(Block(.name, [Run(p.name.isEmpty ? (ko ? "이름" : "Your name") : p.name, bold: true, muted: p.name.isEmpty, path: "profile.name")]))
        if let role = p.jobRole {
            out.append(Block(.role, [Run(ko ? "\(role.korean) 개발자" : "\(role.english) developer")]))
        }
        var contact: [Run] = []
        func addContact(_ run: Run) {
            if !contact.isEmpty { contact.append(Run(separator, muted: true)) }
            contact.append(run)
        }
        // A noreply address (GitHub's private-commit address and the like) reaches nobody: never shown.
        if !p.email.isEmpty, !Resume.isNoreply(p.email) { addContact(Run(p.email, link: "mailto:" + p.email, path: "profile.email")) }
        if !p.phone.isEmpty { addContact(Run(p.phone, path: "profile.phone")) }
        for link in p.links where !link.url.isEmpty {
            addContact(Run(link.title.isEmpty ? displayURL(link.url) : "\(link.title) \(displayURL(link.url))", link: link.url))
        }
        if !contact.isEmpty { out.append(Block(.contact, contact)) }

        if !r.aboutMe.text.isEmpty {
            out.append(Block(.section, [Run(ko ? "자기소개" : "About me")]))
            out.append(Block(.paragraph, [Run(line: r.aboutMe, path: "aboutMe")]))
        }

        if !r.techStack.isEmpty {
            out.append(Block(.section, [Run(ko ? "기술 스택" : "Tech stack")]))
            out.append(Block(.paragraph, [Run(r.techStack.joined(separator: separator), path: "techStack")]))
        }

        if !p.workExperience.isEmpty {
            out.append(Block(.section, [Run(ko ? "경력" : "Work experience")]))
            for (j, job) in p.workExperience.enumerated() {
                let at = "profile.workExperience[\(j)]"
                var title = [Run(job.company, bold: true, path: "\(at).company")]
                if !job.title.isEmpty { title += [Run(" · ", bold: true), Run(job.title, bold: true, path: "\(at).title")] }
                out.append(Block(.entry, title, aside: period(job.start, job.end, open: job.employment == .employed && r.states("\(at).employment"), lang)))
                // Only what the source stated: an imported file without a work type shows none.
                let stated = [r.states("\(at).workType") ? job.workType.label(lang) : nil,
                              r.states("\(at).employment") ? job.employment.label(lang) : nil].compactMap { $0 }
                if !stated.isEmpty { out.append(Block(.meta, [Run(stated.joined(separator: " · "), muted: true)])) }
                if !job.description.isEmpty { out.append(Block(.paragraph, [Run(job.description, path: "\(at).description")])) }
            }
        }

        if !r.projects.isEmpty {
            out.append(Block(.section, [Run(ko ? "프로젝트" : "Projects")]))
        }
        for (i, project) in r.projects.enumerated() {
            let at = "projects[\(i)]"
            out.append(Block(.entry, [Run(project.name, bold: true, path: "\(at).name")], aside: period(project.start, project.end, open: false, lang)))
            var meta: [Run] = []
            // A web address or GitHub's owner/name; a clone's folder on the member's disk is not shown.
            let url = project.repository.hasPrefix("http") ? project.repository
                : (project.repository.split(separator: "/").count == 2 && !project.repository.hasPrefix("/") && !project.repository.hasPrefix(".")
                    ? "https://github.com/" + project.repository : nil)
            if let url { meta.append(Run(displayURL(url), muted: true, link: url)) }
            if !project.skills.isEmpty {
                if !meta.isEmpty { meta.append(Run(separator, muted: true)) }
                meta.append(Run(project.skills.joined(separator: ", "), muted: true, path: "\(at).skills"))
            }
            if !meta.isEmpty { out.append(Block(.meta, meta)) }
            if let summary = project.summary, !summary.text.isEmpty { out.append(Block(.paragraph, [Run(line: summary, path: "\(at).summary")])) }
            for (b, bullet) in project.bullets.enumerated() where !bullet.text.isEmpty {
                out.append(Block(.bullet, [Run(line: bullet, path: "\(at).bullets[\(b)]")]))
            }
            if r.template == .star, let s = project.star {
                out.append(Block(.subheading, [Run("STAR")]))
                let labels = ko ? ["상황", "과제", "행동", "결과"] : ["Situation", "Task", "Action", "Result"]
                let keys = ["situation", "task", "action", "result"]
                for (n, line) in [s.situation, s.task, s.action, s.result].enumerated() where !line.text.isEmpty {
                    out.append(Block(.row, [Run(labels[n], bold: true), Run("  "), Run(line: line, path: "\(at).star.\(keys[n])")]))
                }
            }
            if r.template == .gitfolio {
                for (t, item) in project.troubleshooting.enumerated() {
                    out.append(Block(.subheading, [Run(ko ? "트러블슈팅" : "Troubleshooting")]))
                    let labels = ko ? ["발생한 문제", "세웠던 가설", "시도한 방법", "개선된 지표"] : ["Problem", "Hypothesis", "What I tried", "Improvement"]
                    let keys = ["problem", "hypothesis", "attempt", "result"]
                    for (n, line) in [item.problem, item.hypothesis, item.attempt, item.result].enumerated() where !line.text.isEmpty {
                        out.append(Block(.row, [Run(labels[n], bold: true), Run("  "), Run(line: line, path: "\(at).troubleshooting[\(t)].\(keys[n])")]))
                    }
                }
            }
        }

        if !p.education.isEmpty {
            out.append(Block(.section, [Run(ko ? "학력" : "Education")]))
            for (e, school) in p.education.enumerated() {
                let at = "profile.education[\(e)]"
                out.append(Block(.entry, [Run(school.schoolName, bold: true, path: "\(at).schoolName")],
                                 aside: period(school.start, school.end, open: school.status == .attending && r.states("\(at).status"), lang)))
                var detail: [Run] = []
                func add(_ run: Run) {
                    if !detail.isEmpty { detail.append(Run(" · ", muted: true)) }
                    detail.append(run)
                }
                if r.states("\(at).schoolType") { add(Run(school.schoolType.label(lang), muted: true)) }
                if !school.major.isEmpty { add(Run(school.major, muted: true, path: "\(at).major")) }
                if r.states("\(at).status") { add(Run(school.status.label(lang), muted: true)) }
                if !detail.isEmpty { out.append(Block(.meta, detail)) }
            }
        }
        if !p.certificates.isEmpty {
            out.append(Block(.section, [Run(ko ? "자격증" : "Certificates")]))
            for (n, c) in p.certificates.enumerated() {
                let at = "profile.certificates[\(n)]"
                out.append(Block(.bullet, [Run(c.name, bold: true, path: "\(at).name")]
                    + (c.issuer.isEmpty ? [] : [Run(" · "), Run(c.issuer, path: "\(at).issuer")])
                    + (c.acquired.map { [Run("  \($0)", muted: true)] } ?? [])))
            }
        }
        return out
    }

    /// `2023.01 – 2024.03`, `2023.01 – 현재` for something still going on, or nil.
    static func period(_ start: String?, _ end: String?, open: Bool, _ lang: Language) -> String? {
        let now = lang == .ko ? "현재" : "Present"
        switch (start, end) {
        case let (s?, e?): return s == e ? s : "\(s) – \(e)"
        case let (s?, nil): return open ? "\(s) – \(now)" : s
        case let (nil, e?): return e
        default: return nil
        }
    }

    /// A URL as people read it: no scheme, no trailing slash.
    static func displayURL(_ url: String) -> String {
        var s = Substring(url)
        for scheme in ["https://", "http://", "mailto:"] where s.hasPrefix(scheme) { s = s.dropFirst(scheme.count) }
        if s.hasPrefix("www.") { s = s.dropFirst(4) }
        while s.hasSuffix("/") { s = s.dropLast() }
        return String(s)
    }

    /// Only web and mail links become links; anything else (`javascript:`, `data:`) stays text.
    public static func safeLink(_ url: String?) -> String? {
        guard let url else { return nil }
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") else { return nil }
        guard !url.contains(where: { $0.isWhitespace || $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "\\" }) else { return nil }
        return url
    }
}
