import GitfolioCore
import GitfolioEvidence

extension Resume {
    /// The same resume in the other language, from the same evidence and with no model: every line
    /// the writer made is written again in `language`; a line the member edited by hand (or a model
    /// wrote) is kept as it is and marked `needsReview`, for the member or `revise` to translate;
    /// prompts become the new language's prompts. Projects are matched by repository; names, tech
    /// stack, skills and profile stay. The section headings follow ``language``.
    public func switchingLanguage(to language: Language, evidence: [RepositoryEvidence]) -> Resume {
        guard language != self.language else { return self }
        let writer = OfflineWriter()
        let grounding = Grounding(evidence: evidence)
        // What the writer made in the current language (to recognise untouched lines) and in the new one.
        let before = grounding.check(writer.write(evidence: evidence, profile: profile, template: template, language: self.language)).resume
        let after = grounding.check(writer.write(evidence: evidence, profile: profile, template: template, language: language)).resume
        return switchingLanguage(to: language, made: before, remade: after)
    }

    /// The same resume in `language`, given the document its untouched lines came from (`made`, in
    /// this resume's language) and the same document in `language` (`remade`): the writer's output
    /// for generated resumes, the built-in example in both languages for a copy of it. A line, project
    /// name, skill list, tech stack or profile still as `made` has it takes `remade`'s; anything else
    /// the member changed stays, lines marked for review.
    public func switchingLanguage(to language: Language, made before: Resume, remade after: Resume) -> Resume {
        guard language != self.language else { return self }

        func carry(_ line: Line, made: [Line], into: [Line]) -> Line {
            if line.needsInput {
                // A prompt: the new language's prompt at the same place, else a translated generic one.
                if let i = made.firstIndex(where: { $0.needsInput && $0.text == line.text }), into.indices.contains(i), into[i].needsInput { return into[i] }
                return line
            }
            if let i = made.firstIndex(where: { $0.text == line.text && !$0.needsInput }), into.indices.contains(i) {
                var translated = into[i]
                translated.needsReview = false
                return translated
            }
            var kept = line
            kept.needsReview = !line.text.isEmpty
            return kept
        }

        var r = self
        r.language = language
        if profile == before.profile { r.profile = after.profile }
        if techStack == before.techStack { r.techStack = after.techStack }
        r.aboutMe = carry(aboutMe, made: [before.aboutMe], into: [after.aboutMe])
        for i in r.projects.indices {
            let repo = projects[i].repository
            guard let old = before.projects.first(where: { $0.repository == repo }),
                  let new = after.projects.first(where: { $0.repository == repo }) else {
                // Not from this evidence (imported, or added by hand): everything stays, for review.
                r.projects[i] = Self.markedForReview(projects[i])
                continue
            }
            let p = projects[i]
            if p.name == old.name { r.projects[i].name = new.name }
            if p.skills == old.skills { r.projects[i].skills = new.skills }
            if let summary = p.summary {
                r.projects[i].summary = carry(summary, made: old.summary.map { [$0] } ?? [], into: new.summary.map { [$0] } ?? [])
            }
            r.projects[i].bullets = p.bullets.map { carry($0, made: old.bullets, into: new.bullets) }
            if let s = p.star {
                let made = old.star.map { [$0.situation, $0.task, $0.action, $0.result] } ?? []
                let into = new.star.map { [$0.situation, $0.task, $0.action, $0.result] } ?? []
                r.projects[i].star = STAR(situation: carry(s.situation, made: made, into: into), task: carry(s.task, made: made, into: into),
                                          action: carry(s.action, made: made, into: into), result: carry(s.result, made: made, into: into))
            }
            let made = old.troubleshooting.flatMap { [$0.problem, $0.hypothesis, $0.attempt, $0.result] }
            let into = new.troubleshooting.flatMap { [$0.problem, $0.hypothesis, $0.attempt, $0.result] }
            r.projects[i].troubleshooting = p.troubleshooting.map { t in
                Troubleshooting(problem: carry(t.problem, made: made, into: into), hypothesis: carry(t.hypothesis, made: made, into: into),
                                attempt: carry(t.attempt, made: made, into: into), result: carry(t.result, made: made, into: into))
            }
        }
        return r
    }

    static func markedForReview(_ project: ResumeProject) -> ResumeProject {
        var p = project
        func mark(_ line: inout Line) { if !line.needsInput && !line.text.isEmpty { line.needsReview = true } }
        if var s = p.summary { mark(&s); p.summary = s }
        for i in p.bullets.indices { mark(&p.bullets[i]) }
        if var s = p.star { mark(&s.situation); mark(&s.task); mark(&s.action); mark(&s.result); p.star = s }
        for i in p.troubleshooting.indices {
            mark(&p.troubleshooting[i].problem); mark(&p.troubleshooting[i].hypothesis)
            mark(&p.troubleshooting[i].attempt); mark(&p.troubleshooting[i].result)
        }
        return p
    }
}
