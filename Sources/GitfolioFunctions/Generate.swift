import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioGitHub
import GitfolioLLM
import GitfolioResume
import GitfolioStore

public enum GenerateFunction {
    struct Input: Decodable {
        var repositories: [String]
        var request: String
        var template: Template
        var language: Language
        var title: String

        enum CodingKeys: String, CodingKey { case repositories, request, template, language, title }

        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            repositories = try c.list(String.self, .repositories, max: 100)
            guard !repositories.isEmpty else { throw FieldError(c.path(.repositories), .required) }
            guard repositories.allSatisfy({ $0.contains("/") && $0.count >= 3 && $0.count <= 200 }) else {
                throw FieldError(c.path(.repositories), .rule(english: "must name repositories as owner/name",
                                                              korean: "owner/name 형식으로 저장소를 적어야 합니다"))
            }
            request = try c.text(.request, max: 1000)
            template = try c.template(.template)
            language = try c.language(.language)
            title = try c.text(.title, max: 100)
        }
    }

    struct Body: Encodable {
        var id: Int64
        var resume: Resume
        var grounding: [Grounding.Finding]
        var aiUsesToday: Int
    }

    /// `POST /api/generate` with `{"repositories": ["owner/name", …], "request", "template", "language", "title"}`:
    /// writes a resume from the member's GitHub data, checks it against the evidence and stores it.
    /// Counts one AI use (FREE: 3 a day) once the request is valid; any failure afterwards gives it back.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("POST")
        try s.config.requireSameOrigin(request)
        let member = try s.requireMember(request)
        try s.limit(RateLimits.generate, member: member, request)
        let input = try request.decodeBody(Input.self)
        let limit = Plans.limits(member.plan).repositoriesPerGeneration
        guard input.repositories.count <= limit else { throw APIError(field: FieldError("repositories", .tooMany(max: limit))) }
        let token = try s.githubToken(for: member)
        let model = try s.languageModel()

        // Charge the use before spending any GitHub rate limit; every failure below gives it back,
        // so a use stays charged only when the writer ran and the resume was stored.
        let now = s.now
        let use = try s.database.chargeAIUse(memberID: member.id, kind: .generate, now: now)
        do {
            let github = s.github
            let imported = try await github.repositories(memberID: member.id, token: token, cache: s.githubCache)
            let byName = Dictionary(imported.repositories.map { ($0.nameWithOwner.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
            let unknown = input.repositories.filter { byName[$0.lowercased()] == nil }
            guard unknown.isEmpty else {
                throw APIError.badRequest("unknown_repositories",
                                          "These are not among your repositories: \(unknown.prefix(5).joined(separator: ", ")).",
                                          korean: "내 저장소 목록에 없는 저장소입니다: \(unknown.prefix(5).joined(separator: ", ")).",
                                          field: "repositories")
            }
            // REST details (the member's commits, pull requests, manifests) for the chosen repositories,
            // from the hour-long cache when this member generated from them recently.
            var evidence: [RepositoryEvidence] = []
            for name in input.repositories {
                let repo = byName[name.lowercased()]!
                let details = try await github.details(for: repo.nameWithOwner, login: imported.login, token: token,
                                                       memberID: member.id, cache: s.githubCache)
                evidence.append(RepositoryEvidence(github: repo, details: details))
            }
            let profile = try s.database.profile(memberID: member.id) ?? Profile()
            let draft: Resume
            if let model {
                // A configured model writes the prose; the offline writer is the embedded default.
                let llm = model.model(transport: s.transport)
                draft = try await LLMWriter { system, user, schema in
                    try await llm.complete(system: system, user: user, schema: OutputSchema(name: "resume", schema: schema))
                }.write(evidence: evidence, profile: profile, template: input.template, language: input.language, request: input.request)
            } else {
                draft = OfflineWriter().write(evidence: evidence, profile: profile, template: input.template, language: input.language,
                                              request: input.request)
            }
            let (resume, findings) = Grounding(evidence: evidence).check(draft)
            let title = input.title.isEmpty ? (input.language == .ko ? "새 이력서" : "New resume") : input.title
            let id = try s.database.createResume(memberID: member.id, title: title, resume: resume, now: now, settlingAIUse: use,
                                                    evidence: evidence)
            return .json(Body(id: id, resume: resume, grounding: findings,
                              aiUsesToday: try s.database.aiUses(memberID: member.id, on: Plans.day(of: now))),
                         status: 201)
        } catch {
            try? s.database.refundAIUse(id: use)
            throw error
        }
    }
}
