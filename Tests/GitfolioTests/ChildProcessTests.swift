import Foundation
import GitfolioCore
import GitfolioTestSupport
import Testing

/// Every child process, in the product and in the tests, is started through `ChildProcesses`: two
/// starts at once let one child inherit the other's exit-notification socket (see `ChildProcesses`),
/// which once held the whole suite until CI's limit. The race is too rare to catch by running (one start
/// in 200 here, against a concurrent `sleep`), so the rule is checked in the sources.
@Suite struct ChildProcessTests {
    static let folders = ["Sources", "Tests"]

    /// The Swift files of the package, as (path relative to the package root, text).
    static func sources() throws -> [(path: String, text: String)] {
        let root = Built.packageRoot
        var files: [(String, String)] = []
        for folder in folders {
            let base = root.appendingPathComponent(folder)
            guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker where url.pathExtension == "swift" {
                let relative = folder + "/" + url.path.dropFirst(base.path.count + 1)
                files.append((relative, try String(contentsOf: url, encoding: .utf8)))
            }
        }
        return files
    }

    /// Places in `text` that start a child without `ChildProcesses`: `X.run()` for a variable made by
    /// `Process()`, `posix_spawn(` outside `ChildProcesses.starting`, and a `Pipe()` of Foundation's.
    static func directStarts(in text: String) -> [String] {
        var found: [String] = []
        let declared = try! NSRegularExpression(pattern: #"\b(?:let|var)\s+(\w+)\s*=\s*Process\(\)"#)
        let range = NSRange(text.startIndex..., in: text)
        let names = Set(declared.matches(in: text, range: range).compactMap { Range($0.range(at: 1), in: text).map { String(text[$0]) } })
        for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let code = line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            for name in names where code.contains("\(name).run()") {
                found.append("line \(number + 1): \(name).run()")
            }
            if code.contains("posix_spawn("), !code.contains("ChildProcesses.starting") {
                found.append("line \(number + 1): posix_spawn outside ChildProcesses.starting")
            }
            if code.range(of: #"(?<![\w.])Pipe\(\)"#, options: .regularExpression) != nil {
                found.append("line \(number + 1): Pipe() instead of ChildProcesses.pipe()")
            }
        }
        return found
    }

    @Test func everyChildIsStartedOneAtATime() throws {
        let files = try Self.sources()
        #expect(files.count > 100, "the package's sources were not found under \(Built.packageRoot.path)")
        // The rule itself finds what it is meant to find.
        #expect(Self.directStarts(in: "let p = Process()\ntry p.run()\n").count == 1)
        #expect(Self.directStarts(in: "let rc = posix_spawn(&pid, path, nil, nil, argv, envp)\n").count == 1)
        #expect(Self.directStarts(in: "let out = Pipe(), err = Pipe()\n").count == 1)
        #expect(Self.directStarts(in: "let p = Process()\ntry p.runAlone()\nlet rc = ChildProcesses.starting { posix_spawn(&pid, path, nil, nil, argv, envp) }\nlet out = ChildProcesses.pipe()\n").isEmpty)
        for (path, text) in files where !["Tests/GitfolioTests/ChildProcessTests.swift", "Sources/GitfolioCore/ChildProcesses.swift"].contains(path) {
            let starts = Self.directStarts(in: text)
            #expect(starts.isEmpty, "\(path) starts a child process outside ChildProcesses: \(starts)")
        }
    }
}
