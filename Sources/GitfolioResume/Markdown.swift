import GitfolioCore

/// The resume as Markdown, in its language and template. (HTML and PDF come from the templates.)
public enum MarkdownRenderer {
    public static func render(_ r: Resume) -> String {
        let ko = r.language == .ko
        var out: [String] = []
        let p = r.profile
        out.append("# \(p.name.isEmpty ? (ko ? "이름" : "Name") : p.name)")
        let contact = [p.jobRole?.label(r.language), p.email, p.phone].compactMap { $0 }.filter { !$0.isEmpty }
        if !contact.isEmpty { out.append(contact.joined(separator: " · ")) }
        out.append("")
        out.append("## \(ko ? "자기소개" : "About me")")
        out.append(line(r.aboutMe))
        if !r.techStack.isEmpty {
            out.append("")
            out.append("## \(ko ? "기술 스택" : "Tech stack")")
            out.append(r.techStack.joined(separator: ", "))
        }
        if !r.projects.isEmpty {
            out.append("")
            out.append("## \(ko ? "프로젝트" : "Projects")")
        }
        for project in r.projects {
            out.append("")
            let period = Array(Set([project.start, project.end].compactMap { $0 })).sorted().joined(separator: " – ")
            out.append("### \(project.name)" + (period.isEmpty ? "" : " (\(period))"))
            if let summary = project.summary { out.append(line(summary)) }
            if !project.skills.isEmpty { out.append("\(ko ? "기술" : "Skills"): \(project.skills.joined(separator: ", "))") }
            out.append("")
            out += project.bullets.map { "- " + line($0) }
            if let s = project.star {
                out.append("")
                let labels = ko ? ["상황", "과제", "행동", "결과"] : ["Situation", "Task", "Action", "Result"]
                for (label, l) in zip(labels, [s.situation, s.task, s.action, s.result]) { out.append("- **\(label)**: \(line(l))") }
            }
            for t in project.troubleshooting {
                out.append("")
                out.append("#### \(ko ? "트러블슈팅" : "Troubleshooting")")
                let labels = ko ? ["발생한 문제", "세웠던 가설", "시도한 방법", "개선된 지표"] : ["Problem", "Hypothesis", "What I tried", "Improvement"]
                for (label, l) in zip(labels, [t.problem, t.hypothesis, t.attempt, t.result]) { out.append("- **\(label)**: \(line(l))") }
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// A line; prompts for the member are shown in italics so they are not mistaken for content.
    static func line(_ l: Line) -> String { l.needsInput ? "_\(l.text)_" : l.text }
}
