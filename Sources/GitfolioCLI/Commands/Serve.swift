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
