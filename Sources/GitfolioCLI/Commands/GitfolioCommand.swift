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

public struct GitfolioCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "gitfolio",
        abstract: "Gitfolio: GitHub work into resumes. Builds the static site and runs its functions.",
        subcommands: [Build.self, Serve.self, Migrate.self, Deploy.self, SeedHub.self, Evidence.self, ResumeCommand.self, Render.self, Import.self, Eval.self, Nightly.self, Bench.self],
        defaultSubcommand: Serve.self)

    public init() {}
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
