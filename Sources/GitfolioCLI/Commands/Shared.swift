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

/// Paths shared by the commands; defaults are relative to the repository root.
struct SiteOptions: ParsableArguments {
    @Option(help: "Templates, strings and assets.") var site = "site"
    @Option(help: "Content folder (site.json).") var content = "content"
    @Option(help: "Output folder for the built site.") var out = "_site"
    @Option(help: "SQLite database file (default: $GITFOLIO_DB or content/gitfolio.sqlite).") var db: String?

    var databasePath: String {
        db ?? (try? Config(environment: ProcessInfo.processInfo.environment))?.databasePath ?? Config.defaultDatabasePath
    }

    func url(_ path: String) -> URL { URL(fileURLWithPath: path).standardizedFileURL }

    func builder(database: AppDatabase) -> SiteBuilder {
        var options = SiteBuilder.Options(siteDirectory: url(site), contentDirectory: url(content), outputDirectory: url(out))
        if let config = try? Config(environment: ProcessInfo.processInfo.environment) {
            options.publicURL = config.publicURL.description
        }
        return SiteBuilder(options: options, database: database)
    }

    func build(database: AppDatabase) throws -> SiteBuilder.Report {
        try builder(database: database).build()
    }
}
