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

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a JSON Resume file (https://jsonresume.org/schema) into a Gitfolio resume.")
    @Argument(help: "The JSON Resume file.") var file: String
    @Option(help: "BASIC, STAR or GITFOLIO (for files not made by Gitfolio).") var template: Template = .basic
    @Option(help: "ko or en (for files not made by Gitfolio; default: the language of the file's text).") var lang: Language?
    @Option(help: "Output file (standard output when omitted).") var out: String?
    @Option(help: "json, jsonresume, markdown, html, pdf or png (first page); default from --out's extension.") var format: ResumeFormat?
    @Option(help: "Unfilled prompts in an export: omit (default) or refuse.") var prompts: PromptPolicy = .omit

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file) cannot be read.") }
        do {
            try writeResume(try JSONResume.import(data, template: template, language: lang), format: format, out: out, prompts: prompts)
        } catch let error as APIError {
            throw ValidationError("\(file): \(error.message)")
        }
    }
}
