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
func writeResume(_ resume: Resume, format: ResumeFormat?, out: String?) throws {
    let chosen = format ?? ResumeFormat(fileName: out)
    let data: Data
    switch chosen {
    case .html:
        data = Data(HTMLRenderer.document(resume).utf8)
    case .pdf:
        if out == nil, isatty(STDOUT_FILENO) != 0 { throw ValidationError("A PDF is not for the terminal: name a file with --out.") }
        data = PDFRenderer().pdf(resume)
    case .png:
        if out == nil, isatty(STDOUT_FILENO) != 0 { throw ValidationError("A PNG is not for the terminal: name a file with --out.") }
        data = PDFRenderer().thumbnail(resume)
    case .markdown:
        data = Data(MarkdownRenderer.render(resume).utf8)
    case .jsonresume:
        data = try JSONResume.export(resume) + Data("\n".utf8)
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

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render a Gitfolio resume (JSON, as `gitfolio resume` writes it) as HTML, PDF or a PNG of its first page.")
    @Argument(help: "The resume JSON file.") var file: String?
    @Option(help: "Render the built-in sample resume in this language (ko or en) instead of a file.") var sample: Language?
    @Option(help: "Another template than the file's: BASIC, STAR or GITFOLIO.") var template: Template?
    @Option(help: "Output file; its extension (.html, .pdf, .png, .md, .json) picks the format.") var out: String?
    @Option(help: "json, jsonresume, markdown, html, pdf or png; default from --out's extension.") var format: ResumeFormat?

    func run() throws {
        var resume: Resume
        if let sample {
            resume = .sample(sample)
            if let template { resume.template = template }
            return try writeResume(resume, format: format, out: out)
        }
        guard let file else { throw ValidationError("Name a resume JSON file, or --sample ko|en.") }
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file) cannot be read.") }
        do {
            resume = try JSONValue.decode(Resume.self, from: Array(data))
        } catch {
            throw ValidationError("\(file) is not a Gitfolio resume: \(error)")
        }
        if let template { resume.template = template }
        try writeResume(resume, format: format, out: out)
    }
}
