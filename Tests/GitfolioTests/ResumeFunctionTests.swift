import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioRender
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import RenderFunctions
import Testing

@Suite struct ResumeFunctionTests {
    /// A member with the Korean sample resume stored.
    func setup() throws -> (Harness, Member, String, Int64) {
        let h = try Harness()
        let (member, cookie) = try h.signedInMember()
        var resume = Resume.sample(.ko)
        resume.template = .gitfolio
        let id = try h.database.createResume(memberID: member.id, title: "백엔드 이력서", resume: resume, now: Date())
        return (h, member, cookie, id)
    }

    @Test func listsAndOpensOwnResumesInAllTemplates() async throws {
        let (h, _, cookie, id) = try setup()
        defer { h.dir.remove() }
        let list = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", cookie: cookie))
        #expect(list.statusCode == 200)
        let resumes = try #require(list.json?["resumes"] as? [[String: Any]])
        #expect(resumes.count == 1 && resumes[0]["title"] as? String == "백엔드 이력서" && resumes[0]["version"] as? Int == 1)
        #expect((resumes[0]["updatedAt"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) } != nil)

        let one = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)", cookie: cookie))
        #expect(one.statusCode == 200)
        let json = try #require(one.json)
        let html = try #require(json["html"] as? [String: String])
        #expect(Set(html.keys) == ["BASIC", "STAR", "GITFOLIO"])
        #expect(html["STAR"]!.contains("data-path=\"projects[0].star.result\""))
        #expect(html["GITFOLIO"]!.contains("data-path=\"projects[0].troubleshooting[0].problem\""))
        #expect((json["css"] as? String)?.contains(".gf-star") == true)
        #expect(json["version"] as? Int == 1)
    }

    @Test func downloadsThePDF() async throws {
        let (h, _, cookie, id) = try setup()
        defer { h.dir.remove() }
        let response = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)&format=pdf&template=STAR", cookie: cookie))
        #expect(response.statusCode == 200)
        #expect(response.headers["content-type"] == "application/pdf")
        let disposition = try #require(response.headers["content-disposition"])
        #expect(disposition.hasPrefix("attachment; filename=\"resume-\(id).pdf\""))
        #expect(disposition.contains("filename*=UTF-8''%EA%B9%80%ED%95%98%EB%8A%98-resume.pdf"))  // 김하늘
        #expect(disposition.unicodeScalars.allSatisfy { $0.isASCII })
        #expect(String(validating: response.body, as: UTF8.self) == nil, "binary, so the payload form carries it as base64")
        let pdf = Data(response.body)
        #expect(pdf.starts(with: Data("%PDF-".utf8)))
        let text = try await poppler("pdftotext", [], pdf: pdf)
        #expect(text.contains("상황") && !text.contains("트러블슈팅"), "the STAR template was asked for")
    }

    @Test func switchesTemplateWithVersionsAndUndo() async throws {
        let (h, member, cookie, id) = try setup()
        defer { h.dir.remove() }
        let put = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie,
                                                              json: #"{"id":\#(id),"version":1,"template":"STAR"}"#))
        #expect(put.statusCode == 200, "\(put.body)")
        #expect(put.json?["version"] as? Int == 2)
        let resume = try h.database.resume(id: id, memberID: member.id).resume
        #expect(resume.template == .star)
        #expect(try h.database.resumes(memberID: member.id).first?.template == "STAR", "the indexed column follows the document")

        // A second tab still at version 1 is refused and changes nothing.
        let stale = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"template":"BASIC"}"#))
        #expect(stale.statusCode == 409 && stale.errorCode == "version_conflict")
        #expect(try h.database.resume(id: id, memberID: member.id).version == 2)

        // The change is undone like an accepted revision.
        let undo = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: #"{"action":"undo","resumeId":\#(id),"version":2}"#))
        #expect(undo.statusCode == 200, "\(undo.body)")
        let restored = try h.database.resume(id: id, memberID: member.id).resume
        #expect(restored.template == .gitfolio)
        #expect(try h.database.resumes(memberID: member.id).first?.template == "GITFOLIO")
    }

    @Test func plainFieldsAreEditedInPlaceToo() async throws {
        let (h, member, cookie, id) = try setup()
        defer { h.dir.remove() }
        func accept(_ path: String, _ text: String, version: Int) async -> FunctionResponse {
            let body = try! JSONSerialization.data(withJSONObject: ["action": "accept", "resumeId": id, "path": path, "text": text, "version": version])
            return await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie, json: String(decoding: body, as: UTF8.self)))
        }
        let edits: [(String, String)] = [
            ("profile.name", "김하늘 (Haneul)"), ("techStack", "Swift, Go · Rust"), ("projects[1].name", "settlement-batch"),
            ("projects[0].skills", "Java, Spring Boot"), ("profile.workExperience[0].title", "시니어 백엔드 개발자"),
            ("profile.education[0].major", "소프트웨어학"), ("profile.certificates[0].issuer", "HRDK"), ("profile.email", "sky@example.com"),
        ]
        for (n, (path, text)) in edits.enumerated() {
            let response = await accept(path, text, version: n + 1)
            #expect(response.statusCode == 200, "\(path): \(response.bodyText)")
        }
        let resume = try h.database.resume(id: id, memberID: member.id).resume
        #expect(resume.profile.name == "김하늘 (Haneul)" && resume.techStack == ["Swift", "Go", "Rust"])
        #expect(resume.projects[1].name == "settlement-batch" && resume.projects[0].skills == ["Java", "Spring Boot"])
        #expect(resume.profile.workExperience[0].title == "시니어 백엔드 개발자" && resume.profile.education[0].major == "소프트웨어학")
        #expect(resume.profile.certificates[0].issuer == "HRDK" && resume.profile.email == "sky@example.com")
        let html = HTMLRenderer.fragment(resume)
        for (path, _) in edits { #expect(html.contains("data-path=\"\(path)\""), "\(path) is not editable on the page") }

        // Refused, naming the field, and nothing changes.
        let version = edits.count + 1
        let before = try h.database.resume(id: id, memberID: member.id)
        for (path, text, code) in [("profile.email", "not-an-email", "invalid_field"), ("profile.phone", "call me maybe", "invalid_field"), ("profile.name", String(repeating: "가", count: 51), "invalid_field"),
                                   ("techStack", String(repeating: "x", count: 41), "invalid_field"), ("profile.plan", "PRO", "invalid_field"),
                                   ("projects[9].name", "x", "invalid_field")] {
            let response = await accept(path, text, version: version)
            #expect(response.statusCode == 400 && response.errorCode == code, "\(path): \(response.bodyText)")
            #expect((response.json?["error"] as? [String: Any])?["field"] as? String == (path.hasPrefix("profile.plan") || path.hasPrefix("projects[9]") ? "path" : path))
        }
        #expect(try h.database.resume(id: id, memberID: member.id) == before)
    }

    @Test func publishesAndHidesWithoutANewVersion() async throws {
        let (h, member, cookie, id) = try setup()
        defer { h.dir.remove() }
        // The example exactly as it came is nobody's resume: not for the hub.
        let example = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"visibility":"PUBLIC"}"#))
        #expect(example.statusCode == 409 && example.errorCode == "example_unchanged")
        #expect(try h.database.publicResumes().isEmpty)
        // Refused whole: a title sent with it is not saved either.
        let titled = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie,
                                                                 json: #"{"id":\#(id),"version":1,"visibility":"PUBLIC","title":"Mine"}"#))
        #expect(titled.statusCode == 409 && titled.errorCode == "example_unchanged")
        #expect(try h.database.resumes(memberID: member.id).first?.title != "Mine")
        let edit = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
                                                               json: #"{"action":"accept","resumeId":\#(id),"path":"aboutMe","text":"제 소개입니다.","version":1}"#))
        #expect(edit.statusCode == 200)
        let put = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":2,"visibility":"PUBLIC"}"#))
        #expect(put.statusCode == 200 && put.json?["visibility"] as? String == "PUBLIC" && put.json?["version"] as? Int == 2)
        #expect(try h.database.resume(id: id, memberID: member.id).version == 2, "publishing makes no new version")
        #expect(try h.database.publicResumes().map(\.id) == [id])
        #expect(try h.database.resumes(memberID: member.id).first?.visibility == "PUBLIC")
        let bad = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"visibility":"FRIENDS"}"#))
        #expect(bad.statusCode == 400 && bad.errorCode == "invalid_field")
        let hide = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"visibility":"PRIVATE"}"#))
        #expect(hide.statusCode == 200)
        #expect(try h.database.publicResumes().isEmpty)
    }

    @Test func startsFromTheWholeExampleOnceAndOpensTheSameCopyAgain() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, cookie) = try h.signedInMember()
        _ = try h.database.replaceProfile(memberID: member.id, with: Profile(name: "앨리스", email: "alice@example.com"), now: Date())
        let created = await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: #"{"action":"sample","language":"en"}"#))
        #expect(created.statusCode == 201, "\(created.body)")
        let id = try #require(created.json?["id"] as? Int)
        let resume = try h.database.resume(id: Int64(id), memberID: member.id).resume
        // The example is one made-up person throughout: not the member's name over someone else's projects.
        #expect(resume == Resume.sample(.en) && resume.profile.name == "Haneul Kim" && resume.projects.count == 3)
        #expect(try h.database.resumes(memberID: member.id).first?.title == "Example resume (Haneul Kim)")
        #expect(try h.database.aiUses(memberID: member.id, on: Plans.day(of: Date())) == 0, "the example costs no AI use")

        // Asking again opens the untouched copy instead of adding an identical one, whatever its template.
        let sw = await h.call(ResumeFunction.handler, browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"template":"STAR"}"#))
        #expect(sw.statusCode == 200)
        let again = await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: #"{"action":"sample","language":"en"}"#))
        #expect(again.statusCode == 200 && again.json?["id"] as? Int == id)
        #expect(try h.database.resumes(memberID: member.id).count == 1)
        // Once edited, the copy is the member's own: a new example is a new copy. Korean is another copy.
        let edit = await h.call(ReviseFunction.handler, browser("POST", "/api/revise", cookie: cookie,
            json: #"{"action":"accept","resumeId":\#(id),"path":"aboutMe","text":"Mine now.","version":2}"#))
        #expect(edit.statusCode == 200, "\(edit.body)")
        let third = await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: #"{"action":"sample","language":"en"}"#))
        #expect(third.statusCode == 201 && third.json?["id"] as? Int != id)
        let korean = await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: #"{"action":"sample","language":"ko"}"#))
        #expect(korean.statusCode == 201)
        #expect(try h.database.resumes(memberID: member.id).count == 3)

        let bad = await h.call(ResumeFunction.handler, browser("POST", "/api/resume", cookie: cookie, json: #"{"action":"sample","language":"fr"}"#))
        #expect(bad.statusCode == 400 && bad.errorCode == "invalid_field")
    }

    @Test func thumbnailOfTheFirstPage() async throws {
        let (h, _, cookie, id) = try setup()
        defer { h.dir.remove() }
        let response = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)&format=png&width=240", cookie: cookie))
        #expect(response.statusCode == 200 && response.headers["content-type"] == "image/png")
        #expect(Array(response.body.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // Width 240: the PNG's IHDR says so.
        let width = response.body[16..<20].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 240)
        let tooWide = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)&format=png&width=5000", cookie: cookie))
        #expect(tooWide.statusCode == 400 && tooWide.errorKorean == "미리보기 너비는 120에서 600 사이여야 합니다.")
    }

    @Test func editorGetsReadableEvidenceAndWhetherAIIsThere() async throws {
        let (h, _, cookie, id) = try setup()
        defer { h.dir.remove() }
        let one = await h.call(ResumeFunction.handler, browser("GET", "/api/resume", query: "id=\(id)", cookie: cookie))
        let json = try #require(one.json)
        #expect(json["ai"] as? Bool == false, "the harness configures no model")
        let evidence = try #require(json["evidence"] as? [String: [String: String]])
        #expect(evidence["market-api:file:build.gradle"] == ["en": "build.gradle in market-api", "ko": "market-api의 build.gradle 파일",
                                                             "url": "https://github.com/haneul-kim/market-api/blob/HEAD/build.gradle"])
        #expect(evidence["market-api:pr:58"]?["url"] == "https://github.com/haneul-kim/market-api/pull/58")
        #expect(evidence["settle-batch:commits"]?["ko"] == "settle-batch의 커밋 기록")
    }

    @Test func badInputAndOtherMembersResumesChangeNothing() async throws {
        let (h, member, cookie, id) = try setup()
        defer { h.dir.remove() }
        let (_, otherCookie) = try h.signedInMember("mallory")
        let cases: [(FunctionRequest, Int, String)] = [
            (browser("GET", "/api/resume", query: "id=\(id)", cookie: otherCookie), 404, "resume_not_found"),
            (browser("GET", "/api/resume", query: "id=\(id)&format=pdf", cookie: otherCookie), 404, "resume_not_found"),
            (browser("PUT", "/api/resume", cookie: otherCookie, json: #"{"id":\#(id),"version":1,"template":"STAR"}"#), 404, "resume_not_found"),
            (browser("GET", "/api/resume", query: "id=\(id)"), 401, "unauthorized"),
            (browser("GET", "/api/resume", query: "id=abc", cookie: cookie), 400, "invalid_field"),
            (browser("GET", "/api/resume", query: "id=\(id)&format=docx", cookie: cookie), 400, "invalid_field"),
            (browser("GET", "/api/resume", query: "id=\(id)&format=pdf&template=FANCY", cookie: cookie), 400, "invalid_field"),
            (browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"template":"FANCY"}"#), 400, "invalid_field"),
            (browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"techStack":["Swift"]}"#), 400, "unknown_field"),
            (browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"plan":"PRO"}"#), 400, "unknown_field"),
            (browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1}"#), 400, "nothing_to_change"),
            (browser("PUT", "/api/resume", cookie: cookie, json: #"{"id":\#(id),"version":1,"template":"STAR"}"#, origin: "https://evil.example"), 403, "cross_site_request"),
            (browser("DELETE", "/api/resume", cookie: otherCookie, json: #"{"id":\#(id)}"#), 404, "resume_not_found"),
            (browser("PATCH", "/api/resume", query: "id=\(id)", cookie: cookie), 405, "method_not_allowed"),
        ]
        let before = try h.database.resume(id: id, memberID: member.id)
        for (request, status, code) in cases {
            let response = await h.call(ResumeFunction.handler, request)
            #expect(response.statusCode == status && response.errorCode == code, "\(request.method) \(request.rawQuery): \(response.bodyText)")
        }
        #expect(try h.database.resume(id: id, memberID: member.id) == before)
        #expect(try h.database.resume(id: id, memberID: member.id).version == 1)
    }
}
