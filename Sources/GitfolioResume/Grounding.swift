import Foundation
import GitfolioEvidence

/// The deterministic check every writer's output passes: each repository, technology and number a
/// sentence states must be present in the evidence. Lines that fail are removed (bullets) or turned
/// into prompts for the member (STAR and troubleshooting parts), and every finding is reported.
public struct Grounding: Sendable {
    public struct Finding: Codable, Sendable, Equatable {
        public enum Kind: String, Codable, Sendable { case repository, technology, number }
        public var location: String
        public var kind: Kind
        public var value: String
    }

    let repositories: Set<String>
    let technologies: Set<String>
    let numbers: Set<String>
    let vocabulary: Set<String>

    public init(evidence: [RepositoryEvidence]) {
        repositories = Set(evidence.map(\.name))
        technologies = Set(evidence.flatMap { $0.technologies.map(\.name) + $0.languages.map(\.name) })
        vocabulary = Vocabulary.technologyNames
        var numbers: Set<String> = []
        func add(_ n: Int) { numbers.insert(String(n)) }
        func addText(_ s: String) {
            for n in Grounding.numbers(in: s) { numbers.insert(n) }
        }
        for repo in evidence {
            let c = repo.contribution
            [c.commits, c.totalCommits, c.linesAdded, c.linesDeleted, evidence.count, c.pullRequests ?? 0,
             c.mergedPullRequests ?? 0].forEach(add)
            add(evidence.map(\.contribution.commits).reduce(0, +))
            if c.totalCommits > 0 { add(Int((Double(c.commits) / Double(c.totalCommits) * 100).rounded())) }
            for area in c.areas { add(area.commits); addText(area.path) }
            for month in [c.firstMonth, c.lastMonth].compactMap({ $0 }) { addText(month) }
            for commit in c.recentCommits { addText(commit.subject); addText(commit.date); addText(commit.hash) }
            for l in repo.languages { add(l.bytes); add(Int((l.share * 100).rounded())) }
            addText(repo.name)
            repo.readmeSummary.map(addText)
            for t in repo.technologies { addText(t.name); t.sources.forEach(addText) }
        }
        self.numbers = numbers
    }

    /// For revisions of a stored resume, whose evidence is not kept: what the resume already says
    /// (its technologies, skills and the numbers in its text) is what a revision may state.
    public init(resume: Resume) {
        repositories = Set(resume.projects.map(\.name))
        vocabulary = Vocabulary.technologyNames
        let texts = resume.allLines.map(\.text) + resume.projects.map(\.name) + [resume.projects.compactMap(\.start).joined(separator: " "),
                                                                             resume.projects.compactMap(\.end).joined(separator: " ")]
        technologies = Set(resume.techStack + resume.projects.flatMap(\.skills)
                           + vocabulary.filter { name in texts.contains { Self.mentions($0, name) } })
        numbers = Set(texts.flatMap(Self.numbers(in:)))
    }

    /// What in `text` is not in the evidence.
    public func findings(in text: String, at location: String) -> [Finding] {
        var found: [Finding] = []
        for n in Self.numbers(in: text) where !numbers.contains(n) {
            found.append(Finding(location: location, kind: .number, value: n))
        }
        for name in vocabulary where !technologies.contains(name) && Self.mentions(text, name) {
            found.append(Finding(location: location, kind: .technology, value: name))
        }
        return found
    }

    /// Numbers as whole tokens: digits not inside a Latin word, so a commit hash such as `e72f3a1`
    /// holds none, while `12개`, `100%` and `2024.03` do. Leading zeros are dropped (`03` is `3`).
    static func numbers(in text: String) -> [String] {
        let chars = Array(text)
        func isWordChar(_ i: Int) -> Bool { i >= 0 && i < chars.count && chars[i].isASCII && (chars[i].isLetter || chars[i].isNumber) }
        var result: [String] = []
        var i = 0
        while i < chars.count {
            guard chars[i].isASCII, chars[i].isNumber else { i += 1; continue }
            var j = i
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
            if !isWordChar(i - 1) && !isWordChar(j) { result.append(String(Int(String(chars[i..<j])) ?? -1)) }
            i = j
        }
        return result
    }

    /// Whole-word, case-insensitive mention (so "Go" is not found in "Google").
    static func mentions(_ text: String, _ name: String) -> Bool {
        var start = text.startIndex
        while let r = text.range(of: name, options: .caseInsensitive, range: start..<text.endIndex) {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            let after = r.upperBound == text.endIndex ? nil : text[r.upperBound]
            let isWord = { (c: Character?) in c.map { $0.isLetter && $0.isASCII || $0.isNumber } ?? false }
            if !isWord(before) && !isWord(after) { return true }
            start = r.upperBound
        }
        return false
    }

    /// Checks the whole resume; returns the cleaned resume and what was removed or flagged.
    public func check(_ resume: Resume) -> (resume: Resume, findings: [Finding]) {
        var resume = resume
        var all: [Finding] = []
        func verify(_ line: inout Line, _ location: String, prompt: String) {
            guard !line.needsInput else { return }
            let found = findings(in: line.text, at: location)
            if !found.isEmpty {
                all += found
                line = Line(prompt, needsInput: true)
            }
        }
        let ko = resume.language == .ko
        let prompt = ko ? "근거를 확인할 수 없어 지웠습니다. 직접 적어 주세요." : "Removed: not supported by the evidence. Please write it yourself."
        verify(&resume.aboutMe, "aboutMe", prompt: prompt)
        let stack = resume.techStack
        resume.techStack = stack.filter { technologies.contains($0) || !vocabulary.contains($0) }
        for name in stack where !resume.techStack.contains(name) {
            all.append(Finding(location: "techStack", kind: .technology, value: name))
        }
        resume.projects = resume.projects.enumerated().compactMap { index, project in
            var p = project
            let at = "projects[\(index)]"
            guard repositories.contains(p.name) else {
                all.append(Finding(location: at, kind: .repository, value: p.name))
                return nil
            }
            let skills = p.skills
            p.skills = skills.filter { technologies.contains($0) || !vocabulary.contains($0) }
            all += skills.filter { !p.skills.contains($0) }.map { Finding(location: "\(at).skills", kind: .technology, value: $0) }
            p.bullets = p.bullets.enumerated().filter { i, line in
                let found = line.needsInput ? [] : findings(in: line.text, at: "\(at).bullets[\(i)]")
                all += found
                return found.isEmpty
            }.map(\.element)
            if var star = p.star {
                verify(&star.situation, "\(at).star.situation", prompt: prompt)
                verify(&star.task, "\(at).star.task", prompt: prompt)
                verify(&star.action, "\(at).star.action", prompt: prompt)
                verify(&star.result, "\(at).star.result", prompt: prompt)
                p.star = star
            }
            for i in p.troubleshooting.indices {
                verify(&p.troubleshooting[i].problem, "\(at).troubleshooting[\(i)].problem", prompt: prompt)
                verify(&p.troubleshooting[i].hypothesis, "\(at).troubleshooting[\(i)].hypothesis", prompt: prompt)
                verify(&p.troubleshooting[i].attempt, "\(at).troubleshooting[\(i)].attempt", prompt: prompt)
                verify(&p.troubleshooting[i].result, "\(at).troubleshooting[\(i)].result", prompt: prompt)
            }
            return p
        }
        return (resume, all)
    }
}
