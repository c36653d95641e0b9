import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioRender
import GitfolioResume
import GitfolioStore

/// The `resume` function: a member's resumes, one resume in all three templates, its PDF, and the
/// changes that are not a field's text (the template, the visibility). Text is edited through
/// `revise`'s accept action, one field at a time.
///
/// It lives apart from the other handlers so that only this executable links Pango and Cairo:
/// the other functions start without loading them.
public enum ResumeFunction {
    /// One renderer per process: fonts load on the first PDF, later ones are warm.
    static let renderer = PDFRenderer()

    struct ListBody: Encodable {
        var resumes: [ResumeSummary]
    }

    struct ResumeBody: Encodable {
        var id: Int64
        var version: Int
        var visibility: Visibility
        var resume: Resume
        /// The resume in each template, so the editor switches between them at once.
        var html: [String: String]
        /// The templates' stylesheet (one definition with the PDF).
        var css: String
        /// What each evidence id the resume cites is, in both languages, linked where it can be.
        var evidence: [String: EvidenceNote]
        /// Whether AI rewriting is set up on this server, so the editor says so before anyone tries.
        var ai: Bool
        /// Lines still in the other language after a change of language, for the editor to mark.
        var review: [String]
    }

    struct SavedBody: Encodable {
        var id: Int64
        var version: Int
        var resume: Resume
        var visibility: Visibility?
    }

    struct Update: Decodable {
        var id: Int64
        var version: Int
        var template: Template?
        var visibility: Visibility?
        var title: String?
        enum CodingKeys: String, CodingKey { case id, version, template, visibility, title }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(Int64.self, forKey: .id)
            version = try c.version(.version)
            if c.contains(.title) { title = try c.text(.title, max: 100, required: true) }
            if c.contains(.template) { template = try c.template(.template) }
            if c.contains(.visibility) {
                guard let value = Visibility(rawValue: try c.text(.visibility, max: 10)) else {
                    throw FieldError(c.path(.visibility), .oneOf(english: ["PUBLIC", "PRIVATE"], korean: ["PUBLIC(공개)", "PRIVATE(비공개)"]))
                }
                visibility = value
            }
        }
    }

    struct Removal: Decodable {
        var id: Int64
    }

    /// What a `POST` asks for: a copy of the example, or one of the member's resumes in the other language.
    enum Post: Decodable {
        case sample(Language)
        case language(id: Int64, version: Int, to: Language)
        enum CodingKeys: String, CodingKey { case action, language, id, version }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            switch try c.text(.action, max: 10, required: true) {
            case "sample": self = .sample(try c.language(.language))
            case "language": self = .language(id: try c.decode(Int64.self, forKey: .id), version: try c.version(.version), to: try c.language(.language))
            default: throw FieldError(c.path(.action), .oneOf(english: ["sample", "language"], korean: ["sample", "language"]))
            }
        }
    }

    struct SwitchedBody: Encodable {
        var id: Int64
        var version: Int
        var resume: Resume
        /// Lines kept as the member wrote them, still in the other language: theirs (or revise's) to translate.
        var review: [String]
    }

    /// `GET /api/resume`: the member's resumes. `GET /api/resume?id=N`: one, with its HTML in every
    /// template. `GET /api/resume?id=N&format=pdf`: its PDF, as a download; `format=png`: a thumbnail
    /// of its first page (`width` pixels, 120 to 600, 240 by default).
    /// `PUT /api/resume` with `{"id", "version", "template"?, "visibility"?}`: a template change is
    /// saved if the resume is still at `version` and can be undone like an accepted revision;
    /// PUBLIC puts the resume, its PDF and thumbnail on the next site build (refused, 409
    /// `example_unchanged`, for a copy of the example nobody has changed).
    /// `POST /api/resume` with `{"action": "sample", "language"}`: a copy of the built-in example (a
    /// made-up developer, whole: nobody's profile mixed with another's projects), to try the editor
    /// without GitHub or an AI use; an untouched copy the member already has is opened again (200)
    /// rather than a new identical one made (201).
    /// `POST /api/resume` with `{"action": "language", "id", "version", "language"}`: the resume in the
    /// other language from the evidence it was generated from, with no model and no AI use: lines the
    /// writer made are written again, lines the member wrote are kept and listed in `review`; saved if
    /// the resume is still at `version`, and undone like any change.
    /// `DELETE /api/resume` with `{"id"}`: deletes the resume (with its likes, comments and views).
    /// Withdrawing or deleting a public resume removes its files from the built site in the same request.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("GET", "PUT", "POST", "DELETE")
        if request.method != "GET" {
            try s.config.requireSameOrigin(request)
            let member = try s.requireMember(request)
            switch request.method {
            case "PUT": return try update(s, member, try request.decodeBody(Update.self))
            case "DELETE":
                let id = try request.decodeBody(Removal.self).id
                try s.database.deleteResume(id: id, memberID: member.id)
                PublicFiles.remove(resumes: [id], config: s.config)
                return .json(["deleted": true] as JSONValue)
            default:
                switch try request.decodeBody(Post.self) {
                case .sample(let language): return try createSample(s, member, language)
                case .language(let id, let version, let language): return try switchLanguage(s, member, id: id, version: version, to: language)
                }
            }
        }
        let member = try s.requireMember(request)
        guard let rawID = request.query("id") else {
            return .json(ListBody(resumes: try s.database.resumes(memberID: member.id)))
        }
        guard let id = Int64(rawID), id > 0 else { throw APIError(field: FieldError("id", .wrongType(expected: .number))) }
        let stored = try s.database.resume(id: id, memberID: member.id)
        switch request.query("format") ?? "json" {
        case "json":
            var html: [String: String] = [:]
            for template in Template.allCases {
                var copy = stored.resume
                copy.template = template
                html[template.rawValue] = HTMLRenderer.fragment(copy)
            }
            let ai = (try? s.languageModel()) != nil
            return .json(ResumeBody(id: id, version: stored.version, visibility: stored.visibility, resume: stored.resume, html: html,
                                    css: HTMLRenderer.allStylesheets, evidence: stored.resume.evidenceNotes(), ai: ai,
                                    review: stored.resume.linesNeedingReview))
        case "pdf":
            var copy = stored.resume
            if let raw = request.query("template") {
                guard let template = Template(rawValue: raw) else {
                    throw APIError(field: FieldError("template", .oneOf(english: ["BASIC", "STAR", "GITFOLIO"], korean: ["BASIC", "STAR", "GITFOLIO"])))
                }
                copy.template = template
            }
            return FunctionResponse(statusCode: 200, headers: [
                "content-type": "application/pdf",
                "content-disposition": "attachment; filename=\"resume-\(id).pdf\"; filename*=UTF-8''\(fileName(stored.resume))",
                "cache-control": "private, no-store",
                "x-content-type-options": "nosniff",
            ], body: Array(renderer.pdf(copy)))
        case "png":
            let width = Int(request.query("width") ?? "240") ?? 240
            guard (120...600).contains(width) else {
                throw APIError(field: FieldError("width", .rule(english: "must be between 120 and 600", korean: "120에서 600 사이여야 합니다")))
            }
            return FunctionResponse(statusCode: 200, headers: [
                "content-type": "image/png",
                "cache-control": "private, max-age=86400",
                "x-content-type-options": "nosniff",
            ], body: Array(renderer.thumbnail(stored.resume, width: width)))
        default:
            throw APIError(field: FieldError("format", .oneOf(english: ["json", "pdf", "png"], korean: ["json", "pdf", "png"])))
        }
    }

    static func update(_ s: Services, _ member: Member, _ input: Update) throws -> FunctionResponse {
        guard input.template != nil || input.visibility != nil || input.title != nil else {
            throw APIError.badRequest("nothing_to_change", "Send a template, a visibility or a title to change.",
                                      korean: "바꿀 템플릿, 공개 여부 또는 제목을 보내 주세요.")
        }
        var stored = try s.database.resume(id: input.id, memberID: member.id)
        // Refused before anything in the request is saved (a template or title sent with it stays unchanged).
        if input.visibility == .public, stored.resume == Resume.sample(stored.resume.language, template: stored.resume.template) {
            // Nobody's resume: the hub would fill with copies of one made-up person.
            throw APIError.conflict("example_unchanged",
                                    "This is the example resume exactly as it came. Make it yours first (edit a sentence, or generate one from your repositories), then publish it.",
                                    korean: "예시 이력서를 그대로 공개할 수는 없습니다. 문장을 고치거나 내 저장소로 이력서를 만든 뒤 공개해 주세요.")
        }
        // The template goes through the version check (and the undo history) of every document change.
        var version = input.version
        if let template = input.template {
            stored.resume.template = template
            version = try s.database.saveResume(stored.resume, id: input.id, memberID: member.id, expectedVersion: input.version,
                                                path: "template", now: s.now)
        }
        if let title = input.title {
            try s.database.renameResume(id: input.id, memberID: member.id, title: title, now: s.now)
        }
        if let visibility = input.visibility {
            try s.database.setVisibility(visibility, resumeID: input.id, memberID: member.id, now: s.now)
            if visibility == .private { PublicFiles.remove(resumes: [input.id], config: s.config) }
        }
        return .json(SavedBody(id: input.id, version: version, resume: stored.resume, visibility: input.visibility))
    }

    static func createSample(_ s: Services, _ member: Member, _ language: Language) throws -> FunctionResponse {
        let resume = Resume.sample(language)
        for summary in try s.database.resumes(memberID: member.id) where summary.language == language.rawValue {
            let stored = try s.database.resume(id: summary.id, memberID: member.id)
            var document = stored.resume
            document.template = resume.template
            if document == resume {
                return .json(SavedBody(id: summary.id, version: stored.version, resume: stored.resume, visibility: stored.visibility))
            }
        }
        let title = language == .ko ? "예시 이력서 (\(resume.profile.name))" : "Example resume (\(resume.profile.name))"
        let id = try s.database.createResume(memberID: member.id, title: title, resume: resume, now: s.now)
        return .json(SavedBody(id: id, version: 1, resume: resume), status: 201)
    }

    static func switchLanguage(_ s: Services, _ member: Member, id: Int64, version: Int, to language: Language) throws -> FunctionResponse {
        let stored = try s.database.resume(id: id, memberID: member.id)
        guard stored.resume.language != language else {
            // Already there (a second click): nothing to save.
            return .json(SwitchedBody(id: id, version: stored.version, resume: stored.resume, review: stored.resume.linesNeedingReview))
        }
        let switched: Resume
        let evidence = try s.database.resumeEvidence(id: id, memberID: member.id)
        if evidence.isEmpty {
            // Not generated here (a copy of the example, an import): the example, which exists in both
            // languages, is what a member may have left untouched.
            let template = stored.resume.template
            switched = stored.resume.switchingLanguage(to: language, made: Resume.sample(stored.resume.language, template: template),
                                                       remade: Resume.sample(language, template: template))
        } else {
            switched = stored.resume.switchingLanguage(to: language, evidence: evidence)
        }
        let saved = try s.database.saveResume(switched, id: id, memberID: member.id, expectedVersion: version, path: "language", now: s.now)
        return .json(SwitchedBody(id: id, version: saved, resume: switched, review: switched.linesNeedingReview))
    }

    /// `홍길동-resume.pdf`, percent-encoded for `filename*` (RFC 6266).
    static func fileName(_ resume: Resume) -> String {
        let base = resume.profile.name.isEmpty ? "resume" : "\(resume.profile.name.prefix(40))-resume"
        return PercentEncoding.encode(base + ".pdf")
    }

    /// The `resume` function with live services.
    public static let live = liveHandler(handler)
}
