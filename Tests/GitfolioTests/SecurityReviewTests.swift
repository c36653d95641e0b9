import Foundation
import FunctionCore
import GitfolioCore
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import SiteBuilder
import Testing

/// Part of the security review (docs/RELIABILITY.md): an XSS corpus through every text field that
/// reaches a built page — the resume pages (three templates, both languages), the hub's pages and
/// index, the home page — and the PDF. Every string of the document, the title and the member's name
/// carry a payload; no output may hold one as markup, no link may carry a script URL, and the PDF
/// has no script action.
@Suite struct SecurityReviewTests {
    /// Payloads that break out of text, attributes, `<script>` and `<style>` blocks and URLs.
    static let corpus = [
        "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "'><svg onload=alert(1)>", "</title><script>alert(1)</script>",
        "</style><script>alert(1)</script>", "</script><script>alert(1)</script>", "<iframe srcdoc=\"<script>alert(1)</script>\">",
        "\" onmouseover=\"alert(1)", "<a href=\"javascript:alert(1)\">x</a>", "{{constructor.constructor('alert(1)')()}}",
        "&lt;script&gt;alert(1)&lt;/script&gt;", "\u{2028}<!--<script>", "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    ]
    /// Keys whose values are enumerations or dates the document checks: left as they are.
    static let kept: Set<String> = ["language", "template", "start", "end", "acquired", "evidence", "jobRole", "schoolType", "status", "workType", "employment"]

    /// The document with every free string replaced by a payload (and a marker `xf<n>` to find it).
    static func hostile(_ resume: Resume) throws -> (Resume, markers: [String]) {
        var n = 0
        var markers: [String] = []
        func walk(_ value: JSONValue, key: String?) -> JSONValue {
            switch value {
            case .object(let members): return .object(members.reduce(into: [:]) { $0[$1.key] = walk($1.value, key: $1.key) })
            case .array(let items): return .array(items.map { walk($0, key: key) })
            case .string where !kept.contains(key ?? ""):
                n += 1
                let marker = "xf\(n)q"
                markers.append(marker)
                if key == "repository" || key == "avatarURL" { return .string("javascript:alert(\(n))//\(marker)") }
                return .string(corpus[n % corpus.count] + marker)
            default: return value
            }
        }
        let document = try JSONValue.parse(JSONValue.serialize(resume))
        return (try walk(document, key: nil).decode(Resume.self), markers)
    }

    /// Markup a payload would leave in an HTML page if it were not escaped.
    static let dangerous = [
        #"<script>alert"#, #"<img src=x"#, #"<svg onload"#, #"<iframe"#, #"onmouseover="alert"#, #"href="javascript:"#,
        #"src="javascript:"#, #"<mglyph"#, #"</title><script"#,
    ]

    @Test func noPayloadSurvivesAsMarkupInAnyBuiltFileOrThePDF() async throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        var ids: [Int64] = []
        var shown: [Int64: [String]] = [:]  // markers of the fields every resume page shows
        var cookies: [Int64: String] = [:]
        func marker(_ text: String) -> String { text.range(of: #"xf[0-9]+q"#, options: .regularExpression).map { String(text[$0]) } ?? "none" }
        for (i, (language, template)) in [(Language.ko, Template.gitfolio), (.en, .star), (.ko, .basic)].enumerated() {
            let member = try f.database.upsertLocalMember(login: "m\(i)", name: "\"><img src=x onerror=alert(\(i))>", now: Date())
            let (resume, _) = try Self.hostile(Resume.sample(language, template: template))
            let id = try f.database.createResume(memberID: member.id, title: "</title><script>alert(\(i))</script>", resume: resume, now: Date())
            try f.database.setVisibility(.public, resumeID: id, memberID: member.id, now: Date())
            _ = try f.database.addComment(resumeID: id, memberID: member.id, anchor: nil, body: "<script>alert('c')</script>", now: Date())
            ids.append(id)
            shown[id] = [marker(resume.profile.name), marker(resume.aboutMe.text), marker(resume.projects[0].name),
                         marker(resume.projects[0].bullets[0].text), marker(resume.techStack[0])]
            let token = Secrets.randomToken()
            try f.database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
            cookies[id] = "gitfolio_session=\(token)"
        }
        _ = try f.build()

        // Every built page (resume pages, hub pages, the home page). The JSON files (hub/index.json)
        // hold the text as data, served as application/json with nosniff; the hub's script puts it
        // into the page as text (textContent), never as markup.
        let files = try FileManager.default.subpathsOfDirectory(atPath: f.out.path)
        var checked = 0
        for path in files where path.hasSuffix(".html") {
            let text = try String(contentsOf: f.out.appendingPathComponent(path), encoding: .utf8)
            checked += 1
            for pattern in Self.dangerous {
                #expect(!text.localizedCaseInsensitiveContains(pattern), "\(path) holds \(pattern)")
            }
        }
        #expect(checked >= 10)
        for id in ids {
            // The payloads did reach the page, as text: the name, the about-me, a project, a bullet, a technology.
            for language in ["", "en/"] {
                let page = try f.page("\(language)resumes/\(id).html")
                for marker in shown[id]! { #expect(page.contains(marker), "\(language)resumes/\(id).html lacks \(marker)") }
                #expect(page.contains("&lt;/title&gt;&lt;script&gt;alert(") || !page.contains("alert(\(ids.firstIndex(of: id)!))</script>"))
            }
        }
        // The editor puts the `resume` function's HTML of each template into the page (innerHTML): the
        // same escaping holds there.
        let environment = ["GITFOLIO_DB": f.dir.path("g.sqlite"), "GITFOLIO_SECRET_FILE": f.dir.path("secret.key"), "PATH": "/usr/bin:/bin",
                           "GITFOLIO_PUBLIC_URL": "http://127.0.0.1:8080"]
        let requests = ids.map {
            FunctionRequest(method: "GET", path: "/api/resume", query: "id=\($0)", headers: ["cookie": cookies[$0]!, "host": "127.0.0.1:8080"])
        }
        let answers = try await FunctionProcesses.warm("resume", environment: environment, events: requests.map(FunctionProcesses.line)).responses
        for (id, answer) in zip(ids, answers) {
            #expect(answer.statusCode == 200, "\(answer.bodyText.prefix(300))")
            let html = try #require(JSONValue.parse(answer.body)["html"]?.objectValue, "resume \(id): no html")
            #expect(html.count == 3)
            for (template, value) in html {
                let markup = value.stringValue ?? ""
                for pattern in Self.dangerous { #expect(!markup.localizedCaseInsensitiveContains(pattern), "resume \(id) \(template): \(pattern)") }
                #expect(markup.contains(shown[id]![1]), "resume \(id) \(template): the about-me is missing")
            }
        }

        // The PDFs: payloads are text on the page, and no action runs a script or opens a script URL.
        for id in ids {
            let pdf = f.out.appendingPathComponent("resumes/\(id).pdf")
            let bytes = try Data(contentsOf: pdf)
            let raw = String(decoding: bytes, as: UTF8.self)
            #expect(!raw.contains("/JavaScript") && !raw.contains("/JS ") && !raw.contains("/JS(") && !raw.contains("/Launch"), "resumes/\(id).pdf")
            #expect(!raw.contains("(javascript:") && !raw.lowercased().contains("/uri (javascript"), "resumes/\(id).pdf links a script URL")
            let text = try runProcess(URL(fileURLWithPath: "/usr/bin/pdftotext"), arguments: [pdf.path, "-"], environment: ["PATH": "/usr/bin:/bin"], input: Data()).out
            #expect(text.contains("<script>alert(1)</script>") || text.contains("onerror=alert(1)"), "resumes/\(id).pdf: the payload shown as text")
        }
    }
}
