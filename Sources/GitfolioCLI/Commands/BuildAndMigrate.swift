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
    static let configuration = CommandConfiguration(abstract: "Render the static site from site/, content/ and the database.")
    @OptionGroup var options: SiteOptions

    func run() throws {
        let database = try AppDatabase(path: options.databasePath, create: true)
        _ = try options.build(database: database)
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
