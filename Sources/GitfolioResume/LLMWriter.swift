import Foundation
import GitfolioCore
import GitfolioEvidence

/// Writes the prose of a resume with a language model. The structure — which projects, their periods
/// and skills, the STAR and troubleshooting parts the evidence cannot fill — comes from the offline
/// writer; the model rewrites the about-me and each project's bullets from the facts it is given and
/// must cite the evidence references it used. References it was not given are dropped, and the
/// grounding check that follows removes any claim the evidence does not hold.
public struct LLMWriter: Sendable {
    public typealias Complete = @Sendable (_ system: String, _ user: String, _ schema: JSONValue) async throws -> JSONValue
    let complete: Complete

    /// `complete` asks the model (e.g. `LanguageModel.complete` with the schema named `resume`).
    public init(complete: @escaping Complete) { self.complete = complete }

    public static var schema: JSONValue { [
        "type": "object", "additionalProperties": false, "required": ["aboutMe", "projects"],
        "properties": [
            "aboutMe": ["type": "string"],
            "projects": ["type": "array", "items": [
                "type": "object", "additionalProperties": false, "required": ["name", "bullets"],
                "properties": [
                    "name": ["type": "string"],
                    "bullets": ["type": "array", "items": [
                        "type": "object", "additionalProperties": false, "required": ["text", "evidence"],
                        "properties": ["text": ["type": "string"], "evidence": ["type": "array", "items": ["type": "string"]]],
                    ]],
                ],
            ]],
        ],
    ] }

    public func write(evidence: [RepositoryEvidence], profile: Profile, template: Template, language: Language,
                      request: String) async throws -> Resume {
        var draft = OfflineWriter().write(evidence: evidence, profile: profile, template: template, language: language, request: request)
        struct Fact: Encodable { var text: String; var evidence: [String] }
        struct ProjectFacts: Encodable { var name, period: String; var skills: [String]; var summary: String; var facts: [Fact] }
        struct Input: Encodable { var role, request: String; var techStack: [String]; var projects: [ProjectFacts] }
        let input = try JSONValue.serialize(Input(
            role: profile.jobRole?.english ?? "", request: request, techStack: draft.techStack,
            projects: draft.projects.map { project in
                ProjectFacts(name: project.name, period: [project.start, project.end].compactMap { $0 }.joined(separator: "–"),
                             skills: project.skills, summary: project.summary?.text ?? "",
                             facts: project.bullets.map { Fact(text: $0.text, evidence: $0.evidence) })
            }))
        let system = """
        You write the prose of a developer's resume in \(language == .ko ? "Korean (concise nominal endings, like 개발, 구성, 개선)" : "English") \
        from facts only. Every bullet must rest on the given facts and list the evidence references it uses, copied exactly. \
        Never add technologies, numbers, employers or outcomes that are not in the facts. Keep each project's name as given.
        """
        struct Written: Decodable {
            struct Bullet: Decodable { var text: String; var evidence: [String] }
            struct Project: Decodable { var name: String; var bullets: [Bullet] }
            var aboutMe: String
            var projects: [Project]
        }
        let answer: Written
        do {
            answer = try await complete(system, "Facts (JSON):\n" + input + (request.isEmpty ? "" : "\nThe member asks: \(request)"),
                                        Self.schema).decode(Written.self)
        } catch let error as APIError {
            throw error
        } catch {
            throw APIError.upstream("model_bad_output", "The model's answer did not have the shape we asked for. Please try again.",
                                    korean: "AI의 답을 읽을 수 없었습니다. 다시 시도해 주세요.")
        }
        if !answer.aboutMe.trimmingCharacters(in: .whitespaces).isEmpty {
            draft.aboutMe = Line(answer.aboutMe, evidence: draft.aboutMe.evidence)
        }
        for written in answer.projects {
            guard let index = draft.projects.firstIndex(where: { $0.name == written.name }) else { continue }
            let offered = Set(draft.projects[index].bullets.flatMap(\.evidence) + (draft.projects[index].summary?.evidence ?? []))
            let bullets = written.bullets.compactMap { bullet -> Line? in
                guard !bullet.text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
                let refs = bullet.evidence.filter(offered.contains)
                return refs.isEmpty ? nil : Line(String(bullet.text.prefix(500)), evidence: refs)  // an uncited claim is not kept
            }
            if !bullets.isEmpty { draft.projects[index].bullets = bullets }
        }
        return draft
    }
}
