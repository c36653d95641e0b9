import Foundation
import GitfolioCore
import GitfolioLLM
import GitfolioResume
import GitfolioStore

public enum ReviseFunction {
    struct Proposal: Decodable {
        var resumeId: Int64
        var path: String
        var start: Int
        var end: Int
        var instruction: String
        enum CodingKeys: String, CodingKey { case action, resumeId, path, start, end, instruction }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.text(.action, max: 10)
            resumeId = try c.decode(Int64.self, forKey: .resumeId)
            path = try c.text(.path, max: 100, required: true)
            start = try c.decode(Int.self, forKey: .start)
            end = try c.decode(Int.self, forKey: .end)
            instruction = try c.text(.instruction, max: 500, required: true)
        }
    }

    struct Acceptance: Decodable {
        var resumeId: Int64
        var path: String
        var text: String
        var version: Int
        enum CodingKeys: String, CodingKey { case action, resumeId, path, text, version }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.text(.action, max: 10)
            resumeId = try c.decode(Int64.self, forKey: .resumeId)
            path = try c.text(.path, max: 100, required: true)
            text = try c.text(.text, max: 2000, required: true)
            version = try c.version(.version)
        }
    }

    struct Undo: Decodable {
        var resumeId: Int64
        var version: Int
        enum CodingKeys: String, CodingKey { case action, resumeId, version }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            _ = try c.text(.action, max: 10)
            resumeId = try c.decode(Int64.self, forKey: .resumeId)
            version = try c.version(.version)
        }
    }

    struct ProposalBody: Encodable {
        var path: String
        var start: Int
        var end: Int
        var before: String
        var after: String
        /// The whole line with the replacement in place, for the member to look at before accepting.
        var text: String
        var version: Int
        var findings: [Grounding.Finding]
        var aiUsesToday: Int
    }

    struct AcceptBody: Encodable {
        var version: Int
        var path: String
        var line: Line
    }

    struct UndoBody: Encodable {
        var version: Int
        var path: String
        var resume: Resume
    }

    struct Rewrite: Decodable { var replacement: String }

    /// `POST /api/revise` with `{"resumeId", "path", "start", "end", "instruction"}`: asks the model to
    /// rewrite only the selected span (UTF-16 offsets, as browsers give them) of one line, and answers
    /// the before/after. Nothing is saved: the editor saves the line if the member accepts it.
    ///
    /// `{"action": "accept", "resumeId", "path", "text", "version"}` saves a line (a rewrite the member
    /// accepted, or their own edit) if the resume is still at `version`, keeping the previous document;
    /// `{"action": "undo", "resumeId", "version"}` restores the document before the latest accepted change.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("POST")
        try s.config.requireSameOrigin(request)
        let member = try s.requireMember(request)
        let body = try request.jsonBody()
        switch body["action"]?.stringValue ?? "propose" {
        case "propose": return try await propose(s, member, try request.decodeBody(Proposal.self), request)
        case "accept": return try accept(s, member, try request.decodeBody(Acceptance.self))
        case "undo": return try undo(s, member, try request.decodeBody(Undo.self))
        default: throw APIError(field: FieldError("action", .oneOf(english: ["propose", "accept", "undo"], korean: ["propose", "accept", "undo"])))
        }
    }

    static func propose(_ s: Services, _ member: Member, _ input: Proposal, _ request: FunctionRequest) async throws -> FunctionResponse {
        try s.limit(RateLimits.revise, member: member, request)
        let stored = try s.database.resume(id: input.resumeId, memberID: member.id)
        let resume = stored.resume
        guard let line = resume.line(at: input.path) else { throw APIError(field: Self.noSuchPassage) }
        let units = Array(line.text.utf16)
        guard input.start >= 0, input.start < input.end, input.end <= units.count,
              isBoundary(units, input.start), isBoundary(units, input.end)
        else {
            throw APIError.badRequest("invalid_span", "Select part of the sentence first (the selection was empty or outside it).",
                                      korean: "문장의 일부를 먼저 선택해 주세요. 선택이 비어 있거나 문장을 벗어났습니다.", field: "start")
        }
        guard let config = try s.languageModel() else { throw LLMConfig.notConfigured }
        let span = String(decoding: units[input.start..<input.end], as: UTF16.self)
        let before = String(decoding: units[..<input.start], as: UTF16.self), after = String(decoding: units[input.end...], as: UTF16.self)

        let now = s.now
        func answer(_ replacement: String) throws -> FunctionResponse {
            .json(ProposalBody(path: input.path, start: input.start, end: input.end, before: span, after: replacement,
                               text: before + replacement + after, version: stored.version,
                               findings: Grounding(resume: resume).findings(in: replacement, at: input.path),
                               aiUsesToday: try s.database.aiUses(memberID: member.id, on: Plans.day(of: now))))
        }
        // What was asked, to find a kept rewrite by (`AppDatabase.keptAIResult`).
        let requestKey = SHA256Digest.hex(Array("\(input.resumeId)\n\(stored.version)\n\(input.path)\n\(input.start)\n\(input.end)\n\(input.instruction)".utf8))

        let use = try s.database.chargeAIUse(memberID: member.id, kind: .revise, now: now)
        let replacement: String
        do {
            let ko = resume.language == .ko
            let system = """
            You edit one passage of a developer's resume. Rewrite only the marked span as the member asks, in \
            \(ko ? "Korean" : "English") unless they ask for another language. Keep every fact; do not add technologies, \
            numbers or claims that the passage and the resume do not contain. Answer {"replacement": "..."} with the new span only.
            """ + (line.needsReview ? " The resume changed language and this passage was kept as the member wrote it: write the span in \(ko ? "Korean" : "English")." : "")
            let user = "Passage: \(before)«\(span)»\(after)\nRequest: \(input.instruction)\n"
                + "Technologies on the resume: \(resume.techStack.joined(separator: ", "))"
            let answer = try await config.model(transport: s.transport).complete(
                Rewrite.self, system: system, user: user,
                schema: OutputSchema(name: "revision", schema: [
                    "type": "object", "additionalProperties": false, "required": ["replacement"],
                    "properties": ["replacement": ["type": "string", "maxLength": 2000]],
                ]))
            replacement = answer.replacement.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !replacement.isEmpty, replacement.count <= 2000, replacement.unicodeScalars.count <= 20000 else {  // the column's CHECK counts code points
                throw APIError.upstream("model_bad_output", "The model's rewrite was empty or too long. Please try again.",
                                        korean: "AI의 수정안이 비어 있거나 너무 깁니다. 다시 시도해 주세요.")
            }
            // The use and its rewrite are kept together: a process killed before this commit has its use
            // back later (it stays pending), one killed after it leaves the rewrite kept with the use.
            try s.database.settleAIUse(id: use, requestKey: requestKey, result: replacement)
        } catch {
            try? s.database.refundAIUse(id: use)
            throw error
        }
        #if DEBUG
        // Tests only (FaultTests): stop in the window between keeping the use and answering, to be killed there.
        if ProcessInfo.processInfo.environment["GITFOLIO_TEST_PAUSE"] == "revise-kept" {
            FileHandle.standardError.write(Data("paused: revise-kept\n".utf8))
            sleep(60)
        }
        #endif
        return try answer(replacement)
    }

    static func accept(_ s: Services, _ member: Member, _ input: Acceptance) throws -> FunctionResponse {
        var resume = try s.database.resume(id: input.resumeId, memberID: member.id).resume
        // A sentence (a line with its evidence), or a plain text field: the name, contact, tech stack,
        // a project's name or skills, the text of work, education and certificate entries.
        if resume.withLine(at: input.path, { line in line.text = input.text; line.needsInput = false; line.needsReview = false }) == nil {
            do {
                guard try resume.setText(input.text, at: input.path) else { throw APIError(field: Self.noSuchPassage) }
            } catch Resume.TextFieldError.tooLong(let max) {
                throw APIError(field: FieldError(input.path, .tooLong(max: max)))
            } catch Resume.TextFieldError.invalid(let english, let korean) {
                throw APIError(field: FieldError(input.path, .rule(english: english, korean: korean)))
            }
        }
        let version = try s.database.saveResume(resume, id: input.resumeId, memberID: member.id, expectedVersion: input.version,
                                                path: input.path, now: s.now)
        return .json(AcceptBody(version: version, path: input.path, line: resume.line(at: input.path) ?? Line(input.text)))
    }

    static func undo(_ s: Services, _ member: Member, _ input: Undo) throws -> FunctionResponse {
        let restored = try s.database.undoRevision(resumeID: input.resumeId, memberID: member.id, expectedVersion: input.version, now: s.now)
        return .json(UndoBody(version: restored.version, path: restored.path, resume: restored.resume))
    }

    static let noSuchPassage = FieldError("path", .rule(english: "names no part of this resume", korean: "이 이력서에 없는 위치입니다"))

    /// Not between the halves of a surrogate pair.
    static func isBoundary(_ units: [UInt16], _ i: Int) -> Bool {
        i == 0 || i == units.count || !(UTF16.isLeadSurrogate(units[i - 1]) && UTF16.isTrailSurrogate(units[i]))
    }
}
