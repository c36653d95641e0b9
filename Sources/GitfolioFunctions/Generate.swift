import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioEvidence
import GitfolioLLM
import GitfolioResume
import GitfolioStore

struct GenerateBody: Encodable {
    var id: Int64
    var resume: Resume
    var grounding: [Grounding.Finding]
    var aiUsesToday: Int
}

public enum GenerateHandlers {
    /// `POST /api/generate` with `{"repositories": ["owner/name", …], "request", "template", "language", "title"}`:
    /// writes a resume from the member's GitHub data, checks it against the evidence and stores it.
    /// Counts one AI use (FREE: 3 a day) once the request is valid; any failure afterwards gives it back.
    public static let generate: ServiceHandler = { s, request, _ in
        try allow(request, "POST")
        try s.requireSameOrigin(request)
        let member = try s.requireMember(request)
        let fields = try JSONFields.object(from: try s.requireJSON(request))
        try fields.allowOnly(["repositories", "request", "template", "language", "title"])
        let limits = Plans.limits(member.plan)
        guard let names = fields.values["repositories"] as? [Any], !names.isEmpty,
              let repositories = names as? [String], repositories.allSatisfy({ !$0.isEmpty && $0.count <= 200 })
        else {
            throw fields.invalid("repositories", "must be a non-empty list of owner/name strings", "은(는) owner/name 형식의 목록이어야 합니다")
        }
        guard repositories.count <= limits.repositoriesPerGeneration else {
            throw fields.invalid("repositories", "may hold at most \(limits.repositoriesPerGeneration) entries on your plan",
                                 "은(는) 현재 플랜에서 최대 \(limits.repositoriesPerGeneration)개까지 고를 수 있습니다")
        }
        let requestText = try fields.string("request", max: 1000)
        let template = try Template(rawValue: fields.string("template", max: 10).uppercased().nonEmptyOr("BASIC"))
            ?? { throw fields.invalid("template", "must be BASIC, STAR or GITFOLIO", "은(는) BASIC, STAR, GITFOLIO 중 하나여야 합니다") }()
        let language = try Language(rawValue: fields.string("language", max: 2).nonEmptyOr("ko"))
            ?? { throw fields.invalid("language", "must be ko or en", "은(는) ko 또는 en이어야 합니다") }()
        let title = try fields.string("title", max: 100)

        guard let stored = try s.database.encryptedGitHubToken(memberID: member.id) else {
            throw APIError(status: 409, code: "github_not_linked",
                           message: "Sign in with GitHub to make a resume from your repositories. / GitHub로 로그인해야 저장소로 이력서를 만들 수 있습니다.")
        }
        // Charge the use before spending any GitHub rate limit; every failure below gives it back,
        // so a use stays charged only when the writer ran and the resume was stored.
        let now = s.clock.now()
        let use = try s.database.chargeAIUse(memberID: member.id, kind: .generate, now: now)
        do {
            let client = GitHubDataClient(transport: s.transport, apiURL: s.config.githubAPIURL, cache: s.database, clock: s.clock)
            let token = try s.cipher.open(stored.ciphertext)
            let imported = try await client.repositories(memberID: member.id, token: token)
            let byName = Dictionary(imported.repositories.map { ($0.nameWithOwner.lowercased(), $0) }, uniquingKeysWith: { a, _ in a })
            let unknown = repositories.filter { byName[$0.lowercased()] == nil }
            guard unknown.isEmpty else {
                throw APIError(status: 400, code: "unknown_repositories",
                               message: "Not among your repositories: \(unknown.prefix(5).joined(separator: ", ")). / 내 저장소 목록에 없는 저장소입니다.",
                               field: "repositories")
            }
            // REST details (the member's commits, pull requests, manifests) for the chosen repositories,
            // from the hour-long cache when this member generated from them recently.
            var evidence: [RepositoryEvidence] = []
            for name in repositories {
                let repo = byName[name.lowercased()]!
                let details: RepositoryDetails
                if let cached = try s.database.cachedDetails(memberID: member.id, repository: repo.nameWithOwner,
                                                             notBefore: now.addingTimeInterval(-GitHubDataClient.freshFor)) {
                    details = cached
                } else {
                    details = try await client.details(for: repo.nameWithOwner, login: imported.login, token: token)
                    try s.database.saveDetails(memberID: member.id, repository: repo.nameWithOwner, details: details, fetchedAt: now)
                }
                evidence.append(RepositoryEvidence(github: repo, details: details))
            }
            let profile = try s.database.profile(memberID: member.id) ?? Profile()
            let draft: Resume
            if let config = s.llm {
                // A configured model writes the prose; the offline writer is the embedded default.
                let model = config.model(transport: s.transport)
                draft = try await LLMWriter { system, user, schema in
                    try await model.complete(system: system, user: user, schema: OutputSchema(name: "resume", schema: schema))
                }.write(evidence: evidence, profile: profile, template: template, language: language, request: requestText)
            } else {
                draft = OfflineWriter().write(evidence: evidence, profile: profile, template: template, language: language,
                                              request: requestText)
            }
            let (resume, findings) = Grounding(evidence: evidence).check(draft)
            let id = try s.database.createResume(
                memberID: member.id, title: title.isEmpty ? (language == .ko ? "새 이력서" : "New resume") : title,
                template: template.rawValue, language: language.rawValue, jobRole: profile.jobRole?.rawValue,
                document: try JSONEncoder().encode(resume), now: now)
            return .json(GenerateBody(id: id, resume: resume, grounding: findings,
                                      aiUsesToday: try s.database.aiUses(memberID: member.id, on: Plans.day(of: now))), status: 201)
        } catch {
            try? s.database.refundAIUse(id: use)
            throw error
        }
    }
}

extension String {
    func nonEmptyOr(_ fallback: String) -> String { isEmpty ? fallback : self }
}
