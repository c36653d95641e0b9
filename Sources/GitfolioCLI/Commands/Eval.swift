import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioEvidence

/// `gitfolio eval`: technology detection against what a reader of each repository would list.
struct Eval: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure technology detection (precision, recall) on clones of public repositories against written-down expectations.")
    @Option(help: "The expectations (see Tests/Evaluation/expected.json).") var expected = "Tests/Evaluation/expected.json"
    @Option(help: "The folder with the clones: <owner>+<name>, <name> or <owner>/<name> for each repository.") var repos = "/work/eval-repos"
    @Flag(help: "Print the per-repository table as Markdown.") var markdown = false

    struct Expectations: Decodable {
        struct Repository: Decodable {
            var name: String
            var url: String
            var commit: String
            var ecosystem: String
            var author: String
            var expected: [String]
        }
        var repositories: [Repository]
    }

    struct Score {
        var name: String, ecosystem: String, commit: String
        var found: Set<String>, expected: Set<String>, uncatalogued: [String]
        var seconds: Double
        var truePositives: Int { found.intersection(expected).count }
        var precision: Double { found.isEmpty ? 1 : Double(truePositives) / Double(found.count) }
        var recall: Double { expected.isEmpty ? 1 : Double(truePositives) / Double(expected.count) }
    }

    func run() throws {
        guard let data = FileManager.default.contents(atPath: expected) else { throw ValidationError("\(expected) cannot be read.") }
        let spec = try JSONDecoder().decode(Expectations.self, from: data)
        var scores: [Score] = []
        for repo in spec.repositories {
            let parts = repo.url.split(separator: "/").suffix(2).map(String.init)
            let candidates = ["\(parts[0])+\(parts[1])", parts[1], "\(parts[0])/\(parts[1])"].map { URL(fileURLWithPath: repos).appendingPathComponent($0) }
            guard let clone = candidates.first(where: { FileManager.default.fileExists(atPath: $0.appendingPathComponent(".git").path) }) else {
                print("skip \(repo.name): no clone under \(repos) (clone \(repo.url) at \(repo.commit.prefix(12)) to include it)")
                continue
            }
            let head = (try? Git(repository: clone).run(["rev-parse", "HEAD"])).map { String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) }
            if head != repo.commit { print("note \(repo.name): the clone is at \(head ?? "?"), the expectations at \(repo.commit)") }
            let t0 = Date()
            let evidence = try LocalRepositoryAnalyzer(repository: clone, authorEmails: [repo.author]).analyze()
            let seconds = Date().timeIntervalSince(t0)
            let found = Set(evidence.technologies.filter { $0.uncatalogued != true }.map(\.name))
            scores.append(Score(name: repo.name, ecosystem: repo.ecosystem, commit: repo.commit, found: found, expected: Set(repo.expected),
                                uncatalogued: evidence.technologies.filter { $0.uncatalogued == true }.map(\.name), seconds: seconds))
        }
        guard !scores.isEmpty else {
            print("No repository was found under \(repos): nothing to evaluate (see docs/EVALUATION.md to bring them in).")
            return
        }
        if markdown {
            print("| repository | ecosystem | commit | found | expected | precision | recall | analysis |")
            print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        }
        for s in scores {
            if markdown {
                print(String(format: "| %@ | %@ | `%@` | %d | %d | %.2f | %.2f | %.2f s |", s.name, s.ecosystem, String(s.commit.prefix(12)),
                             s.found.count, s.expected.count, s.precision, s.recall, s.seconds))
            } else {
                print(String(format: "%@  precision %.2f (%d/%d)  recall %.2f (%d/%d)  %.2f s", s.name, s.precision, s.truePositives, s.found.count,
                             s.recall, s.truePositives, s.expected.count, s.seconds))
                let missed = s.expected.subtracting(s.found).sorted(), extra = s.found.subtracting(s.expected).sorted()
                if !missed.isEmpty { print("  missed: \(missed.joined(separator: ", "))") }
                if !extra.isEmpty { print("  not expected: \(extra.joined(separator: ", "))") }
                if !s.uncatalogued.isEmpty { print("  uncatalogued, heavily used (not scored): \(s.uncatalogued.joined(separator: ", "))") }
            }
        }
        let tp = scores.map(\.truePositives).reduce(0, +), found = scores.map(\.found.count).reduce(0, +), exp = scores.map(\.expected.count).reduce(0, +)
        let precision = Double(tp) / Double(max(1, found)), recall = Double(tp) / Double(max(1, exp))
        let macroP = scores.map(\.precision).reduce(0, +) / Double(scores.count), macroR = scores.map(\.recall).reduce(0, +) / Double(scores.count)
        print(String(format: "overall (%d repositories): precision %.3f (%d/%d), recall %.3f (%d/%d); per-repository mean precision %.3f, recall %.3f",
                     scores.count, precision, tp, found, recall, tp, exp, macroP, macroR))
    }
}
