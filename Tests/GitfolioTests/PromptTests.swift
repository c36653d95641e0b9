import Foundation
import GitfolioCore
import GitfolioRender
import GitfolioResume
import Testing

@Suite struct PromptTests {
    func resumeWithPrompts() -> Resume {
        var r = Resume.sample(.ko, template: .gitfolio)
        r.projects[0].troubleshooting[0].hypothesis = Line("원인에 대해 세웠던 가설을 적어 주세요.", needsInput: true)
        r.projects[1].troubleshooting[0].problem = Line("이 프로젝트에서 겪은 문제를 적어 주세요.", needsInput: true)
        return r
    }

    @Test func editorListsWhatIsStillToFill() {
        #expect(resumeWithPrompts().unfilledPrompts.map(\.path) == ["projects[0].troubleshooting[0].hypothesis", "projects[1].troubleshooting[0].problem"])
    }

    @Test func exportsOmitPromptsOrRefuseNamingThem() throws {
        let r = resumeWithPrompts()
        let html = HTMLRenderer.document(r)
        #expect(!html.contains("적어 주세요"))
        #expect(HTMLRenderer.fragment(r).contains("적어 주세요"))  // the editor still shows them
        #expect(!HTMLRenderer.fragment(r, prompts: .omit).contains("적어 주세요"))
        let json = String(decoding: try JSONResume.export(r), as: UTF8.self)
        #expect(!json.contains("적어 주세요"))
        #expect(throws: UnfilledPromptsError.self) { try JSONResume.export(r, prompts: .refuse) }
        let omitted = r.withoutUnfilledPrompts()
        #expect(omitted.projects[1].troubleshooting.isEmpty)  // an entry without its problem goes whole
        #expect(omitted.unfilledPrompts.isEmpty)
    }

    @Test func pdfOmitsPrompts() throws {
        let r = resumeWithPrompts()
        let withPrompts = PDFRenderer().pdf(r), without = PDFRenderer().pdf(r.withoutUnfilledPrompts())
        #expect(withPrompts.count == without.count)  // the same document: prompts never reach the PDF
    }
}
