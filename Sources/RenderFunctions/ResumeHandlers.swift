import Foundation
import FunctionRuntime
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
public enum ResumeHandlers {
    /// One renderer per process: fonts load on the first PDF, later ones are warm.
    static let renderer = PDFRenderer()

    struct ListBody: Encodable {
        var resumes: [ResumeSummary]
    }

    struct ResumeBody: Encodable {
        var id: Int64
        var version: Int
        var resume: Resume
        /// The resume in each template, so the editor switches between them at once.
        var html: [String: String]
        /// The templates' stylesheet (one definition with the PDF).
        var css: String
    }

    /// `GET /api/resume`: the member's resumes. `GET /api/resume?id=N`: one, with its HTML in every
    /// template. `GET /api/resume?id=N&format=pdf`: its PDF, as a download.
    /// `PUT /api/resume` with `{"id", "version", "template"?, "visibility"?}`: a template change is
    /// saved if the resume is still at `version` and can be undone like an accepted revision;
    /// PUBLIC puts the resume, its PDF and thumbnail on the next site build.
    /// `POST /api/resume` with `{"action": "sample", "language"}`: a new resume from the built-in
    /// example with the member's own profile, to try the editor without GitHub or an AI use.
    public static let resume: ServiceHandler = { s, request, _ in
        try allow(request, "GET", "PUT", "POST")
        if request.method == "PUT" || request.method == "POST" {
            try s.requireSameOrigin(request)
            let member = try s.requireMember(request)
            let fields = try JSONFields.object(from: try s.requireJSON(request))
            return request.method == "PUT" ? try update(s, member, fields) : try createSample(s, member, fields)
        }
        let member = try s.requireMember(request)
        guard let rawID = request.queryStringParameters["id"] else {
            return .json(ListBody(resumes: try s.database.resumes(memberID: member.id)))
        }
        guard let id = Int64(rawID), id > 0 else {
            throw APIError(status: 400, code: "invalid_field", message: "id must be a resume id. / id는 이력서 번호여야 합니다.", field: "id")
        }
        let (resume, version) = try load(s, member, id)
        switch request.queryStringParameters["format"] ?? "json" {
        case "json":
            var html: [String: String] = [:]
            for template in Template.allCases {
                var copy = resume
                copy.template = template
                html[template.rawValue] = HTMLRenderer.fragment(copy)
            }
            return .json(ResumeBody(id: id, version: version, resume: resume, html: html, css: HTMLRenderer.allStylesheets))
        case "pdf":
            var copy = resume
            if let raw = request.queryStringParameters["template"] {
                guard let template = Template(rawValue: raw) else {
                    throw APIError(status: 400, code: "invalid_field", message: "template must be BASIC, STAR or GITFOLIO. / 템플릿은 BASIC, STAR, GITFOLIO 중 하나입니다.", field: "template")
                }
                copy.template = template
            }
            let pdf = renderer.pdf(copy)
            let name = fileName(resume)
            return FunctionResponse(statusCode: 200, headers: [
                "content-type": "application/pdf",
                "content-disposition": "attachment; filename=\"resume-\(id).pdf\"; filename*=UTF-8''\(name)",
                "cache-control": "private, no-store",
            ], body: pdf.base64EncodedString(), isBase64Encoded: true)
        case let other:
            throw APIError(status: 400, code: "invalid_field", message: "format must be json or pdf, not \(other.prefix(20)). / format은 json 또는 pdf입니다.", field: "format")
        }
    }

    struct SavedBody: Encodable {
        var id: Int64
        var version: Int
        var resume: Resume
        var visibility: String?
    }

    static func update(_ s: Services, _ member: Member, _ fields: JSONFields) throws -> FunctionResponse {
        try fields.allowOnly(["id", "version", "template", "visibility"])
        guard let rawID = fields.values["id"] as? Int, rawID > 0 else {
            throw fields.invalid("id", "must be a resume id", "은(는) 이력서 번호여야 합니다")
        }
        guard let version = fields.values["version"] as? Int, version >= 1 else {
            throw fields.invalid("version", "must be the version you loaded", "은(는) 불러온 버전 번호여야 합니다")
        }
        let id = Int64(rawID)
        var (resume, _) = try load(s, member, id)
        var visibility: String?
        if fields.has("visibility") {
            guard let value = fields.values["visibility"] as? String, value == "PUBLIC" || value == "PRIVATE" else {
                throw fields.invalid("visibility", "must be PUBLIC or PRIVATE", "은(는) PUBLIC 또는 PRIVATE여야 합니다")
            }
            visibility = value
        }
        var template: Template?
        if fields.has("template") {
            guard let value = (fields.values["template"] as? String).flatMap(Template.init(rawValue:)) else {
                throw fields.invalid("template", "must be BASIC, STAR or GITFOLIO", "은(는) BASIC, STAR, GITFOLIO 중 하나여야 합니다")
            }
            template = value
        }
        guard template != nil || visibility != nil else {
            throw APIError(status: 400, code: "nothing_to_change",
                           message: "Send template or visibility to change. / 바꿀 항목(template, visibility)을 보내세요.")
        }
        // The template goes through the version check (and the undo history) of every document change.
        var newVersion = version
        if let template {
            resume.template = template
            newVersion = try s.database.applyRevision(resumeID: id, memberID: member.id, expectedVersion: version,
                                                      path: "template", document: try encode(resume), now: s.clock.now())
        }
        if let visibility {
            try s.database.setResumeVisibility(id: id, memberID: member.id, visibility: visibility, now: s.clock.now())
        }
        return .json(SavedBody(id: id, version: newVersion, resume: resume, visibility: visibility))
    }

    static func createSample(_ s: Services, _ member: Member, _ fields: JSONFields) throws -> FunctionResponse {
        try fields.allowOnly(["action", "language"])
        guard try fields.string("action", max: 10) == "sample" else {
            throw fields.invalid("action", "must be sample", "은(는) sample이어야 합니다")
        }
        let rawLanguage = try fields.string("language", max: 2)
        guard let language = Language(rawValue: rawLanguage.isEmpty ? "ko" : rawLanguage) else {
            throw fields.invalid("language", "must be ko or en", "은(는) ko 또는 en이어야 합니다")
        }
        var resume = Resume.sample(language)
        if let profile = try s.database.profile(memberID: member.id), !profile.name.isEmpty {
            resume.profile = profile
        }
        let title = language == .ko ? "예시 이력서" : "Example resume"
        let id = try s.database.createResume(memberID: member.id, title: title, template: resume.template.rawValue, language: language.rawValue,
                                             jobRole: resume.profile.jobRole?.rawValue, document: try encode(resume), now: s.clock.now())
        return .json(SavedBody(id: id, version: 1, resume: resume), status: 201)
    }

    static func encode(_ resume: Resume) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(resume)
    }

    static func load(_ s: Services, _ member: Member, _ id: Int64) throws -> (Resume, Int) {
        guard let stored = try s.database.resumeDocument(id: id, memberID: member.id),
              let resume = try? JSONDecoder().decode(Resume.self, from: stored.document)
        else { throw APIError.resumeNotFound }
        return (resume, stored.version)
    }

    /// `홍길동-resume.pdf`, percent-encoded for `filename*` (RFC 6266).
    static func fileName(_ resume: Resume) -> String {
        let base = resume.profile.name.isEmpty ? "resume" : "\(resume.profile.name.prefix(40))-resume"
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
        return (base + ".pdf").addingPercentEncoding(withAllowedCharacters: allowed) ?? "resume.pdf"
    }
}

extension Functions {
    /// The `resume` function with live services.
    public static let resume = liveHandler(ResumeHandlers.resume)
}
