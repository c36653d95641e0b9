import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioHTTP
import GitfolioRender
import GitfolioResume
import GitfolioFunctions
import GitfolioStore
import SiteBuilder

#if canImport(Glibc)
import Glibc
#endif

/// Writes a resume in the chosen format (by default from the file's extension) to a file or stdout.
/// Every format but Gitfolio's own JSON (the editable document) leaves the editor: unfilled prompts
/// are omitted, or the command fails naming them (`prompts: .refuse`).
func writeResume(_ resume: Resume, format: ResumeFormat?, out: String?, prompts: PromptPolicy = .omit) throws {
    let chosen = format ?? ResumeFormat(fileName: out)
    let resume = chosen == .json ? resume : try exported(resume, prompts)
    let data: Data
    switch chosen {
    case .html:
        data = Data(HTMLRenderer.document(resume).utf8)
    case .pdf:
        if out == nil, isatty(STDOUT_FILENO) != 0 { throw ValidationError("A PDF is not for the terminal: name a file with --out.") }
        data = PDFRenderer.shared.pdf(resume)
    case .png:
        if out == nil, isatty(STDOUT_FILENO) != 0 { throw ValidationError("A PNG is not for the terminal: name a file with --out.") }
        data = PDFRenderer.shared.thumbnail(resume)
    case .markdown:
        data = Data(MarkdownRenderer.render(resume).utf8)
    case .jsonresume:
        data = try JSONResume.export(resume, prompts: .omit) + Data("\n".utf8)
    case .json:
        data = Data((try JSONValue.serialize(resume) + "\n").utf8)
    }
    if let out {
        try data.write(to: URL(fileURLWithPath: out))
        FileHandle.standardError.write(Data("wrote \(out)\n".utf8))
    } else {
        FileHandle.standardOutput.write(data)
    }
}

func exported(_ resume: Resume, _ prompts: PromptPolicy) throws -> Resume {
    do {
        return try resume.leavingEditor(prompts)
    } catch let error as UnfilledPromptsError {
        throw ValidationError(error.description + "\n" + error.prompts.map { "  \($0.path): \($0.text)" }.joined(separator: "\n"))
    }
}

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a Gitfolio resume (JSON, as `gitfolio resume` writes it) as HTML, PDF or a PNG of its first page.")
    @Argument(help: "The resume JSON file.") var file: String?
    @Option(help: "Render the built-in sample resume in this language (ko or en) instead of a file.") var sample: Language?
    @Option(help: "Another template than the file's: BASIC, STAR or GITFOLIO.") var template: Template?
    @Option(help: "Output file; its extension (.html, .pdf, .png, .md, .json) picks the format.") var out: String?
    @Option(help: "json, jsonresume, markdown, html, pdf or png; default from --out's extension.") var format: ResumeFormat?
    @Option(help: "Unfilled prompts: omit (default), refuse (fail, naming them) or show (as the editor does).") var prompts: PromptPolicy = .omit

    func run() throws {
        var resume: Resume
        if let sample {
            resume = .sample(sample)
            if let template { resume.template = template }
            return try writeResume(resume, format: format, out: out, prompts: prompts)
        }
        guard let file else { throw ValidationError("Name a resume JSON file, or --sample ko|en.") }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file) cannot be read.") }
        do {
            resume = try JSONValue.decode(Resume.self, from: Array(data))
        } catch {
            throw ValidationError("\(file) is not a Gitfolio resume: \(error)")
        }
        if let template { resume.template = template }
        try writeResume(resume, format: format, out: out, prompts: prompts)
    }
}
