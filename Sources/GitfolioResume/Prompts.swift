import GitfolioCore

/// A line the writer could not fill from evidence and left for the member.
public struct UnfilledPrompt: Codable, Sendable, Equatable {
    /// Where it is (`projects[0].troubleshooting[0].hypothesis`), as ``Resume/line(at:)`` takes it.
    public var path: String
    /// What it asks for.
    public var text: String
}

/// What a PDF, an HTML export, a public page or a JSON Resume export does with unfilled prompts.
public enum PromptPolicy: String, Codable, Sendable, CaseIterable {
    /// Leave them out (the default outside the editor).
    case omit
    /// Refuse to produce the document, naming them (``UnfilledPromptsError``).
    case refuse
    /// Show them, muted and italic (the editor only).
    case show
}

/// The document cannot leave the editor yet: these prompts are unfilled.
public struct UnfilledPromptsError: Error, Sendable, Equatable, CustomStringConvertible {
    public var prompts: [UnfilledPrompt]

    public var description: String {
        "\(prompts.count) prompt\(prompts.count == 1 ? " is" : "s are") still to fill / 아직 채우지 않은 항목이 \(prompts.count)개 있습니다: "
            + prompts.map(\.path).joined(separator: ", ")
    }
}

extension Resume {
    /// Every line still to fill, in reading order: what the editor lists for the member.
    public var unfilledPrompts: [UnfilledPrompt] {
        var out: [UnfilledPrompt] = []
        func check(_ line: Line?, _ path: String) {
            if let line, line.needsInput { out.append(UnfilledPrompt(path: path, text: line.text)) }
        }
        check(aboutMe, "aboutMe")
        for (i, p) in projects.enumerated() {
            let at = "projects[\(i)]"
            check(p.summary, "\(at).summary")
            for (b, line) in p.bullets.enumerated() { check(line, "\(at).bullets[\(b)]") }
            if template == .star, let s = p.star {
                for (key, line) in [("situation", s.situation), ("task", s.task), ("action", s.action), ("result", s.result)] {
                    check(line, "\(at).star.\(key)")
                }
            }
            if template == .gitfolio {
                for (t, item) in p.troubleshooting.enumerated() {
                    for (key, line) in [("problem", item.problem), ("hypothesis", item.hypothesis), ("attempt", item.attempt), ("result", item.result)] {
                        check(line, "\(at).troubleshooting[\(t)].\(key)")
                    }
                }
            }
        }
        return out
    }

    /// Paths of lines kept in the other language after a switch, for the member (or revise) to check.
    public var linesNeedingReview: [String] {
        var out: [String] = []
        if aboutMe.needsReview { out.append("aboutMe") }
        for (i, p) in projects.enumerated() {
            let at = "projects[\(i)]"
            if p.summary?.needsReview == true { out.append("\(at).summary") }
            for (b, line) in p.bullets.enumerated() where line.needsReview { out.append("\(at).bullets[\(b)]") }
            if let s = p.star {
                for (key, line) in [("situation", s.situation), ("task", s.task), ("action", s.action), ("result", s.result)] where line.needsReview {
                    out.append("\(at).star.\(key)")
                }
            }
            for (t, item) in p.troubleshooting.enumerated() {
                for (key, line) in [("problem", item.problem), ("hypothesis", item.hypothesis), ("attempt", item.attempt), ("result", item.result)]
                    where line.needsReview { out.append("\(at).troubleshooting[\(t)].\(key)") }
            }
        }
        return out
    }

    /// The resume with every unfilled prompt left out: an empty about-me, bullets and summaries
    /// dropped, STAR and troubleshooting parts emptied (an entry whose problem is unfilled, and a
    /// STAR with nothing filled, go whole). Renderers print nothing for an empty line.
    public func withoutUnfilledPrompts() -> Resume {
        var r = self
        let empty = Line("")
        if r.aboutMe.needsInput { r.aboutMe = empty }
        for i in r.projects.indices {
            if r.projects[i].summary?.needsInput == true { r.projects[i].summary = nil }
            r.projects[i].bullets.removeAll(where: \.needsInput)
            if var s = r.projects[i].star {
                if [s.situation, s.task, s.action, s.result].allSatisfy(\.needsInput) {
                    r.projects[i].star = nil
                } else {
                    for k in [\STAR.situation, \STAR.task, \STAR.action, \STAR.result] where s[keyPath: k].needsInput { s[keyPath: k] = empty }
                    r.projects[i].star = s
                }
            }
            r.projects[i].troubleshooting = r.projects[i].troubleshooting.compactMap { item in
                guard !item.problem.needsInput else { return nil }
                var t = item
                for k in [\Troubleshooting.hypothesis, \Troubleshooting.attempt, \Troubleshooting.result] where t[keyPath: k].needsInput {
                    t[keyPath: k] = empty
                }
                return t
            }
        }
        return r
    }

    /// The resume as it may leave the editor under `policy`.
    public func leavingEditor(_ policy: PromptPolicy) throws -> Resume {
        switch policy {
        case .show: return self
        case .omit: return withoutUnfilledPrompts()
        case .refuse:
            let prompts = unfilledPrompts
            if !prompts.isEmpty { throw UnfilledPromptsError(prompts: prompts) }
            return self
        }
    }
}
