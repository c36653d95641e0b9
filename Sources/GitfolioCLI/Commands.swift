import ArgumentParser
import Foundation
import FunctionRuntime
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

public struct GitfolioCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gitfolio",
        abstract: "Gitfolio: GitHub work into resumes. Builds the static site and runs its functions.",
        subcommands: [Build.self, Serve.self, Migrate.self, Deploy.self, Evidence.self, ResumeCommand.self, Render.self, Import.self, Bench.self],
        defaultSubcommand: Serve.self)

    public init() {}
}

/// Paths shared by the commands; defaults are relative to the repository root.
struct SiteOptions: ParsableArguments {
    @Option(help: "Templates, strings and assets.") var site = "site"
    @Option(help: "Content folder (site.json).") var content = "content"
    @Option(help: "Output folder for the built site.") var out = "_site"
    @Option(help: "SQLite database file (default: $GITFOLIO_DB or content/gitfolio.sqlite).") var db: String?

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["GITFOLIO_DB"].flatMap { $0.isEmpty ? nil : $0 } ?? Config.defaultDatabasePath
    }

    func url(_ path: String) -> URL { URL(fileURLWithPath: path).standardizedFileURL }

    func build(database: AppDatabase) throws -> SiteBuilder.Report {
        try SiteBuilder(options: .init(siteDirectory: url(site), contentDirectory: url(content), outputDirectory: url(out)),
                        database: database).build()
    }
}

/// The folder holding the function executables: beside this `gitfolio` binary unless told.
func functionsDirectory(_ option: String?) -> URL {
    if let option { return URL(fileURLWithPath: option).standardizedFileURL }
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    if CommandLine.arguments[0].contains("/") { return exe.deletingLastPathComponent() }
    return (Bundle.main.executableURL ?? exe).deletingLastPathComponent()
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Render the static site from site/, content/ and the database.")
    @OptionGroup var options: SiteOptions

    func run() throws {
        let database = try AppDatabase(path: options.databasePath)
        _ = try options.build(database: database)
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema.")
    @OptionGroup var options: SiteOptions

    func run() throws {
        _ = try AppDatabase(path: options.databasePath)
        print("database ready: \(options.databasePath)")
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site and serve it with its functions (the embedded default).")
    @OptionGroup var options: SiteOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port: UInt16 = 8080
    @Option(help: "Warm processes per function.") var workers = 2
    @Option(help: "Folder of the function executables (default: beside gitfolio).") var functions: String?

    func run() async throws {
        try await serveSite(databasePath: options.url(options.databasePath).path, out: options.out,
                            build: { try options.build(database: $0) }, host: host, port: port,
                            workers: workers, functions: functions)
    }
}

/// `gitfolio serve`: build the site, start warm pools for every function, serve until stopped.
func serveSite(databasePath dbPath: String, out: String, build: (AppDatabase) throws -> SiteBuilder.Report,
               host: String, port: UInt16, workers: Int, functions: String?) async throws {
    signal(SIGPIPE, SIG_IGN)
    let env = ProcessInfo.processInfo.environment
    let database = try AppDatabase(path: dbPath)
    _ = try build(database)

    var workerEnv = env
    workerEnv["GITFOLIO_DB"] = dbPath
    workerEnv["GITFOLIO_FUNCTION_MODE"] = "warm"
    if env["GITFOLIO_PUBLIC_URL"] == nil { workerEnv["GITFOLIO_PUBLIC_URL"] = "http://\(host):\(port)" }
    let config = try Config(environment: workerEnv)
    let loopback = host.hasPrefix("127.") || host == "localhost"
    var localKey: String?
    if config.github == nil && loopback {
        localKey = Secrets.randomToken()
        workerEnv["GITFOLIO_LOCAL_SIGNIN_KEY"] = localKey
    } else {
        workerEnv.removeValue(forKey: "GITFOLIO_LOCAL_SIGNIN_KEY")
    }
    let dir = functionsDirectory(functions)
    var pools: [String: FunctionPool] = [:]
    for name in Functions.names {
        let exe = dir.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: exe.path) else {
            throw ValidationError("The function executable \(exe.path) is missing; run `swift build` first or pass --functions.")
        }
        pools[name] = FunctionPool(name: name, executable: exe, environment: workerEnv, size: workers)
    }
    let server = SiteServer(host: host, port: port, siteDirectory: URL(fileURLWithPath: out).standardizedFileURL.path, pools: pools,
                            localSignInKey: localKey)
    let github = config.github != nil
    let localOn = localKey != nil
    try await server.run { actual in
        print("Gitfolio is serving http://\(host):\(actual)/  (site: \(out), database: \(dbPath))")
        print(github ? "GitHub sign-in: on" : "GitHub sign-in: off (no GITHUB_CLIENT_ID); local sign-in: \(localOn ? "on, loopback only" : "off")")
        print("Press Ctrl-C to stop.")
        fflush(nil)
    }
}

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a lighttpd configuration that serves the built site and runs the functions as CGI.")
    @OptionGroup var options: SiteOptions
    @Option(help: "Port for lighttpd.") var port: UInt16 = 8081
    @Option(help: "Address for lighttpd.") var host = "127.0.0.1"
    @Option(help: "Folder to write lighttpd.conf and cgi-bin/ into.") var dir = "deploy/run"
    @Option(help: "Folder of the function executables (default: beside gitfolio).") var functions: String?
    @Option(help: "Public URL of the site (default: http://host:port).") var publicURL: String?

    func run() throws {
        let env = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        let target = options.url(dir)
        let cgi = target.appendingPathComponent("cgi-bin")
        try fm.createDirectory(at: cgi, withIntermediateDirectories: true)
        let source = functionsDirectory(functions)
        for name in Functions.names {
            let link = cgi.appendingPathComponent(name)
            try? fm.removeItem(at: link)
            try fm.createSymbolicLink(at: link, withDestinationURL: source.appendingPathComponent(name))
        }
        var settings: [(String, String)] = [
            ("GITFOLIO_DB", options.url(options.databasePath).path),
            ("GITFOLIO_PUBLIC_URL", publicURL ?? env["GITFOLIO_PUBLIC_URL"] ?? "http://\(host):\(port)"),
        ]
        for name in ["GITFOLIO_SECRET_KEY", "GITFOLIO_SECRET_FILE", "GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET",
                     "GITHUB_OAUTH_URL", "GITHUB_API_URL", "GITFOLIO_LOG_LEVEL"] {
            if let value = env[name], !value.isEmpty { settings.append((name, value)) }
        }
        let conf = LighttpdConfig(host: host, port: port, documentRoot: options.url(options.out).path,
                                  cgiDirectory: cgi.path, logDirectory: target.path, environment: settings).render()
        let confURL = target.appendingPathComponent("lighttpd.conf")
        try Data(conf.utf8).write(to: confURL)
        // The file may hold the GitHub client secret.
        chmod(confURL.path, 0o600)
        print("wrote \(confURL.path); run: lighttpd -D -f \(confURL.path)")
    }
}

/// A lighttpd configuration: the static site as the document root, `/api/<name>` as CGI.
public struct LighttpdConfig {
    public var host: String
    public var port: UInt16
    public var documentRoot: String
    public var cgiDirectory: String
    public var logDirectory: String
    public var environment: [(String, String)]

    public init(host: String, port: UInt16, documentRoot: String, cgiDirectory: String, logDirectory: String,
                environment: [(String, String)]) {
        self.host = host
        self.port = port
        self.documentRoot = documentRoot
        self.cgiDirectory = cgiDirectory
        self.logDirectory = logDirectory
        self.environment = environment
    }

    static func quote(_ s: String) -> String {
        "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    public func render() -> String {
        let names = Functions.names.joined(separator: "|")
        let env = environment.map { "  \(Self.quote($0.0)) => \(Self.quote($0.1))" }.joined(separator: ",\n")
        return """
        # Generated by `gitfolio deploy`. Serves the built site and runs each function as CGI/1.1.
        # Bodies up to 2 MiB reach the functions, which refuse anything over 1 MiB with a JSON 413.
        server.modules = ("mod_access", "mod_alias", "mod_setenv", "mod_cgi")
        server.bind = \(Self.quote(host))
        server.port = \(port)
        server.document-root = \(Self.quote(documentRoot))
        server.errorlog = \(Self.quote(logDirectory + "/lighttpd-error.log"))
        server.max-request-size = 2048
        index-file.names = ("index.html")
        url.access-deny = ("~", ".inc", ".gitfolio-build.json")
        mimetype.assign = (
          ".html" => "text/html; charset=utf-8", ".css" => "text/css; charset=utf-8",
          ".js" => "text/javascript; charset=utf-8", ".json" => "application/json", ".png" => "image/png",
          ".svg" => "image/svg+xml", ".pdf" => "application/pdf", ".txt" => "text/plain; charset=utf-8"
        )
        $HTTP["url"] =~ "^/api/" {
          $HTTP["url"] =~ "^/api/(\(names))$" {
            alias.url = ("/api/" => \(Self.quote(cgiDirectory + "/")))
            cgi.assign = ("" => "")
            cgi.execute-x-only = "enable"
            setenv.add-environment = (
        \(env)
            )
          } else {
            url.access-deny = ("")
          }
        }

        """
    }
}

extension GitfolioCommand {
    /// Parses the arguments and runs the chosen command, async or not (the thin `main.swift` calls this).
    public static func runFromCommandLine() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: error)
        }
    }
}

struct Evidence: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Analyse a git repository on disk and print its evidence as JSON (offline, no GitHub account).")
    @Option(help: "The repository folder.") var repo: String
    @Option(name: .customLong("author"), help: "An email the member commits with; repeat for several.") var authors: [String] = []
    @Option(help: "Write the JSON here instead of standard output.") var out: String?

    func run() throws {
        let url = URL(fileURLWithPath: repo).standardizedFileURL
        FileHandle.standardError.write(Data("analysing \(url.path) for \(authors.joined(separator: ", "))…\n".utf8))
        let evidence: RepositoryEvidence
        do {
            evidence = try LocalRepositoryAnalyzer(repository: url, authorEmails: authors).analyze()
        } catch let error as APIError {
            throw ValidationError(error.message)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(evidence) + Data("\n".utf8)
        if let out { try data.write(to: URL(fileURLWithPath: out)) } else { FileHandle.standardOutput.write(data) }
    }
}

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
    @Option(help: "Your name on the resume.") var name = ""
    @Option(help: "What to emphasise, e.g. \"Spring Boot\"; only technologies in the evidence are used.") var request = ""
    @Option(help: "Output file (standard output when omitted).") var out: String?
    @Option(help: "json (Gitfolio's document), jsonresume (the JSON Resume schema), markdown, html, pdf or png (first page); default from --out's extension.")
    var format: ResumeFormat?

    func run() async throws {
        guard !repos.isEmpty else { throw ValidationError("Name at least one --repo.") }
        var evidence: [RepositoryEvidence] = []
        do {
            evidence = github ? try await fromGitHub() : try repos.enumerated().map { i, repo in
                FileHandle.standardError.write(Data("[\(i + 1)/\(repos.count)] analysing \(repo)\n".utf8))
                return try LocalRepositoryAnalyzer(repository: URL(fileURLWithPath: repo).standardizedFileURL, authorEmails: authors).analyze()
            }
        } catch let error as APIError {
            throw ValidationError(error.message)
        }
        let profile = Profile(name: name, email: authors.first ?? "")
        let draft = OfflineWriter().write(evidence: evidence, profile: profile, template: template, language: lang, request: request)
        let (resume, findings) = Grounding(evidence: evidence).check(draft)
        for finding in findings {
            FileHandle.standardError.write(Data("grounding: removed \(finding.kind.rawValue) '\(finding.value)' at \(finding.location)\n".utf8))
        }
        try writeResume(resume, format: format, out: out)
    }
}

extension ResumeCommand {
    /// The chosen repositories from GitHub: the import (for the list and languages) and REST details.
    func fromGitHub() async throws -> [RepositoryEvidence] {
        let env = ProcessInfo.processInfo.environment
        guard let token = env["GITHUB_TOKEN"], !token.isEmpty else {
            throw APIError.badRequest("github_token_required", "Set GITHUB_TOKEN to a GitHub token (scopes read:user, and repo for private repositories).")
        }
        let api = URL(string: env["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.github.com")!
        let client = GitHubDataClient(transport: URLSessionTransport(timeout: 30), apiURL: api, cache: MemoryImportCache())
        FileHandle.standardError.write(Data("[1/\(repos.count + 1)] importing the repository list from GitHub\n".utf8))
        let imported = try await client.repositories(memberID: 0, token: token)
        var evidence: [RepositoryEvidence] = []
        for (i, name) in repos.enumerated() {
            guard let repo = imported.repositories.first(where: { $0.nameWithOwner.lowercased() == name.lowercased() }) else {
                throw APIError.badRequest("unknown_repositories", "\(name) is not among \(imported.login)'s repositories.")
            }
            FileHandle.standardError.write(Data("[\(i + 2)/\(repos.count + 1)] reading \(repo.nameWithOwner)\n".utf8))
            evidence.append(RepositoryEvidence(github: repo, details: try await client.details(for: repo.nameWithOwner,
                                                                                              login: imported.login, token: token)))
        }
        return evidence
    }
}

/// A cache for one command run.
final class MemoryImportCache: GitHubImportCache, @unchecked Sendable {
    private let lock = NSLock()
    private var entry: (value: GitHubImport, etag: String?, fetchedAt: Date)?
    func load(memberID: Int64) throws -> (value: GitHubImport, etag: String?, fetchedAt: Date)? { lock.lock(); defer { lock.unlock() }; return entry }
    func save(memberID: Int64, value: GitHubImport, etag: String?, fetchedAt: Date) throws { lock.lock(); entry = (value, etag, fetchedAt); lock.unlock() }
    func touch(memberID: Int64, fetchedAt: Date) throws { lock.lock(); entry?.fetchedAt = fetchedAt; lock.unlock() }
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
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        data = try encoder.encode(resume) + Data("\n".utf8)
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
            resume = try JSONDecoder().decode(Resume.self, from: data)
        } catch {
            throw ValidationError("\(file) is not a Gitfolio resume: \(error)")
        }
        if let template { resume.template = template }
        try writeResume(resume, format: format, out: out)
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read a JSON Resume file (https://jsonresume.org/schema) into a Gitfolio resume.")
    @Argument(help: "The JSON Resume file.") var file: String
    @Option(help: "BASIC, STAR or GITFOLIO (for files not made by Gitfolio).") var template: Template = .basic
    @Option(help: "ko or en (for files not made by Gitfolio).") var lang: Language = .ko
    @Option(help: "Output file (standard output when omitted).") var out: String?
    @Option(help: "json, jsonresume, markdown, html, pdf or png (first page); default from --out's extension.") var format: ResumeFormat?

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ValidationError("\(file) cannot be read.") }
        do {
            try writeResume(try JSONResume.import(data, template: template, language: lang), format: format, out: out)
        } catch let error as APIError {
            throw ValidationError("\(file): \(error.message)")
        }
    }
}
