import ArgumentParser
import Foundation
import GitfolioBench
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

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render the static site from site/, content/ and the database.",
        discussion: """
        Without options: a full build (outputs whose inputs did not change are not rewritten).
        --changes renders only what the functions recorded since the last build (a like, a publish,
        a withdrawal) and refreshes the hub's counts: run it from a timer for a CGI deployment.
        --follow does a full build and then keeps the site current, catching up every half second.
        """)
    @OptionGroup var options: SiteOptions
    @Flag(help: "Catch up with the recorded changes only (for a timer).") var changes = false
    @Flag(help: "Build, then keep catching up until stopped (for a service beside a CGI runner).") var follow = false

    func validate() throws {
        if changes && follow { throw ValidationError("Pass --changes or --follow, not both.") }
    }

    func run() throws {
        let database = try AppDatabase(path: options.databasePath, create: true)
        if changes {
            let builder = options.builder(database: database)
            if let report = builder.catchUpOnce(refreshingCounts: true) {
                print("wrote \(report.written.count), removed \(report.removed.count)")
            } else {
                print("nothing to catch up with")
            }
            return
        }
        _ = try options.build(database: database)
        if follow {
            print("following the database's changes (Ctrl-C to stop)")
            fflush(nil)
            options.builder(database: try AppDatabase(path: options.databasePath)).follow()
            while true { sleep(3600) }
        }
    }
}

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or update the database schema.")
    @OptionGroup var options: SiteOptions

    func run() throws {
        _ = try AppDatabase(path: options.databasePath, create: true)
        print("database ready: \(options.databasePath)")
    }
}

struct SeedHub: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed-hub",
        abstract: "Fill a database with a synthetic hub: varied public resumes with likes and views (for trying the hub, and benchmarks).")
    @OptionGroup var options: SiteOptions
    @Option(help: "Public resumes to publish (ten per synthetic member).") var count = 200
    @Option(help: "Seed of the generator (the same seed gives the same hub).") var seed: UInt64 = 12

    func run() throws {
        let database = try AppDatabase(path: options.databasePath, create: true)
        let start = Date()
        let ids = try SyntheticHub.generate(database: database, count: count, seed: seed) { print($0); fflush(nil) }
        print(String(format: "published %d synthetic resumes in %.1f s into %@; run `gitfolio build` or `gitfolio serve` to see them",
                     ids.count, Date().timeIntervalSince(start), options.databasePath))
    }
}
