import Foundation
import FunctionRuntime
import GitfolioCore
import GitfolioLLM
import GitfolioResume
import GitfolioStore

struct ReviseBody: Encodable {
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

public enum ReviseHandlers {
    /// `POST /api/revise` with `{"resumeId", "path", "start", "end", "instruction"}`: asks the model to
    /// rewrite only the selected span (UTF-16 offsets, as browsers give them) of one line, and answers
    /// the before/after. Nothing is saved: the editor saves the line if the member accepts it.
    ///
    /// `{"action": "accept", "resumeId", "path", "text", "version"}` saves a line (a rewrite the member
    /// accepted, or their own edit) if the resume is still at `version`, keeping the previous document;
    /// `{"action": "undo", "resumeId", "version"}` restores the document before the latest accepted change.
    public static let revise: ServiceHandler = { s, request, _ in
        try allow(request, "POST")
        try s.requireSameOrigin(request)
        let member = try s.requireMember(request)
        let fields = try JSONFields.object(from: try s.requireJSON(request))
        switch try fields.string("action", max: 10) {
        case "", "propose": break
        case "accept": return try accept(s, member, fields)
        case "undo": return try undo(s, member, fields)
        default: throw fields.invalid("action", "must be propose, accept or undo", "은(는) propose, accept, undo 중 하나여야 합니다")
        }
        try fields.allowOnly(["action", "resumeId", "path", "start", "end", "instruction"])
        let id = try resumeID(fields)
        guard let stored = try s.database.resumeDocument(id: id, memberID: member.id),
              let resume = try? JSONDecoder().decode(Resume.self, from: stored.document)
        else { throw APIError.resumeNotFound }
        let path = try fields.string("path", max: 100, required: true)
        guard let line = resume.line(at: path) else {
            throw fields.invalid("path", "names no passage of this resume", "은(는) 이 이력서에 없는 위치입니다")
        }
        let units = Array(line.text.utf16)
        guard let start = fields.values["start"] as? Int, let end = fields.values["end"] as? Int,
              start >= 0, start < end, end <= units.count, Self.isBoundary(units, start), Self.isBoundary(units, end)
        else {
            throw APIError(status: 400, code: "invalid_span",
                           message: "The selection must lie within the passage (0–\(units.count)) and not be empty. / 선택한 범위가 문장을 벗어났습니다.",
                           field: "start")
        }
        let span = String(decoding: units[start..<end], as: UTF16.self)
        let instruction = try fields.string("instruction", max: 500, required: true)
        guard let config = s.llm else { throw LLMConfig.notConfigured }

        let now = s.clock.now()
        let use = try s.database.chargeAIUse(memberID: member.id, kind: .revise, now: now)
        do {
            let ko = resume.language == .ko
            let system = """
            You edit one passage of a developer's resume. Rewrite only the marked span as the member asks, in \
            \(ko ? "Korean" : "English") unless they ask for another language. Keep every fact; do not add technologies, \
            numbers or claims that the passage and the resume do not contain. Answer {"replacement": "..."} with the new span only.
            """
            let marked = String(decoding: units[..<start], as: UTF16.self) + "«" + span + "»" + String(decoding: units[end...], as: UTF16.self)
            let user = "Passage: \(marked)\nRequest: \(instruction)\nTechnologies on the resume: \(resume.techStack.joined(separator: ", "))"
            let model = config.model(transport: s.transport)
            let answer = try await model.complete(system: system, user: user, schema: OutputSchema(name: "revision", schema: [
                "type": "object", "additionalProperties": false, "required": ["replacement"],
                "properties": ["replacement": ["type": "string", "maxLength": 2000]],
            ]))
            guard let replacement = (answer["replacement"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines),
                  !replacement.isEmpty, replacement.count <= 2000
            else { throw APIError.upstream("model_bad_output", "The model's rewrite was empty or too long. Please try again.") }
            let text = String(decoding: units[..<start], as: UTF16.self) + replacement + String(decoding: units[end...], as: UTF16.self)
            return .json(ReviseBody(path: path, start: start, end: end, before: span, after: replacement, text: text,
                                    version: stored.version, findings: Grounding(resume: resume).findings(in: replacement, at: path),
                                    aiUsesToday: try s.database.aiUses(memberID: member.id, on: Plans.day(of: now))))
        } catch {
            try? s.database.refundAIUse(id: use)
            throw error
        }
    }

    static func resumeID(_ fields: JSONFields) throws -> Int64 {
        guard let id = fields.values["resumeId"] as? Int else {
            throw fields.invalid("resumeId", "must be a resume id", "은(는) 이력서 번호여야 합니다")
        }
        return Int64(id)
    }

    static func version(_ fields: JSONFields) throws -> Int {
        guard let version = fields.values["version"] as? Int, version >= 1 else {
            throw fields.invalid("version", "must be the version you edited", "은(는) 편집한 이력서의 버전이어야 합니다")
        }
        return version
    }

    static func accept(_ s: Services, _ member: Member, _ fields: JSONFields) throws -> FunctionResponse {
        try fields.allowOnly(["action", "resumeId", "path", "text", "version"])
        let id = try resumeID(fields)
        guard let stored = try s.database.resumeDocument(id: id, memberID: member.id),
              var resume = try? JSONDecoder().decode(Resume.self, from: stored.document)
        else { throw APIError.resumeNotFound }
        let path = try fields.string("path", max: 100, required: true)
        let text = try fields.string("text", max: 2000, required: true)
        let expected = try version(fields)
        // A sentence (a line with its evidence), or a plain text field: the name, contact, tech stack,
        // a project's name or skills, the text of work, education and certificate entries.
        if resume.withLine(at: path, { line in line.text = text; line.needsInput = false }) == nil {
            do {
                guard try resume.setText(text, at: path) else {
                    throw fields.invalid("path", "names no passage of this resume", "은(는) 이 이력서에 없는 위치입니다")
                }
            } catch Resume.TextFieldError.tooLong(let max) {
                throw APIError(status: 400, code: "invalid_field", message: "\(path) may be at most \(max) characters (each name in a list). / 최대 \(max)자까지 쓸 수 있습니다.", field: path)
            } catch Resume.TextFieldError.invalid(let reason) {
                throw APIError(status: 400, code: "invalid_field", message: "\(path) \(reason). / 형식이 올바르지 않습니다.", field: path)
            }
        }
        let newVersion = try s.database.applyRevision(resumeID: id, memberID: member.id, expectedVersion: expected, path: path,
                                                      document: try JSONEncoder().encode(resume), now: s.clock.now())
        return .json(AcceptBody(version: newVersion, path: path, line: resume.line(at: path) ?? Line(text)))
    }

    static func undo(_ s: Services, _ member: Member, _ fields: JSONFields) throws -> FunctionResponse {
        try fields.allowOnly(["action", "resumeId", "version"])
        let restored = try s.database.undoRevision(resumeID: try resumeID(fields), memberID: member.id,
                                                   expectedVersion: try version(fields), now: s.clock.now())
        let resume = try JSONDecoder().decode(Resume.self, from: restored.document)
        return .json(UndoBody(version: restored.version, path: restored.path, resume: resume))
    }

    /// Not between the halves of a surrogate pair.
    static func isBoundary(_ units: [UInt16], _ i: Int) -> Bool {
        i == 0 || i == units.count || !(UTF16.isLeadSurrogate(units[i - 1]) && UTF16.isTrailSurrogate(units[i]))
    }
}
