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
