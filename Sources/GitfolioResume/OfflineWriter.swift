import Foundation
import GitfolioCore
import GitfolioEvidence

/// Writes a complete resume from evidence alone, with no model: every sentence is built from facts
/// the analysis found and names the evidence it rests on. Where evidence cannot say something (a
/// hypothesis, an outcome metric), the line is a prompt for the member (`needsInput`).
public struct OfflineWriter: Sendable {
    public init() {}

    public func write(evidence: [RepositoryEvidence], profile: Profile, template: Template, language: Language,
                      request: String = "") -> Resume {
        let ko = language == .ko
        let profile = Resume.resumeProfile(profile, evidence: evidence)
        // Technologies named in the member's request come first; nothing outside the evidence is added.
        let named = Set(evidence.flatMap { $0.technologies.map(\.name) + $0.languages.map(\.name) })
        let requested = Set(named.filter { !request.isEmpty && Grounding.mentions(request, $0) })
        let projects = evidence
            .filter { $0.contribution.commits > 0 || $0.contribution.totalCommits == 0 }  // 0 total: GitHub's count, kept
            .sorted { a, b in
                let ra = a.technologies.contains { requested.contains($0.name) }, rb = b.technologies.contains { requested.contains($0.name) }
                if ra != rb { return ra }
                return (a.contribution.lastMonth ?? "", a.contribution.commits) > (b.contribution.lastMonth ?? "", b.contribution.commits)
            }
            .map { project($0, template: template, ko: ko) }
        let stack = techStack(evidence, first: requested)
        return Resume(language: language, template: template, profile: profile,
                      aboutMe: aboutMe(evidence, profile: profile, stack: stack, ko: ko), techStack: stack, projects: projects)
    }


    // MARK: About me and stack

    /// How much a technology says about the member: by how many of their own files use it; one
    /// declared but never imported by their changes counts little.
    static func weight(_ t: Technology) -> Double {
        guard let usage = t.usage else { return 1 }
        return usage == 0 ? 0.25 : 1 + log2(1 + Double(usage))
    }

    static func onStack(_ t: Technology) -> Bool { t.category != .tool && t.category != .testing }

    func techStack(_ evidence: [RepositoryEvidence], first requested: Set<String>) -> [String] {
        var weight: [String: Double] = [:]
        for repo in evidence where repo.contribution.commits > 0 {
            for language in repo.languages where language.share >= 0.05 { weight[language.name, default: 0] += 2 + 4 * language.share }
            for tech in repo.technologies where Self.onStack(tech) { weight[tech.name, default: 0] += Self.weight(tech) }
        }
        let ranked = weight.sorted { (requested.contains($0.key) ? 1 : 0, $0.value, $1.key) > (requested.contains($1.key) ? 1 : 0, $1.value, $0.key) }
        return Array(ranked.prefix(20).map(\.key))
    }

    func aboutMe(_ evidence: [RepositoryEvidence], profile: Profile, stack: [String], ko: Bool) -> Line {
        let mine = evidence.filter { $0.contribution.commits > 0 }
        let commits = mine.map(\.contribution.commits).reduce(0, +)
        let languages = orderedLanguages(mine).prefix(2)
        let frameworkNames = Set(mine.flatMap(\.technologies).filter { $0.category == .framework && $0.uncatalogued != true }.map(\.name))
        let frameworks = stack.filter(frameworkNames.contains).prefix(3)
        let months = mine.compactMap(\.contribution.firstMonth).sorted() + mine.compactMap(\.contribution.lastMonth).sorted()
        let first = months.min(), last = months.max()
        let refs = mine.map { "\($0.name):commits" } + mine.map { "\($0.name):languages" }
        guard !mine.isEmpty else {
            return Line(ko ? "자신을 소개하는 문장을 적어 주세요." : "Write a few sentences about yourself.", needsInput: true)
        }
        let role = profile.jobRole
        if ko {
            var text = (role.map { "\($0.korean) 개발자로서 " } ?? "") + "\(mine.count)개 프로젝트에서 "
            text += languages.joined(separator: ", ") + " 중심으로 개발했습니다."
            if !frameworks.isEmpty { text += " 주요 기술은 \(frameworks.joined(separator: ", "))입니다." }
            if let first, let last {
                text += first == last ? " \(first)에 커밋 \(commits)개를 작성했습니다." : " \(first)부터 \(last)까지 커밋 \(commits)개를 작성했습니다."
            }
            return Line(text, evidence: refs)
        }
        var text = (role.map { "A \($0.english.lowercased()) developer who has built " } ?? "Built ")
        text += "\(mine.count) project\(mine.count == 1 ? "" : "s") mainly in \(languages.joined(separator: " and "))"
        text += frameworks.isEmpty ? "." : ", using \(frameworks.joined(separator: ", "))."
        if let first, let last {
            text += first == last ? " Wrote \(commits) commits in \(first)." : " Wrote \(commits) commits between \(first) and \(last)."
        }
        return Line(text, evidence: refs)
    }

    func orderedLanguages(_ evidence: [RepositoryEvidence]) -> [String] {
        var bytes: [String: Int] = [:]
        for repo in evidence { for l in repo.languages { bytes[l.name, default: 0] += l.bytes } }
        return bytes.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map(\.key)
    }

    // MARK: Projects

    func project(_ repo: RepositoryEvidence, template: Template, ko: Bool) -> ResumeProject {
        let c = repo.contribution
        let n = repo.name
        let pct = c.totalCommits > 0 ? Int((Double(c.commits) / Double(c.totalCommits) * 100).rounded()) : 0
        let leading = pct >= 50
        // Technologies come ranked by the member's own use (see LocalRepositoryAnalyzer).
        let named = repo.technologies.filter { $0.uncatalogued != true }
        let frameworks = named.filter { ($0.category == .framework || $0.category == .library) && $0.usage != 0 }.map(\.name)
        let infra = named.filter { $0.category == .infrastructure }.map(\.name)
        let databases = named.filter { $0.category == .database }.map(\.name)
        let ci = named.filter { $0.category == .ci }.map(\.name)
        let used = repo.technologies.filter { ($0.usage ?? 0) > 0 && Self.onStack($0) }.prefix(4)
        let areas = c.areas.filter { $0.path != "(root)" }.prefix(3).map(\.path)
        let kind = Self.kind(repo, ko: ko)
        let period = [c.firstMonth, c.lastMonth].compactMap { $0 }.uniqued().joined(separator: "–")
        func sources(_ names: [String]) -> [String] {
            repo.technologies.filter { names.contains($0.name) }.flatMap { $0.sources.map { "\(n):file:\($0)" } }.uniqued()
        }

        var bullets: [Line] = []
        if c.totalCommits > 0 {
            bullets.append(Line(ko
                ? "전체 커밋 \(c.totalCommits)개 중 \(c.commits)개(\(pct)%) 작성, \(leading ? "개발 주도" : "개발 참여")"
                : "Wrote \(c.commits) of \(c.totalCommits) commits (\(pct)%), \(leading ? "leading development" : "contributing to development")",
                evidence: ["\(n):commits"]))
        } else if !c.recentCommits.isEmpty {
            // GitHub's REST list of the member's own commits; the repository's total is not known.
            let span = period.isEmpty ? "" : (ko ? ", \(period)" : " (\(period))")
            bullets.append(Line(ko ? "커밋 \(c.commits)개 작성\(span)" : "Wrote \(c.commits) commits\(span)", evidence: ["\(n):commits"]))
        } else if c.commits > 0 {
            bullets.append(Line(ko ? "지난 한 해 동안 커밋 \(c.commits)개 작성" : "Wrote \(c.commits) commits in the last year",
                                evidence: ["\(n):contributions"]))
        }
        if let opened = c.pullRequests, opened > 0 {
            let merged = c.mergedPullRequests ?? 0
            bullets.append(Line(ko ? "PR \(opened)개 작성, \(merged)개 병합" : "Opened \(opened) pull requests, \(merged) merged",
                                evidence: ["\(n):pulls"]))
        }
        if !frameworks.isEmpty {
            let top = Array(frameworks.prefix(4))
            bullets.append(Line(ko ? "\(top.joined(separator: ", ")) 기반 \(kind) 개발" : "Built the \(kind) with \(top.joined(separator: ", "))",
                                evidence: sources(top)))
        }
        if !used.isEmpty {
            let list = used.map { "\($0.name) \($0.usage ?? 0)개" }.joined(separator: ", ")
            let listEn = used.map { "\($0.name) in \($0.usage ?? 0)" }.joined(separator: ", ")
            bullets.append(Line(ko ? "직접 작성·수정한 파일 중 \(list) 파일에서 사용" : "Used \(listEn) of the files I wrote or changed",
                                evidence: ["\(n):usage"] + sources(used.map(\.name))))
        }
        if !areas.isEmpty {
            bullets.append(Line(ko ? "\(areas.joined(separator: ", ")) 영역 중심으로 코드 \(c.linesAdded)줄 추가, \(c.linesDeleted)줄 삭제"
                                   : "Worked mainly in \(areas.joined(separator: ", ")): \(c.linesAdded) lines added, \(c.linesDeleted) removed",
                                evidence: ["\(n):commits"]))
        }
        if !infra.isEmpty {
            let tools = infra.joined(separator: ", ")
            let with = databases.isEmpty ? "" : (ko ? "\(databases.joined(separator: ", ")) 포함 " : ", including \(databases.joined(separator: " and "))")
            bullets.append(Line(ko ? "\(Korean.ro(tools)) \(with)실행 환경 구성" : "Set up the runtime with \(tools)\(with)",
                                evidence: sources(infra + databases)))
        }
        if !ci.isEmpty {
            bullets.append(Line(ko ? "\(Korean.ro(ci.joined(separator: ", "))) CI 구성" : "Set up continuous integration with \(ci.joined(separator: ", "))",
                                evidence: sources(ci)))
        }
        let skills = (repo.languages.filter { $0.share >= 0.05 }.prefix(3).map(\.name)
                      + repo.technologies.filter { Self.onStack($0) && $0.usage != 0 }.prefix(8).map(\.name)).uniqued()
        let summary = repo.readmeSummary.map { Line($0, evidence: ["\(n):readme"]) }

        var star: STAR?
        if template == .star {
            let actions = bullets.dropFirst()
            let action = actions.map(\.text).joined(separator: ko ? ", " : ". ") + (ko || actions.isEmpty ? "" : ".")
            star = STAR(
                situation: summary ?? Line(ko ? "\(n): \(kind) 프로젝트" : "\(n): a \(kind) project", evidence: ["\(n):languages"]),
                task: c.totalCommits > 0
                    ? Line(ko ? "\(period) 기간 동안 \(leading ? "주 개발자로서" : "기여자로서") 전체 커밋의 \(pct)% 담당"
                              : "\(leading ? "As the main developer" : "As a contributor"), wrote \(pct)% of the commits (\(period))",
                           evidence: ["\(n):commits"])
                    : Line(ko ? "이 프로젝트에서 맡은 역할을 적어 주세요." : "What was your role in this project?", needsInput: true),
                action: action.isEmpty ? Line(ko ? "수행한 일을 적어 주세요." : "Describe what you did.", needsInput: true)
                                       : Line(action, evidence: actions.flatMap(\.evidence).uniqued()),
                result: Line(ko ? "성과를 수치로 적어 주세요 (예: 응답 시간, 사용자 수)." : "Add a measurable outcome (response time, users, …).",
                             needsInput: true))
        }
        var troubleshooting: [Troubleshooting] = []
        if template == .gitfolio {
            troubleshooting = (c.problems ?? []).prefix(2).map { Self.troubleshooting($0, repository: n, ko: ko) }
            if troubleshooting.isEmpty {
                troubleshooting = [Troubleshooting(
                    problem: Line(ko ? "이 프로젝트에서 겪은 문제를 적어 주세요." : "Describe a problem you met in this project.", needsInput: true),
                    hypothesis: Line(ko ? "원인에 대해 세웠던 가설을 적어 주세요." : "What did you suspect the cause was?", needsInput: true),
                    attempt: Line(ko ? "시도한 방법을 적어 주세요." : "What did you try?", needsInput: true),
                    result: Line(ko ? "개선된 지표를 적어 주세요." : "What improved, and by how much?", needsInput: true))]
            }
        }
        return ResumeProject(name: n, start: c.firstMonth, end: c.lastMonth, skills: skills, repository: repo.origin,
                             summary: summary, bullets: bullets, star: star, troubleshooting: troubleshooting)
    }

    /// A troubleshooting entry from a mined fix: what the commit (or pull request) says, cited; the
    /// hypothesis only when its message names a cause; the improvement always left to the member.
    static func troubleshooting(_ p: Contribution.Problem, repository n: String, ko: Bool) -> Troubleshooting {
        var refs = ["\(n):commit:\(p.hash)"]
        if let pr = p.pullRequest { refs.append("\(n):pr:\(pr)") }
        let short = String(p.hash.prefix(7))
        let pr = p.pullRequest.map { ", PR #\($0)" } ?? ""
        var problem = "“\(p.title)” (\(p.date)\(pr))"
        if let detail = p.detail, detail != p.cause { problem += " — \(detail)" }
        let hypothesis = p.cause.map { Line("“\($0)”", evidence: refs) }
            ?? Line(ko ? "원인에 대해 세웠던 가설을 적어 주세요." : "What did you suspect the cause was?", needsInput: true)
        var attempt: String
        if ko {
            attempt = (p.area.map { "\($0) 영역 " } ?? "") + "파일 \(p.files)개 수정(커밋 \(short))"
            if !p.tests.isEmpty { attempt += ", 테스트 파일 \(p.tests.count)개 추가·수정" }
            if let revert = p.afterRevert { attempt += ", 되돌린 변경(\(revert.prefix(7))) 이후 다시 수정" }
        } else {
            attempt = "Changed \(p.files) file\(p.files == 1 ? "" : "s")" + (p.area.map { " in \($0)" } ?? "") + " (commit \(short))"
            if !p.tests.isEmpty { attempt += ", adding or updating \(p.tests.count) test file\(p.tests.count == 1 ? "" : "s")" }
            if let revert = p.afterRevert { attempt += ", after the change was reverted (\(revert.prefix(7)))" }
        }
        return Troubleshooting(
            problem: Line(problem, evidence: refs), hypothesis: hypothesis, attempt: Line(attempt, evidence: refs),
            result: Line(ko ? "개선된 지표를 적어 주세요." : "What improved, and by how much?", needsInput: true))
    }

    /// What the project is, from what it is built with.
    static func kind(_ repo: RepositoryEvidence, ko: Bool) -> String {
        let names = Set(repo.technologies.map(\.name))
        let front: Set = ["React", "Vue.js", "Angular", "Svelte", "Next.js", "Nuxt", "SvelteKit", "SolidJS", "Preact", "Astro", "Remix"]
        let back: Set = ["Express", "NestJS", "Fastify", "Koa", "Django", "Flask", "FastAPI", "Spring Boot", "Gin", "Echo",
                         "Fiber", "Actix Web", "Axum", "Vapor", "Hummingbird", "Ruby on Rails", "Laravel", "Ktor", "Django REST framework",
                         "Symfony", "Sinatra", "Rocket", "chi", "ASP.NET Core", "Spring WebFlux", "Hono", "Quarkus", "Micronaut"]
        let ml: Set = ["PyTorch", "TensorFlow", "Keras", "scikit-learn", "Hugging Face Transformers", "JAX", "XGBoost", "LightGBM"]
        let mobile: Set = ["Android SDK", "Jetpack Compose", "React Native", "Expo", "Flutter"]
        let game: Set = ["Bevy"]
        switch (names.isDisjoint(with: front), names.isDisjoint(with: back)) {
        case (false, false): return ko ? "웹 서비스" : "web service"
        case (true, false): return ko ? "서버 애플리케이션" : "server application"
        case (false, true): return ko ? "프론트엔드 애플리케이션" : "front-end application"
        default: break
        }
        if !names.isDisjoint(with: mobile) { return ko ? "모바일 앱" : "mobile app" }
        if !names.isDisjoint(with: ml) { return ko ? "머신러닝 프로젝트" : "machine learning project" }
        if !names.isDisjoint(with: game) || repo.languages.first?.name == "GDScript" { return ko ? "게임" : "game" }
        let language = repo.languages.first?.name ?? ""
        return ko ? "\(language) 애플리케이션".trimmingCharacters(in: .whitespaces) : "\(language) application".trimmingCharacters(in: .whitespaces)
    }
}

extension Sequence where Element: Hashable {
    func uniqued() -> [Element] {
        var seen: Set<Element> = []
        return filter { seen.insert($0).inserted }
    }
}
