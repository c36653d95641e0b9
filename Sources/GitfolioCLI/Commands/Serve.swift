import ArgumentParser
import Foundation
import FunctionCore
import GitfolioCore
import GitfolioEvidence
import GitfolioHTTP
import GitfolioRender
import GitfolioResume
import GitfolioFunctions
import GitfolioStore
import HTTPServer
import SiteBuilder

#if canImport(Glibc)
import Glibc
#endif

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
                            builder: { options.builder(database: $0) }, host: host, port: port,
                            workers: workers, functions: functions)
    }
}

/// `gitfolio serve`: build the site, keep it current, listen, start warm pools for every function,
/// serve until stopped.
func serveSite(databasePath dbPath: String, out: String, builder: (AppDatabase) -> SiteBuilder,
               host: String, port: UInt16, workers: Int, functions: String?) async throws {
    signal(SIGPIPE, SIG_IGN)
    let env = ProcessInfo.processInfo.environment
    let settings = try Config(environment: env)
    let database = try AppDatabase(path: dbPath, create: true)
    _ = try builder(database).build()
    // Likes, comments, publishing and withdrawing reach the static pages within about a second.
    builder(try AppDatabase(path: dbPath)).follow()

    let dir = functionsDirectory(functions)
    for name in FunctionCatalog.names where !FileManager.default.isExecutableFile(atPath: dir.appendingPathComponent(name).path) {
        throw ValidationError("The function executable \(dir.appendingPathComponent(name).path) is missing; run `swift build` first or pass --functions.")
    }
    let loopback = host.hasPrefix("127.") || host == "localhost"
    let localKey = settings.github == nil && loopback ? Secrets.randomToken() : nil
    let siteDirectory = URL(fileURLWithPath: out).standardizedFileURL.path
    let pools = SiteServer.Pools()
    HTTPServerConfiguration.raiseDescriptorLimit()
    let server = try await HTTPServer.start(SiteServer.configuration(host: host, port: Int(port)),
                                            responder: SiteServer(site: StaticSite(root: siteDirectory), pools: pools,
                                                                  localSignInKey: localKey))
    // The workers' settings: the operator's (Config.Variable) plus what this runner decides — the
    // database, warm mode, the local sign-in key, and the public URL with the port actually bound.
    var overrides: [Config.Variable: String] = [.database: dbPath, .functionMode: "warm", .siteDirectory: siteDirectory]
    if settings[.publicURL] == nil { overrides[.publicURL] = "http://\(host):\(server.port)" }
    if let localKey { overrides[.localSignInKey] = localKey }
    var workerEnv = env.filter { Config.Variable(rawValue: $0.key) == nil }
    for (name, value) in settings.functionEnvironment(overriding: overrides) { workerEnv[name] = value }
    var made: [String: FunctionPool] = [:]
    for name in FunctionCatalog.names {
        made[name] = FunctionPool(name: name, executable: dir.appendingPathComponent(name), environment: workerEnv, size: workers,
                                  maxLineBytes: 2 * FunctionLimits.maxEventBytes)
    }
    pools.set(made)
    print("Gitfolio is serving http://\(host):\(server.port)/  (site: \(out), database: \(dbPath))")
    print(settings.github != nil ? "GitHub sign-in: on"
        : "GitHub sign-in: off (no GITHUB_CLIENT_ID); local sign-in: \(localKey != nil ? "on, loopback only" : "off")")
    print("Up to \(server.maxConnections) connections at once.")
    print("Press Ctrl-C to stop.")
    fflush(nil)
    await server.waitUntilStopped()
}
