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
    /// Texts the evidence quotes (README paragraphs, commit subjects and messages): a technology
    /// named inside a quotation is the source's claim, not the writer's.
    let quotes: [String]

    /// The technology names a sentence can claim: the catalogue's display names and the languages,
    /// less single words that are ordinary English or generic library names ("time", "Rich",
    /// "Click"), whose mention claims nothing.
    public static let vocabulary: Set<String> = Vocabulary.technologyNames.filter { !isOrdinaryWord($0) }

    static let ordinaryWords: Set<String> = [
        "Rich", "Click", "Black", "Arrow", "Fabric", "Box", "Split", "Square", "Linear", "Notion", "Ghost", "Payload", "Kong",
        "Polar", "Convex", "Monday", "Render", "Railway", "Ray", "Dash", "Listen", "Rake", "Slim", "Bullet", "Discard", "Money",
        "Relay", "Victory", "Motion", "Got", "Debug", "Tower", "Hyper", "Tide", "Poem", "Warp", "Rocket", "Lit", "Orb", "Ory",
        "Vault", "Make", "Chef", "Spring", "Standard Ruby", "Foreman", "Pry", "Truth", "Glide", "Coil", "Paging", "Quick",
        "Nimble", "Files", "Plot", "Ink", "Publish", "Sentence Transformers", "Requests", "Luxon", "Marked", "Sharp", "Ora",
        "Chalk", "Immer", "Remix", "Astro", "Lerna", "Husky", "Karma", "Jasmine", "Mocha", "Chai", "Sinon.JS", "Faker",
        "Flask", "Bottle", "Falcon", "Pyramid", "Tornado", "Quart", "Sanic", "Celery", "Arrow", "Pendulum", "Tenacity", "Typer",
        "Kivy", "Dagster", "Prefect", "Locust", "Nox", "Tox", "Ruff", "Black", "Sphinx", "Echo", "Fiber", "Wire", "Fx",
        "Zap", "Viper", "Cobra", "Ginkgo", "Gomega", "Colly", "Fyne", "Wails", "Iced", "Bevy", "Yew", "Leptos", "Burn",
        "Candle", "Maud", "Tera", "Askama", "Rayon", "Crossbeam", "Serenity", "Diesel", "Pusher", "Ably", "Agenda", "Bull",
        "Winston", "Pino", "Bunyan", "Morgan", "Helmet", "Multer", "Passport", "Formik", "Swiper", "Konva", "Slate", "Quill",
        "Lexical", "Vaul", "Sonner", "Dexie", "Realm", "Prism", "Polly", "Refit", "Humanizer", "Bogus", "Moq", "Hangfire",
        "Avalonia", "Mapster", "Scrutor", "Autofac", "Hanami", "Grape", "Roda", "Puma", "Unicorn", "Passenger", "Sequel",
        "Devise", "Pundit", "Rolify", "Kaminari", "Pagy", "Ransack", "Shrine", "Stimulus", "Propshaft", "Sprockets", "Haml",
        "Capybara", "Minitest", "Timecop", "Brakeman", "Byebug", "Bootsnap", "Figaro", "Administrate", "Honeybadger",
        "Rollbar", "Faraday", "Nokogiri", "Capistrano", "Kamal", "Audited", "Ancestry", "Geocoder", "Groupdate", "Chartkick",
        "Prawn", "Lograge", "Flipper", "Sorbet", "Carbon", "Monolog", "Mockery", "Pest", "Behat", "Psalm", "Rector",
        "Collision", "Ignition", "Filament", "Livewire", "Lumen", "Phalcon", "Laminas", "Slim", "Twig", "Yii", "Render",
        "Heroku", "Vagrant", "Renovate", "Dependabot", "Apify", "Nango", "Lago", "Split", "Box", "Base UI", "Canvas", "Electron",
        "Ember.js", "Backbone.js", "Meteor", "Gatsby", "Hexo", "Eleventy", "Qwik", "Preact", "Phaser", "Cesium", "Victory",
        "Recoil", "Valtio", "Jotai", "Zustand", "Redux", "MobX", "XState", "Pinia", "Vuex", "Yup", "Joi", "Ajv", "Ky",
    ]

    static func isOrdinaryWord(_ name: String) -> Bool {
        if ordinaryWords.contains(name) { return true }
        // Lower-case words of letters only ("time", "log", "image", "glob"): generic library names.
        return name.allSatisfy { $0.isLetter && $0.isLowercase } && name.count <= 8
    }

    /// Vocabulary names by their first word (lower case, letters and digits), so that a sentence is
    /// compared only with the names that could occur in it.
    static let index: [String: [String]] = {
        var index: [String: [String]] = [:]
        for name in vocabulary {
            guard let first = words(in: name).first else { continue }
            index[first, default: []].append(name)
        }
        return index
    }()

    static func words(in text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in text.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { current.append(ch) } else if !current.isEmpty { out.append(current); current = "" }
        }
        if !current.isEmpty { out.append(current) }
        return out
    }

    /// The vocabulary names mentioned (whole words, any case) in a text.
    static func mentionedNames(in text: String) -> [String] {
        let found = Set(words(in: text)).flatMap { index[$0] ?? [] }.filter { mentions(text, $0) }
        // The longest name wins: "GitHub Actions" does not also claim "GitHub".
        return found.filter { short in !found.contains { $0 != short && $0.count > short.count && mentions($0, short) } }
    }

    public init(evidence: [RepositoryEvidence]) {
        repositories = Set(evidence.map(\.name))
        technologies = Set(evidence.flatMap { $0.technologies.map(\.name) + $0.languages.map(\.name) })
        var numbers: Set<String> = []
        var quotes: [String] = []
        func add(_ n: Int) { numbers.insert(String(n)) }
        func addText(_ s: String) {
            for n in Grounding.numbers(in: s) { numbers.insert(n) }
        }
        add(evidence.map(\.contribution.commits).reduce(0, +))
        add(evidence.count)
        for repo in evidence {
            let c = repo.contribution
            [c.commits, c.totalCommits, c.linesAdded, c.linesDeleted, c.pullRequests ?? 0, c.mergedPullRequests ?? 0].forEach(add)
            if c.totalCommits > 0 { add(Int((Double(c.commits) / Double(c.totalCommits) * 100).rounded())) }
            for area in c.areas { add(area.commits); addText(area.path); quotes.append(area.path) }
            for month in [c.firstMonth, c.lastMonth].compactMap({ $0 }) { addText(month) }
            for commit in c.recentCommits { addText(commit.subject); addText(commit.date); addText(commit.hash); quotes.append(commit.subject) }
            for p in c.problems ?? [] {
                [p.files, p.linesChanged, p.tests.count].forEach(add)
                p.pullRequest.map(add)
                for text in [p.title, p.date, p.hash, p.detail ?? "", p.cause ?? "", p.afterRevert ?? "", p.area ?? ""] { addText(text) }
                quotes += [p.title, p.detail, p.cause].compactMap { $0 }
            }
            for l in repo.languages { add(l.bytes); add(Int((l.share * 100).rounded())) }
            addText(repo.name)
            if let summary = repo.readmeSummary { addText(summary); quotes.append(summary) }
            for t in repo.technologies { addText(t.name); t.sources.forEach(addText); quotes += t.sources; t.usage.map(add) }
        }
        self.numbers = numbers
        self.quotes = quotes
    }

    /// For revisions of a stored resume, whose evidence is not kept: what the resume already says
    /// (its technologies, skills and the numbers in its text) is what a revision may state.
    public init(resume: Resume) {
        repositories = Set(resume.projects.map(\.name))
        let texts = resume.allLines.map(\.text) + resume.projects.map(\.name) + [resume.projects.compactMap(\.start).joined(separator: " "),
                                                                             resume.projects.compactMap(\.end).joined(separator: " ")]
        technologies = Set(resume.techStack + resume.projects.flatMap(\.skills) + texts.flatMap(Self.mentionedNames(in:)))
        numbers = Set(texts.flatMap(Self.numbers(in:)))
        quotes = []
    }

    /// What in `text` is not in the evidence.
    public func findings(in text: String, at location: String) -> [Finding] {
        var found: [Finding] = []
        for n in Self.numbers(in: text) where !numbers.contains(n) {
            found.append(Finding(location: location, kind: .number, value: n))
        }
        for name in Self.mentionedNames(in: text).sorted() where !technologies.contains(name) {
            // Named inside a quotation of the evidence (a README paragraph, a commit message): not a claim.
            if quotes.contains(where: { text.contains($0) && Self.mentions($0, name) }) { continue }
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
        resume.techStack = stack.filter { technologies.contains($0) || !Self.vocabulary.contains($0) }
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
            p.skills = skills.filter { technologies.contains($0) || !Self.vocabulary.contains($0) }
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
