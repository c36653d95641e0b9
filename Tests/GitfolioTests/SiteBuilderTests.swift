import Foundation
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import SiteBuilder
import Testing

/// Compares with a golden file beside the tests; `GITFOLIO_UPDATE_GOLDEN=1` rewrites it. A missing
/// golden file is written and the test fails, so that the new file is looked at and committed.
func assertGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
    if ProcessInfo.processInfo.environment["GITFOLIO_UPDATE_GOLDEN"] == "1" || !FileManager.default.fileExists(atPath: url.path) {
        let existed = FileManager.default.fileExists(atPath: url.path)
        try Data(actual.utf8).write(to: url)
        if !existed { Issue.record("wrote new golden file \(name); check it and commit it", sourceLocation: sourceLocation) }
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "output differs from Golden/\(name)", sourceLocation: sourceLocation)
}

/// A copy of the repository's site/ and content/ that a test may change.
struct SiteFixture {
    let dir: TempDir
    let site: URL, content: URL, out: URL
    let database: AppDatabase

    init() throws {
        dir = try TempDir("gitfolio-site")
        site = dir.url.appendingPathComponent("site")
        content = dir.url.appendingPathComponent("content")
        out = dir.url.appendingPathComponent("_site")
        try FileManager.default.copyItem(at: Built.packageRoot.appendingPathComponent("site"), to: site)
        try FileManager.default.createDirectory(at: content, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Built.packageRoot.appendingPathComponent("content/site.json"),
                                         to: content.appendingPathComponent("site.json"))
        database = try AppDatabase(path: dir.path("g.sqlite"), create: true)
    }

    func build(definition: (@Sendable (Resume) -> String)? = nil) throws -> SiteBuilder.Report {
        var builder = SiteBuilder(options: .init(siteDirectory: site, contentDirectory: content, outputDirectory: out),
                                  database: database, progress: { _ in })
        if let definition { builder.resumeDefinition = definition }
        return try builder.build()
    }

    func page(_ path: String) throws -> String { try String(contentsOf: out.appendingPathComponent(path), encoding: .utf8) }

    /// What the repository's site/ builds to with no public resume.
    static let emptySite: Set<String> = {
        var paths: Set<String> = ["assets/app.js", "assets/hub.js", "assets/plan.js", "assets/style.css", "assets/resume.css", "hub/index.json", "hub/counts.json"]
        for prefix in ["", "en/"] {
            for page in ["404", "index", "login", "me", "resume", "notifications", "hub/index"] { paths.insert("\(prefix)\(page).html") }
            for role in JobRole.allCases { paths.insert("\(prefix)hub/\(role.rawValue.lowercased())/index.html") }
        }
        return paths
    }()
}

@Suite struct SiteBuilderTests {
    @Test func buildsEveryPageInBothLanguages() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let report = try f.build()
        #expect(Set(report.written) == SiteFixture.emptySite)
        let ko = try f.page("index.html"), en = try f.page("en/index.html")
        #expect(ko.contains(#"<html lang="ko">"#) && ko.contains("GitHub 활동을 회사가 믿는 이력서로"))
        #expect(en.contains(#"<html lang="en">"#) && en.contains("From your GitHub work to a resume companies trust"))
        #expect(ko.contains(#"href="/en/index.html""#) && en.contains(#"href="/index.html""#))
        try assertGolden(ko, "index.ko.html")
        try assertGolden(try f.page("en/me.html"), "me.en.html")
    }

    @Test func unchangedInputsAreSkippedAndChangedOnesRebuilt() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        _ = try f.build()
        let again = try f.build()
        #expect(again.written.isEmpty)
        #expect(again.skipped.count == SiteFixture.emptySite.count)

        // A new member changes only the pages that show the member count.
        _ = try f.database.upsertLocalMember(login: "new", name: "new", now: Date())
        let afterMember = try f.build()
        #expect(Set(afterMember.written) == ["index.html", "en/index.html"])
        #expect(try f.page("index.html").contains(#"<strong data-stat="members">1</strong>"#))

        // Editing the English strings rebuilds the English pages only.
        let en = f.site.appendingPathComponent("i18n/en.json")
        let text = try String(contentsOf: en, encoding: .utf8).replacingOccurrences(of: "Sign in to Gitfolio", with: "Log in to Gitfolio")
        try Data(text.utf8).write(to: en)
        let afterStrings = try f.build()
        #expect(Set(afterStrings.written) == Set(SiteFixture.emptySite.filter { $0.hasPrefix("en/") }))
        #expect(try f.page("en/login.html").contains("Log in to Gitfolio"))

        // A deleted output file is written again even though its inputs did not change.
        try FileManager.default.removeItem(at: f.out.appendingPathComponent("me.html"))
        #expect(try f.build().written == ["me.html"])
    }

    @Test func removedPagesArePruned() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        _ = try f.build()
        try FileManager.default.removeItem(at: f.site.appendingPathComponent("pages/login.html"))
        let report = try f.build()
        #expect(Set(report.removed) == ["login.html", "en/login.html"])
        #expect(!FileManager.default.fileExists(atPath: f.out.appendingPathComponent("login.html").path))
    }

    @Test func unknownPlaceholderFailsNamingThePage() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        try Data("<p>{{t.no.such.key}}</p>".utf8).write(to: f.site.appendingPathComponent("pages/broken.html"))
        do {
            _ = try f.build()
            Issue.record("the build should have failed")
        } catch let error as SiteBuildError {
            #expect(error.path == "broken.html")
            #expect(error.reason.contains("{{t.no.such.key}}"))
        }
    }

    @Test func missingTranslationFailsTheBuild() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        try Data(#"{"site.name":"Gitfolio"}"#.utf8).write(to: f.site.appendingPathComponent("i18n/en.json"))
        #expect(throws: SiteBuildError.self) { try f.build() }
    }

    @Test func valuesAreEscaped() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        try Data(#"{"name":"<script>alert('x')</script>&"}"#.utf8).write(to: f.content.appendingPathComponent("site.json"))
        let ko = f.site.appendingPathComponent("i18n/ko.json")
        var strings = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: ko))
        strings["js.saved"] = "</script><script>alert(1)</script>"
        try JSONEncoder().encode(strings).write(to: ko)
        _ = try f.build()
        let page = try f.page("index.html")
        #expect(!page.contains("<script>alert"))
        #expect(page.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;"))
        #expect(page.contains(#"\u003c/script>\u003cscript>alert(1)\u003c/script>"#))
    }

    @Test func publishedResumesGetAPDFAndThumbnailRebuiltOnlyWhenChanged() async throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let member = try f.database.upsertLocalMember(login: "pub", name: "pub", now: Date())
        let published = try f.database.createResume(memberID: member.id, title: "공개", resume: Resume.sample(.ko, template: .star), now: Date())
        let hidden = try f.database.createResume(memberID: member.id, title: "비공개", resume: Resume.sample(.ko, template: .basic), now: Date())
        try f.database.setVisibility(.public, resumeID: published, memberID: member.id, now: Date())
        let first = try f.build()
        #expect(first.written.contains("resumes/\(published).pdf") && first.written.contains("resumes/\(published).png"))
        #expect(!first.written.contains { $0.hasPrefix("resumes/\(hidden).") })
        let pdf = try Data(contentsOf: f.out.appendingPathComponent("resumes/\(published).pdf"))
        #expect(try await poppler("pdftotext", [], pdf: pdf).contains("상황"))
        let png = try Data(contentsOf: f.out.appendingPathComponent("resumes/\(published).png"))
        #expect(png.starts(with: Data([0x89, 0x50, 0x4e, 0x47])))

        // Unchanged: skipped. An edit renders that resume again; making it private removes its files.
        #expect(try f.build().written.isEmpty)
        var edited = Resume.sample(.ko, template: .star)
        edited.aboutMe.text = "고친 자기소개입니다."
        _ = try f.database.saveResume(edited, id: published, memberID: member.id, expectedVersion: 1, path: "aboutMe", now: Date())
        let afterEdit = Set(try f.build().written)
        #expect(afterEdit.isSuperset(of: ["resumes/\(published).pdf", "resumes/\(published).png", "resumes/\(published).html"]))
        #expect(!afterEdit.contains { $0.hasPrefix("resumes/\(hidden).") })
        let text = try await poppler("pdftotext", [], pdf: try Data(contentsOf: f.out.appendingPathComponent("resumes/\(published).pdf")))
        #expect(text.contains("고친 자기소개입니다."))
        try f.database.setVisibility(.private, resumeID: published, memberID: member.id, now: Date())
        #expect(Set(try f.build().removed) == ["resumes/\(published).pdf", "resumes/\(published).png",
                                                "resumes/\(published).html", "en/resumes/\(published).html"])
        #expect(!FileManager.default.fileExists(atPath: f.out.appendingPathComponent("resumes/\(published).pdf").path))
    }

    /// A published resume's files follow what determines them — its blocks and its template's theme —
    /// not a version number: a change of the layout code that alters the blocks renders them again,
    /// though the resume itself did not change (issue 11).
    @Test func aChangedLayoutRendersPublishedFilesAgain() throws {
        let f = try SiteFixture()
        defer { f.dir.remove() }
        let member = try f.database.upsertLocalMember(login: "pub", name: "pub", now: Date())
        let id = try f.database.createResume(memberID: member.id, title: "공개", resume: Resume.sample(.en, template: .basic), now: Date())
        try f.database.setVisibility(.public, resumeID: id, memberID: member.id, now: Date())
        let files: Set = ["resumes/\(id).pdf", "resumes/\(id).png"]
        #expect(files.isSubset(of: Set(try f.build().written)))
        #expect(try f.build().written.isEmpty)
        // The layout code changes (here: one more block): same resume, same version, new files.
        let changed: @Sendable (Resume) -> String = { PDFRenderer.definition(of: $0) + "\nBlock(kind: paragraph, runs: [])" }
        #expect(Set(try f.build(definition: changed).written) == files)
        #expect(try f.build(definition: changed).written.isEmpty)
        // The definition reflects both the blocks and the theme: another template, another definition.
        var star = Resume.sample(.en, template: .basic)
        #expect(PDFRenderer.definition(of: star).contains("accent="))
        star.template = .star
        #expect(PDFRenderer.definition(of: star) != PDFRenderer.definition(of: Resume.sample(.en, template: .basic)))
    }
}
