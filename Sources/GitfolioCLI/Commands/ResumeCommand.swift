import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioHTTP
import GitfolioRender
import GitfolioResume
import GitfolioFunctions
import GitfolioGitHub
import GitfolioStore
import SiteBuilder

#if canImport(Glibc)
import Glibc
#endif

extension Template: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

extension Language: ExpressibleByArgument {}

struct ResumeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Make a resume in one step from git clones on disk (offline) or, with --github, from GitHub.")
    @Option(name: .customLong("repo"), help: "A repository folder, or owner/name with --github; repeat for several.") var repos: [String] = []
    @Flag(help: "Read the repositories from GitHub with the token in GITHUB_TOKEN (GITHUB_API_URL overrides the API).")
    var github = false
    @Option(name: .customLong("author"), help: "An email the member commits with; repeat for several.") var authors: [String] = []
    @Option(help: "BASIC, STAR or GITFOLIO.") var template: Template = .basic
    @Option(help: "ko or en.") var lang: Language = .ko
    @Option(help: "Your name on the resume (default: the name you commit under).") var name = ""
    @Option(help: "What to emphasise, e.g. \"Spring Boot\"; only technologies in the evidence are used.") var request = ""
    @Option(help: "Output file (standard output when omitted).") var out: String?
    @Option(help: "json (Gitfolio's document), jsonresume (the JSON Resume schema), markdown, html, pdf or png (first page); default from --out's extension.")
    var format: ResumeFormat?
    @Option(help: "Unfilled prompts in a PDF, PNG, HTML, Markdown or JSON Resume: omit (default) or refuse (fail, naming them).")
    var prompts: PromptPolicy = .omit
    @Option(help: ArgumentHelp("A resume you already have (Gitfolio's JSON, edited or not): write it in --lang from the same repositories, with no model; lines you wrote yourself are kept and marked for review.", valueName: "file"))
    var from: String?

    func run() async throws {
        guard !repos.isEmpty else { throw ValidationError("Name at least one --repo.") }
        if [.pdf, .png].contains(format ?? ResumeFormat(fileName: out)) { PDFRenderer.preload(template, language: lang) }
        var evidence: [RepositoryEvidence] = []
        do {
            evidence = github ? try await fromGitHub() : try repos.enumerated().map { i, repo in
                FileHandle.standardError.write(Data("[\(i + 1)/\(repos.count)] analysing \(repo)\n".utf8))
                return try LocalRepositoryAnalyzer(repository: URL(fileURLWithPath: repo).standardizedFileURL, authorEmails: authors).analyze()
            }
        } catch let error as APIError {
            throw ValidationError(error.message)
        }
        if let from {
            guard let data = FileManager.default.contents(atPath: from) else { throw ValidationError("\(from) cannot be read.") }
            let existing: Resume
            do { existing = try JSONValue.decode(Resume.self, from: Array(data)) } catch { throw ValidationError("\(from) is not a Gitfolio resume: \(error)") }
            let switched = existing.switchingLanguage(to: lang, evidence: evidence)
            let review = switched.linesNeedingReview
            if !review.isEmpty {
                FileHandle.standardError.write(Data("\(review.count) line(s) kept as you wrote them, to translate: \(review.joined(separator: ", "))\n".utf8))
            }
            return try writeResume(switched, format: format, out: out, prompts: prompts)
        }
        // The name given, else the one the member commits under; a noreply address is never contact.
        let profile = Resume.resumeProfile(Profile(name: name, email: authors.first { !Resume.isNoreply($0) } ?? ""), evidence: evidence)
        let draft = OfflineWriter().write(evidence: evidence, profile: profile, template: template, language: lang, request: request)
        let (resume, findings) = Grounding(evidence: evidence).check(draft)
        for finding in findings {
            FileHandle.standardError.write(Data("grounding: removed \(finding.kind.rawValue) '\(finding.value)' at \(finding.location)\n".utf8))
        }
        try writeResume(resume, format: format, out: out, prompts: prompts)
    }
}

extension PromptPolicy: ExpressibleByArgument {}

extension ResumeCommand {
    /// The chosen repositories from GitHub: the import (for the list and languages) and REST details.
    func fromGitHub() async throws -> [RepositoryEvidence] {
        let config = try Config(environment: ProcessInfo.processInfo.environment)
        guard let token = config[.githubToken] else {
            throw APIError.badRequest("github_token_required", "Set GITHUB_TOKEN to a GitHub token (scopes read:user, and repo for private repositories).")
        }
        let github = GitHub(transport: URLSessionTransport(timeout: 30), config: config)
        let cache = MemoryGitHubCache()
        FileHandle.standardError.write(Data("[1/\(repos.count + 1)] importing the repository list from GitHub\n".utf8))
        let imported = try await github.repositories(memberID: 0, token: token, cache: cache)
        var evidence: [RepositoryEvidence] = []
        for (i, name) in repos.enumerated() {
            guard let repo = imported.repositories.first(where: { $0.nameWithOwner.lowercased() == name.lowercased() }) else {
                throw APIError.badRequest("unknown_repositories", "\(name) is not among \(imported.login)'s repositories.")
            }
            FileHandle.standardError.write(Data("[\(i + 2)/\(repos.count + 1)] reading \(repo.nameWithOwner)\n".utf8))
            evidence.append(RepositoryEvidence(github: repo, details: try await github.fetchDetails(for: repo.nameWithOwner,
                                                                                                   login: imported.login, token: token)))
        }
        return evidence
    }
}

enum ResumeFormat: String, ExpressibleByArgument, CaseIterable {
    case json, jsonresume, markdown, html, pdf, png

    /// The format a file name asks for: `.md`, `.html`, `.pdf`, `.png`; JSON otherwise.
    init(fileName: String?) {
        switch fileName.map({ URL(fileURLWithPath: $0).pathExtension.lowercased() }) {
        case "md", "markdown": self = .markdown
        case "html", "htm": self = .html
        case "pdf": self = .pdf
        case "png": self = .png
        default: self = .json
        }
    }
}
