import Foundation
@testable import GitfolioEvidence
import Testing

/// The byte-level subject rules give what the regular expressions give, or step aside.
@Suite struct TroubleshootingScannerTests {
    typealias A = LocalRepositoryAnalyzer

    static let texts: [String] = [
        "Fix crash when the cart is empty", "fixes #12", "FIXED the build", "prefix handling", "fixture update", "fix_thing", "fix-thing",
        "bugfix: x", "Bugs in parser", "debug output", "errors?", "error-prone", "crashed.", "crashing", "Exception", "exceptionally",
        "leak", "leaky", "race condition", "racer", "Deadlock", "timeout", "time-out", "Time-Outs", "time out", "timeouts!", "timeoutx",
        "slow query", "slowly", "N+1 queries", "n+1", "n+12", "an+1", "n +1", "memory", "perf", "performance", "performances",
        "optimise", "Optimized", "optimizes", "optimizers", "broken", "fail", "fails", "failing", "failed", "failure", "incorrect",
        "wrong", "prevent", "prevents", "prevented", "resolve", "resolves", "resolved", "resolvesd", "hang", "hangs", "hanged",
        "typo", "Typos fixed", "bump deps", "dependabot[bot]", "upgrade dependencies", "upgrade dependenc", "Update dependenc.",
        "update  dependenc", "readme", "README.md", "lint", "linting", "formatting", "prettier", "Merge branch 'main'", "merge  branch",
        "WIP", "wip:", "because", "Caused by", "cause", "due to", "due  to", "Due to.", "root cause", "the reason", "The Reason", "when",
        "whenever", "_when_", "2when", "when2", "", " ", "\t", "a\tb", "fix\ttab",
        "feat(api)!: add x", "feat: x", "fix(scope): y", "Fix: z", "fix(unclosed: z", "fix(a)(b): z", "fix!:x", "fix !: x", "1fix: x",
        "[Fix] memory leak", "[fix]x", "[Fix]", "[F1x] y", "[] y", "[Fix y", "docs: fix typo", "refactor(core): fix race",
        "Add thing (#12)", "Add thing (#12)  ", "Add thing  (#12) ", "(#3)", "x (#)", "x (# 3)", "x (#3) y", "x (#1) (#2)", "x(#42)",
        "x (#3)\t", "Merge pull request #31 from a/b", "Merge pull request #", "Merge pull request #7x",
        // Not plain ASCII: the scanner steps aside.
        "결제 오류 수정", "fix 버그", "café crash", "fix\nnewline", "fix\r\n", "a\u{0B}b", "x (#3)\u{A0}", "\u{7F}fix",
    ]

    @Test func wordListsAgreeWithTheRegularExpressions() {
        for text in Self.texts {
            for (words, pattern) in [(SubjectScanner.problemWords, A.problemWords), (SubjectScanner.noise, A.noise),
                                     (SubjectScanner.causeWords, A.causeWords)] {
                let expected = text.range(of: pattern, options: .regularExpression) != nil
                if let found = words.found(in: text) {
                    #expect(found == expected, "\(pattern.prefix(30)) on \(text.debugDescription)")
                } else {
                    #expect(!text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }, "gave up on \(text.debugDescription)")
                }
                // What the analyzer uses, whichever way it goes.
                #expect(A.contains(text, words, pattern) == expected)
            }
        }
    }

    @Test func subjectPrefixesAndSuffixesAgree() {
        func offsets(_ text: String, _ r: Range<String.Index>?) -> Range<Int>? {
            r.map { text.utf8.distance(from: text.startIndex, to: $0.lowerBound)..<text.utf8.distance(from: text.startIndex, to: $0.upperBound) }
        }
        for text in Self.texts {
            let plain = text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F || $0 == 0x09 }
            let suffix = offsets(text, text.range(of: #"\s*\(#(\d+)\)\s*$"#, options: .regularExpression))
            let type = offsets(text, text.range(of: #"^[A-Za-z]+(\([^)]*\))?!?:\s*"#, options: .regularExpression))
            let bracket = offsets(text, text.range(of: #"^\[[A-Za-z]+\]\s*"#, options: .regularExpression))
            if plain {
                #expect(SubjectScanner.pullRequestSuffix(text) == .some(suffix), "\(text.debugDescription)")
                #expect(SubjectScanner.conventionalType(text) == .some(type.map(\.upperBound)), "\(text.debugDescription)")
                #expect(SubjectScanner.bracketType(text) == .some(bracket.map(\.upperBound)), "\(text.debugDescription)")
            } else {
                #expect(SubjectScanner.pullRequestSuffix(text) == nil && SubjectScanner.conventionalType(text) == nil
                        && SubjectScanner.bracketType(text) == nil)
            }
            // The analyzer's helpers give the regular expressions' ranges either way.
            #expect(offsets(text, A.pullRequestSuffix(text)) == suffix, "\(text.debugDescription)")
            #expect(offsets(text, A.conventionalType(text)) == type, "\(text.debugDescription)")
            #expect(offsets(text, A.bracketType(text)) == bracket, "\(text.debugDescription)")
        }
    }

    /// Generated subjects from the patterns' pieces agree as well.
    @Test func generatedSubjectsAgree() {
        let pieces = ["fix", "Fix", "es", "ed", "time", "-", "out", "s", "n", "+", "1", " ", "  ", "\t", "(", ")", "#", "12", "!", ":", "[",
                      "]", "due", "to", "root", "cause", "merge", "branch", "update", "dependenc", "ies", "bug", "_", "x", ".", "한", "\n"]
        var state: UInt64 = 42
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        for _ in 0..<3000 {
            let text = (0..<(next() % 8 + 1)).map { _ in pieces[next() % pieces.count] }.joined()
            for (words, pattern) in [(SubjectScanner.problemWords, A.problemWords), (SubjectScanner.noise, A.noise),
                                     (SubjectScanner.causeWords, A.causeWords)] {
                #expect(A.contains(text, words, pattern) == (text.range(of: pattern, options: .regularExpression) != nil),
                        "\(text.debugDescription)")
            }
            #expect(A.pullRequestSuffix(text) == text.range(of: #"\s*\(#(\d+)\)\s*$"#, options: .regularExpression), "\(text.debugDescription)")
            #expect(A.conventionalType(text) == text.range(of: #"^[A-Za-z]+(\([^)]*\))?!?:\s*"#, options: .regularExpression), "\(text.debugDescription)")
            #expect(A.bracketType(text) == text.range(of: #"^\[[A-Za-z]+\]\s*"#, options: .regularExpression), "\(text.debugDescription)")
        }
    }
}
