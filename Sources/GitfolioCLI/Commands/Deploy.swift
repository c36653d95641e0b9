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
        let config = try Config(environment: ProcessInfo.processInfo.environment)
        let fm = FileManager.default
        // The functions open an existing database only: make it (and bring its schema up to date) now.
        let databasePath = options.url(options.databasePath).path
        _ = try AppDatabase(path: databasePath, create: true)
        let target = options.url(dir)
        let cgi = target.appendingPathComponent("cgi-bin")
        try fm.createDirectory(at: cgi, withIntermediateDirectories: true)
        let source = functionsDirectory(functions)
        for name in FunctionCatalog.names {
            let link = cgi.appendingPathComponent(name)
            try? fm.removeItem(at: link)
            try fm.createSymbolicLink(at: link, withDestinationURL: source.appendingPathComponent(name))
        }
        // Every operator setting the functions read (Config.Variable), so a CGI deployment runs with
        // the same configuration as `serve`: the model, GitHub, the keys.
        let settings = config.functionEnvironment(overriding: [
            .database: databasePath,
            .publicURL: publicURL ?? config[.publicURL] ?? "http://\(host):\(port)",
            .siteDirectory: options.url(options.out).path,
        ])
        let conf = LighttpdConfig(host: host, port: port, documentRoot: options.url(options.out).path,
                                  cgiDirectory: cgi.path, logDirectory: target.path, environment: settings).render()
        let confURL = target.appendingPathComponent("lighttpd.conf")
        try Data(conf.utf8).write(to: confURL)
        // The file may hold secrets (the GitHub client secret, the model's key).
        chmod(confURL.path, 0o600)

        // What keeps the pages current: the site builder following the changes the functions record.
        let follower = SiteFollower(gitfolio: currentExecutable(),
                                    arguments: ["--site", options.url(options.site).path, "--content", options.url(options.content).path,
                                                "--out", options.url(options.out).path, "--db", databasePath],
                                    publicURL: publicURL ?? config[.publicURL] ?? "http://\(host):\(port)",
                                    workingDirectory: FileManager.default.currentDirectoryPath)
        let unitURL = target.appendingPathComponent(SiteFollower.unitName)
        try Data(follower.systemdUnit().utf8).write(to: unitURL)
        let cronURL = target.appendingPathComponent("crontab")
        try Data(follower.crontab().utf8).write(to: cronURL)
        print("""
        wrote \(confURL.path); run: lighttpd -D -f \(confURL.path)
        The static pages catch up with likes, comments and publishing through the site builder:
          as a service (within a second):  sudo cp \(unitURL.path) /etc/systemd/system/ && sudo systemctl enable --now \(SiteFollower.unitName)
          or in the foreground:             \(follower.command(["build", "--follow"]))
          or from cron (within a minute):   crontab \(cronURL.path)
        """)
        // The nightly batch's scheduler (a systemd timer at midnight Asia/Seoul), with the same settings.
        try NightlySchedule(gitfolio: currentExecutable(), workingDirectory: fm.currentDirectoryPath,
                            environmentFile: target.appendingPathComponent("nightly.env").path, environment: settings).write(to: target)
        print("""
        The nightly batch (subscription charges, clean-up) runs from a systemd timer at midnight Asia/Seoul:
          sudo cp \(target.path)/gitfolio-nightly.{service,timer} /etc/systemd/system/ && sudo systemctl enable --now gitfolio-nightly.timer
        """)
    }
}

/// The site builder beside a CGI runner: `gitfolio build --follow` as a systemd service, or
/// `gitfolio build --changes` from cron where there is no systemd.
struct SiteFollower {
    static let unitName = "gitfolio-site.service"
    var gitfolio: String
    var arguments: [String]
    var publicURL: String
    var workingDirectory: String

    func command(_ subcommand: [String]) -> String {
        ([gitfolio] + subcommand + arguments).map(Self.shellQuote).joined(separator: " ")
    }

    static func shellQuote(_ s: String) -> String {
        s.allSatisfy { $0.isLetter || $0.isNumber || "/-_.:=@,+".contains($0) } ? s : "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    func systemdUnit() -> String {
        """
        # Generated by `gitfolio deploy`: keeps the static site current while lighttpd runs the functions.
        [Unit]
        Description=Gitfolio site builder (catches up with likes, comments and publishing)
        After=local-fs.target

        [Service]
        Type=simple
        WorkingDirectory=\(workingDirectory)
        Environment=GITFOLIO_PUBLIC_URL=\(publicURL)
        ExecStart=\(command(["build", "--follow"]))
        Restart=always
        RestartSec=2

        [Install]
        WantedBy=multi-user.target

        """
    }

    func crontab() -> String {
        """
        # Generated by `gitfolio deploy`: where there is no systemd, catch up once a minute.
        * * * * * cd \(Self.shellQuote(workingDirectory)) && GITFOLIO_PUBLIC_URL=\(Self.shellQuote(publicURL)) \(command(["build", "--changes"])) >/dev/null

        """
    }
}

/// The path of the running gitfolio executable.
func currentExecutable() -> String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
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
        let names = FunctionCatalog.names.joined(separator: "|")
        let env = environment.map { "  \(Self.quote($0.0)) => \(Self.quote($0.1))" }.joined(separator: ",\n")
        let security = SecurityHeaders.fields.map { "  \(Self.quote($0.name)) => \(Self.quote($0.value))" }.joined(separator: ",\n")
        return """
        # Generated by `gitfolio deploy`. Serves the built site and runs each function as CGI/1.1.
        # Bodies up to 2 MiB reach the functions, which refuse anything over 1 MiB with a JSON 413.
        server.modules = ("mod_access", "mod_alias", "mod_setenv", "mod_cgi")
        server.bind = \(Self.quote(host))
        server.port = \(port)
        server.document-root = \(Self.quote(documentRoot))
        server.errorlog = \(Self.quote(logDirectory + "/lighttpd-error.log"))
        server.max-request-size = 2048
        # No cached stat or file: a withdrawn resume's page must stop being served the moment its file goes.
        server.stat-cache-engine = "disable"
        index-file.names = ("index.html")
        url.access-deny = ("~", ".inc")
        # The builder's own files (manifest, journal, lock) are not for readers.
        $HTTP["url"] =~ "/\\.gitfolio-" { url.access-deny = ("") }
        # The same security headers as `gitfolio serve` (SecurityHeaders), on every response.
        setenv.add-response-header = (
        \(security)
        )
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
