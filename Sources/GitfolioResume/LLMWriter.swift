import Foundation
import GitfolioCore
import GitfolioEvidence

/// Writes the prose of a resume with a language model. The structure — which projects, their periods
/// and skills, the STAR and troubleshooting parts the evidence cannot fill — comes from the offline
/// writer; the model rewrites the about-me and each project's bullets from the facts it is given and
/// must cite the evidence references it used. References it was not given are dropped, and the
/// grounding check that follows removes any claim the evidence does not hold.
public struct LLMWriter: Sendable {
    public typealias Complete = @Sendable (_ system: String, _ user: String, _ schema: [String: Any]) async throws -> [String: Any]
    let complete: Complete

    /// `complete` asks the model (e.g. `LanguageModel.complete` with the schema named `resume`).
    public init(complete: @escaping Complete) { self.complete = complete }

    public static var schema: [String: Any] { [
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
        let facts = draft.projects.map { project -> [String: Any] in
            ["name": project.name, "period": [project.start, project.end].compactMap { $0 }.joined(separator: "–"),
             "skills": project.skills, "summary": project.summary?.text ?? "",
             "facts": project.bullets.map { ["text": $0.text, "evidence": $0.evidence] }]
        }
        let input = try JSONSerialization.data(withJSONObject: ["role": profile.jobRole?.english ?? "", "request": request,
                                                                "techStack": draft.techStack, "projects": facts], options: [.sortedKeys])
        let system = """
        You write the prose of a developer's resume in \(language == .ko ? "Korean (concise nominal endings, like 개발, 구성, 개선)" : "English") \
        from facts only. Every bullet must rest on the given facts and list the evidence references it uses, copied exactly. \
        Never add technologies, numbers, employers or outcomes that are not in the facts. Keep each project's name as given.
        """
        let answer = try await complete(system, "Facts (JSON):\n" + String(decoding: input, as: UTF8.self)
                                        + (request.isEmpty ? "" : "\nThe member asks: \(request)"), Self.schema)
        if let about = answer["aboutMe"] as? String, !about.trimmingCharacters(in: .whitespaces).isEmpty {
            draft.aboutMe = Line(about, evidence: draft.aboutMe.evidence)
        }
        for written in answer["projects"] as? [[String: Any]] ?? [] {
            guard let name = written["name"] as? String, let index = draft.projects.firstIndex(where: { $0.name == name }) else { continue }
            let offered = Set(draft.projects[index].bullets.flatMap(\.evidence) + (draft.projects[index].summary?.evidence ?? []))
            let bullets = (written["bullets"] as? [[String: Any]] ?? []).compactMap { bullet -> Line? in
                guard let text = bullet["text"] as? String, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
                let refs = (bullet["evidence"] as? [String] ?? []).filter(offered.contains)
                return refs.isEmpty ? nil : Line(String(text.prefix(500)), evidence: refs)  // an uncited claim is not kept
            }
            if !bullets.isEmpty { draft.projects[index].bullets = bullets }
        }
        return draft
    }
}
