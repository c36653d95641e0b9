import Foundation
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioTestSupport
import Testing

/// One renderer for the suite: fonts load once, as in the functions and the site builder.
let sharedRenderer = PDFRenderer()

/// Runs a poppler tool on a PDF and answers its standard output.
func poppler(_ tool: String, _ arguments: [String], pdf: Data) async throws -> String {
    let dir = try TempDir("gitfolio-pdf")
    defer { dir.remove() }
    let file = dir.path("r.pdf")
    try pdf.write(to: URL(fileURLWithPath: file))
    let result = try await runProcessAsync(URL(fileURLWithPath: "/usr/bin/\(tool)"), arguments: arguments + (tool == "pdftotext" ? [file, "-"] : [file]),
                                           environment: ["PATH": "/usr/bin:/bin"], input: Data())
    #expect(result.status == 0, "\(tool) failed: \(result.err)")
    return result.out
}

/// Text with all white space removed, for comparing what the PDF says with what the blocks say
/// (line breaks fall in different places).
func squeezed(_ s: String) -> String { String(s.unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) }.map(Character.init)) }

@Suite struct HTMLTemplateTests {
    @Test(arguments: Template.allCases)
    func goldenHTMLOfEachTemplate(_ template: Template) throws {
        try assertGolden(HTMLRenderer.document(.sample(.ko, template: template)), "resume-\(template.rawValue.lowercased()).ko.html")
    }

    @Test func englishGolden() throws {
        try assertGolden(HTMLRenderer.document(.sample(.en, template: .star)), "resume-star.en.html")
    }

    @Test func templatesDifferInHowProjectsAreTold() {
        let basic = HTMLRenderer.fragment(.sample(.ko, template: .basic))
        let star = HTMLRenderer.fragment(.sample(.ko, template: .star))
        let gitfolio = HTMLRenderer.fragment(.sample(.ko, template: .gitfolio))
        #expect(!basic.contains("projects[0].star.situation") && !basic.contains("troubleshooting"))
        #expect(star.contains("data-path=\"projects[0].star.situation\"") && !star.contains("troubleshooting[0]"))
        #expect(gitfolio.contains("data-path=\"projects[0].troubleshooting[0].attempt\"") && gitfolio.contains("시도한 방법"))
        #expect(!gitfolio.contains(".star."))
    }

    @Test func aClonesFolderIsNotShownButWebAddressesAre() {
        var resume = Resume.sample(.ko, template: .basic)
        resume.projects[0].repository = "/home/haneul/code/market-api"
        resume.projects[1].repository = "https://gitlab.com/haneul/settle-batch.git"
        let html = HTMLRenderer.fragment(resume)
        #expect(!html.contains("/home/haneul"))
        #expect(html.contains(#"<a href="https://gitlab.com/haneul/settle-batch.git" class="gf-muted">gitlab.com/haneul/settle-batch.git</a>"#))
        #expect(html.contains(#"href="https://github.com/haneul-kim/study-log""#))
    }

    @Test func markupInEveryFieldIsEscaped() {
        let resume = Resume.hostile()
        let html = HTMLRenderer.document(resume)
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // Evidence and paths are attribute values: quotes are escaped too.
        #expect(!html.contains("\" onmouseover=\""))
    }
}

@Suite struct PDFTests {
    @Test(arguments: [Language.ko, .en])
    func textOfEveryBlockInReadingOrder(_ language: Language) async throws {
        for template in Template.allCases {
            let resume = Resume.sample(language, template: template)
            let pdf = sharedRenderer.pdf(resume)
            let text = squeezed(try await poppler("pdftotext", [], pdf: pdf))
            var cursor = text.startIndex
            for block in ResumeLayout.blocks(resume) {
                for piece in [block.aside].compactMap({ $0 }) + [block.runs.map(\.text).joined()] {
                    let needle = squeezed(piece)
                    guard !needle.isEmpty else { continue }
                    // The aside stands on the title's line, so it may come before or after it.
                    if let found = text.range(of: needle, range: cursor..<text.endIndex) {
                        if block.aside != piece { cursor = found.upperBound }
                    } else {
                        Issue.record("\(template) \(language): '\(piece)' is missing or out of order")
                    }
                }
            }
        }
    }

    @Test func koreanSampleIsTwoA4PagesWithEmbeddedSubsetFontsInBothWeights() async throws {
        let pdf = sharedRenderer.pdf(.sample(.ko))
        let info = try await poppler("pdfinfo", [], pdf: pdf)
        #expect(info.contains("Pages:           2"))
        #expect(info.contains("595.28 x 841.89 pts (A4)"))
        let fonts = try await poppler("pdffonts", [], pdf: pdf)
        let rows = fonts.split(separator: "\n").dropFirst(2)
        #expect(rows.count >= 2)
        // The resume font in both weights: NanumBarunGothic and NanumBarunGothicBold.
        #expect(rows.contains { $0.contains("+NanumBarunGothicBold ") } && rows.contains { $0.contains("+NanumBarunGothic ") })
        for row in rows {
            let columns = row.split(separator: " ")
            // name type... emb sub uni object ID: emb and sub are the 5th and 4th columns from the end.
            #expect(columns[columns.count - 5] == "yes" && columns[columns.count - 4] == "yes", "not embedded as a subset: \(row)")
        }
    }

    @Test func headingsAndFieldsOnEachPageAreSearchable() async throws {
        let pdf = sharedRenderer.pdf(.sample(.ko, template: .gitfolio))
        let first = try await poppler("pdftotext", ["-f", "1", "-l", "1"], pdf: pdf)
        let second = try await poppler("pdftotext", ["-f", "2", "-l", "2"], pdf: pdf)
        for heading in ["김하늘", "자기소개", "기술 스택", "경력", "프로젝트", "트러블슈팅", "발생한 문제"] {
            #expect(first.contains(heading), "page 1 lacks \(heading)")
        }
        for heading in ["학력", "자격증", "한빛대학교", "정보처리기사"] {
            #expect(second.contains(heading), "page 2 lacks \(heading)")
        }
    }

    @Test func linksAreClickable() async throws {
        let pdf = sharedRenderer.pdf(.sample(.ko))
        let urls = try await poppler("pdfinfo", ["-url"], pdf: pdf)
        for url in ["mailto:haneul.kim@example.com", "https://github.com/haneul-kim", "https://haneul.dev",
                    "https://github.com/haneul-kim/market-api", "https://github.com/haneul-kim/study-log"] {
            #expect(urls.contains(url), "no link to \(url)")
        }
        // A script link in a profile stays text.
        let hostile = try await poppler("pdfinfo", ["-url"], pdf: sharedRenderer.pdf(.hostile()))
        #expect(!hostile.contains("javascript"))
    }

    @Test func oneLayoutForBothGivesTheSameFiles() async throws {
        let resume = Resume.sample(.en, template: .star)
        let both = sharedRenderer.pdfAndThumbnail(resume)
        #expect(both.thumbnail == sharedRenderer.thumbnail(resume))
        #expect(try await poppler("pdftotext", [], pdf: both.pdf) == (try await poppler("pdftotext", [], pdf: sharedRenderer.pdf(resume))))
    }

    @Test func fontMetricsAreThoseOfPangosOwnCall() {
        // The layout measures ascent and descent through HarfBuzz instead of pango_context_get_metrics
        // (which shapes a sample sentence on every call); the figures must be Pango's, or lines move.
        let (compared, differing) = PDFRenderer().metricsAgainstPango()
        #expect(compared == Template.allCases.count * Language.allCases.count * BlockKind.allCases.count * 2)
        #expect(differing.isEmpty, "\(differing.joined(separator: "\n"))")
    }

    @Test func aCmapOfTheDocumentsCharactersChangesNoByteOfThePDF() {
        // Cairo's glyph-to-character lookups read a table of the document's characters (CCairoCmap)
        // instead of the fonts' own: the PDFs must be the same, text layer included.
        func withoutDate(_ pdf: Data) -> [Substring] {
            String(decoding: pdf, as: UTF8.self).split(separator: "\n").filter { !$0.contains("CreationDate") }
        }
        let fontsOwn = PDFRenderer(documentCharacterMaps: false), documents = PDFRenderer()
        for language in Language.allCases {
            for template in Template.allCases {
                let resume = Resume.sample(language, template: template)
                let before = PDFRenderer.documentCharacterMapReads
                let ours = documents.pdf(resume)
                #expect(PDFRenderer.documentCharacterMapReads > before, "the executable's FT_Load_Sfnt_Table was not the one Cairo called")
                #expect(withoutDate(ours) == withoutDate(fontsOwn.pdf(resume)), "\(language) \(template)")
            }
        }
    }

    @Test func thumbnailIsAPNGOfTheFirstPage() throws {
        let png = sharedRenderer.thumbnail(.sample(.ko), width: 420)
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))
        // IHDR: width and height, big-endian, at bytes 16 and 20.
        let width = png[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = png[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 420 && height == 594)
        // Not a blank page: a blank 420×594 PNG compresses to well under 2 kB.
        #expect(png.count > 10_000)
    }
}

@Suite struct TypographyTests {
    /// The renderer loads the files of the typefaces the templates name, and nothing else.
    @Test func onlyTheTemplatesFontFilesAreLoaded() {
        _ = sharedRenderer
        let named = Set(Theme.allTypefaces.flatMap(\.files))
        let loaded = Set(FontLibrary.loadedFiles)
        #expect(FontLibrary.missingFiles.isEmpty, "scripts/deps.sh installs these: \(FontLibrary.missingFiles)")
        #expect(!loaded.isEmpty && loaded.isSubset(of: named), "\(loaded.subtracting(named).sorted())")
        #expect(loaded == named)
    }

    /// English is set in the Latin face (real word spaces), Korean in the Korean face; each template
    /// has faces of its own.
    @Test(arguments: [(Template.basic, ["NotoSans-Regular", "NotoSans-Bold"], "NanumBarunGothic"),
                      (.star, ["NotoSerif-Regular", "NotoSerif-Bold"], "NanumMyeongjo"),
                      (.gitfolio, ["NotoSans-Regular", "NotoSansMono-Regular"], "NanumBarunGothic")])
    func eachTemplateSetsLatinAndKoreanInTheirFaces(template: Template, latin: [String], korean: String) async throws {
        let english = try await poppler("pdffonts", [], pdf: sharedRenderer.pdf(.sample(.en, template: template)))
        for face in latin { #expect(english.contains("+\(face) "), "\(template) English lacks \(face):\n\(english)") }
        #expect(!english.contains("Nanum") || template == .gitfolio, "English text in the Korean face:\n\(english)")
        let koreanFonts = try await poppler("pdffonts", [], pdf: sharedRenderer.pdf(.sample(.ko, template: template)))
        #expect(koreanFonts.contains("+\(korean) ") && koreanFonts.contains("+\(latin[0]) "), "\(koreanFonts)")
        // Word spaces are wide enough for a reader (and pdftotext) to see them.
        let text = try await poppler("pdftotext", [], pdf: sharedRenderer.pdf(.sample(.en, template: template)))
        #expect(text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            .contains("I solve concurrency and batch performance problems by measuring"))
    }

    /// Korean lines break between words, never inside one (CSS `word-break: keep-all`).
    @Test(arguments: Template.allCases)
    func koreanWordsAreNotBrokenAcrossLines(_ template: Template) {
        var resume = Resume.sample(.ko, template: template)
        resume.aboutMe.text += " 동시성 문제와 배치 성능을 측정으로 해결하고 리뷰와 자동화된 테스트로 팀의 배포를 안전하게 만듭니다."
        for (b, lines) in sharedRenderer.lines(resume).enumerated() where lines.count > 1 {
            for (upper, lower) in zip(lines, lines.dropFirst()) {
                let end = upper.unicodeScalars.last, start = lower.unicodeScalars.first
                let hangul = { (s: Unicode.Scalar?) in s.map { (0xAC00...0xD7A3).contains($0.value) } ?? false }
                #expect(!(hangul(end) && hangul(start)), "block \(b) breaks a word: '\(upper)' / '\(lower)'")
            }
        }
    }

    /// The example never leaves one short section alone on its last page.
    @Test(arguments: [Language.ko, .en])
    func theExampleLeavesNoLoneSectionOnItsLastPage(_ language: Language) {
        for template in Template.allCases {
            let resume = Resume.sample(language, template: template)
            let blocks = ResumeLayout.blocks(resume)
            let pages = sharedRenderer.pagination(resume)
            guard pages.count > 1, let last = pages.last else { continue }
            let sectionOf = { (block: Int) in blocks[...block].filter { $0.kind == .section }.count }
            let sections = Set(last.map { sectionOf($0.block) })
            #expect(sections.count >= 2 || last.count >= 15, "\(template) \(language): the last page holds one section of \(last.count) lines")
        }
        // BASIC tells projects in bullets only: its example fits on one page.
        #expect(sharedRenderer.pageCount(.sample(language, template: .basic)) == 1)
    }
}

@Suite struct PageBreakTests {
    /// Every page-break rule, checked on a placement: no heading or entry title ends a page, and
    /// a block of up to three lines is never split.
    func checkRules(_ resume: Resume, sourceLocation: SourceLocation = #_sourceLocation) {
        let blocks = ResumeLayout.blocks(resume)
        let pages = sharedRenderer.pagination(resume)
        for (n, page) in pages.enumerated() where n < pages.count - 1 {
            guard let last = page.last else { Issue.record("page \(n + 1) is empty", sourceLocation: sourceLocation); continue }
            #expect(!blocks[last.block].keepWithNext, "page \(n + 1) ends with the heading '\(blocks[last.block].runs.first?.text ?? "")'",
                    sourceLocation: sourceLocation)
            if last.line < last.lineCount - 1 {
                #expect(last.lineCount > 3, "a \(last.lineCount)-line block is split", sourceLocation: sourceLocation)
                #expect(last.line >= 1, "one line of a block left at the bottom of page \(n + 1)", sourceLocation: sourceLocation)
            }
        }
        // Every line of every block is placed exactly once, in reading order: the placements must be
        // block 0's lines 0..<n₀, then block 1's, and so on, with each block's line count from its layout.
        let placements = pages.flatMap { $0 }
        var lineCounts: [Int: Int] = [:]
        for p in placements { lineCounts[p.block] = p.lineCount }
        #expect(Set(lineCounts.keys) == Set(blocks.indices), "blocks never placed", sourceLocation: sourceLocation)
        let expected = blocks.indices.flatMap { b in (0..<(lineCounts[b] ?? 1)).map { "\(b):\($0)" } }
        #expect(placements.map { "\($0.block):\($0.line)" } == expected, sourceLocation: sourceLocation)
    }

    @Test func headingsAndEntryTitlesNeverEndAPage() {
        // Growing the about-me text moves every later heading down the page, a few points at a time,
        // so headings and entry titles land at every height near the bottom of a page.
        var resume = Resume.sample(.ko, template: .gitfolio)
        let base = resume.aboutMe.text
        for words in 0..<60 {
            resume.aboutMe.text = base + String(repeating: " 측정 가능한 결과를 냈습니다.", count: words)
            checkRules(resume)
        }
    }

    @Test func twentyPageResumePaginates() async throws {
        var resume = Resume.sample(.ko, template: .star)
        let projects = resume.projects
        resume.projects = (0..<27).flatMap { i in projects.map { var p = $0; p.name += "-\(i)"; return p } }
        let pages = sharedRenderer.pagination(resume)
        #expect(pages.count >= 20)
        checkRules(resume)
        let pdf = sharedRenderer.pdf(resume)
        let info = try await poppler("pdfinfo", [], pdf: pdf)
        #expect(info.contains("Pages:           \(pages.count)"))
    }

    @Test func oddInputRendersWithoutCrashing() async throws {
        for resume in [Resume.hostile(), .empty(), .longWords()] {
            let pdf = sharedRenderer.pdf(resume)
            #expect(pdf.starts(with: Data("%PDF-".utf8)))
            checkRules(resume)
            let text = try await poppler("pdftotext", [], pdf: pdf)
            #expect(!text.isEmpty)
            #expect(!sharedRenderer.thumbnail(resume).isEmpty)
            _ = HTMLRenderer.document(resume)
        }
        let hostileText = try await poppler("pdftotext", [], pdf: sharedRenderer.pdf(.hostile()))
        #expect(hostileText.contains("<script>alert(1)</script>"), "markup is shown as text in the PDF")
        #expect(squeezed(hostileText).contains("שלום"), "right-to-left text is kept")
    }

    @Test func aVeryLongParagraphBreaksAcrossPages() {
        var resume = Resume.sample(.en, template: .basic)
        resume.aboutMe.text = String(repeating: "I measure before I change anything, and I write down what I measured. ", count: 400)
        let pages = sharedRenderer.pagination(resume)
        #expect(pages.count >= 5)
        checkRules(resume)
    }
}

extension Resume {
    /// Markup, scripts, quotes, emoji, combining marks and right-to-left text in every field.
    static func hostile() -> Resume {
        let evil = "<script>alert(1)</script> \"' onmouseover=\"x\" <img src=x onerror=alert(2)> 👩🏽‍💻 한글 e\u{301} שלום עולם"
        var r = Resume.sample(.ko, template: .gitfolio)
        r.profile.name = evil
        r.profile.links = [ProfileLink(title: evil, url: "javascript:alert(3)"), ProfileLink(title: "x", url: "https://x.dev/\"><script>")]
        r.profile.workExperience[0].company = evil
        r.profile.workExperience[0].description = evil
        r.profile.education[0].schoolName = evil
        r.profile.certificates[0].name = evil
        r.aboutMe.text = evil
        r.aboutMe.evidence = ["\" onmouseover=\"alert(4)"]
        r.techStack = [evil, "Swift"]
        for i in r.projects.indices {
            r.projects[i].name = evil
            r.projects[i].repository = "javascript:alert(5)"
            r.projects[i].skills = [evil]
            r.projects[i].bullets = r.projects[i].bullets.map { Line(evil + $0.text, evidence: $0.evidence) }
            r.projects[i].troubleshooting[0].problem.text = evil
        }
        return r
    }

    /// Nothing filled in at all.
    static func empty() -> Resume {
        Resume(language: .en, template: .star, profile: Profile(), aboutMe: Line("", needsInput: true), techStack: [], projects: [
            ResumeProject(name: "", start: nil, end: nil, skills: [], repository: "", summary: nil, bullets: [], star: nil, troubleshooting: []),
        ])
    }

    /// Words longer than a line, which must wrap inside the word.
    static func longWords() -> Resume {
        var r = Resume.sample(.en, template: .basic)
        r.profile.name = String(repeating: "W", count: 300)
        r.aboutMe.text = String(repeating: "a", count: 5_000)
        r.projects[0].bullets[0].text = String(repeating: "가", count: 2_000)
        return r
    }
}
