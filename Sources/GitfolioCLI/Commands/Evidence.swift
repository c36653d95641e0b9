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
