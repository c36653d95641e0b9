import Foundation

/// Byte-level versions of the regular expressions ``LocalRepositoryAnalyzer/problems(_:authorEmails:)``
/// runs on every commit subject and body sentence, for ASCII text.
///
/// `String.range(of:options: .regularExpression)` runs Swift's `Regex` (simple word boundaries,
/// Character semantics, a compiled pattern kept by Foundation): correct for any text, but it costs
/// tens of microseconds a call, and a history runs several per commit. For text of printable ASCII
/// (plus tabs), the patterns reduce to plain rules on bytes: a Character is a byte, `\w` is
/// `[A-Za-z0-9_]`, `\s` is a space or a tab, case folding is ASCII's and the Korean alternatives
/// cannot match. Every function answers nil for any other text (Hangul, line breaks, control
/// characters), and the caller runs the regular expression.
enum SubjectScanner {
    /// Whether the text is printable ASCII and tabs only.
    static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for c in b where c >= 0x7F || (c < 0x20 && c != 0x09) { return false }
        return true
    }

    @inline(__always) static func isWord(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    @inline(__always) static func isLetter(_ c: UInt8) -> Bool { (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 }

    /// A word list as the patterns `\b(a|b|…)\b` (case-insensitive) give it for ASCII text: single
    /// words, each a whole run of word characters, and phrases of a word, one separator byte and a
    /// word (`time-out`, `n+1`, `due to`).
    struct Words: Sendable {
        let words: Set<[UInt8]>
        let phrases: [([UInt8], UInt8, Set<[UInt8]>)]

        init(_ words: [String], phrases: [(String, Character, [String])] = []) {
            self.words = Set(words.map { Array($0.utf8) })
            self.phrases = phrases.map { (Array($0.0.utf8), $0.1.asciiValue!, Set($0.2.map { Array($0.utf8) })) }
        }

        /// Whether one of the words (or phrases) stands in `text` between word boundaries, or nil
        /// when the text is not plain ASCII.
        func found(in text: String) -> Bool? {
            var text = text
            return text.withUTF8 { b -> Bool? in
                guard isPlain(b) else { return nil }
                // The runs of word characters, lowercased, with the byte that follows each.
                var runs: [(word: [UInt8], start: Int, end: Int)] = []
                var i = 0
                while i < b.count {
                    guard isWord(b[i]) else { i += 1; continue }
                    let start = i
                    var word: [UInt8] = []
                    while i < b.count, isWord(b[i]) { word.append(b[i] | (isLetter(b[i]) ? 0x20 : 0)); i += 1 }
                    if words.contains(word) { return true }
                    runs.append((word, start, i))
                }
                if phrases.isEmpty { return false }
                for k in runs.indices.dropLast() {
                    let (first, _, end) = runs[k]
                    let next = runs[k + 1]
                    guard next.start == end + 1 else { continue }
                    for (head, separator, tails) in phrases where head == first && b[end] == separator && tails.contains(next.word) {
                        return true
                    }
                }
                return false
            }
        }
    }

    /// `(?i)\b(fix(e[sd])?|bugs?|errors?|crash(es|ed)?|exceptions?|leaks?|race|deadlock|time-?outs?|slow|n\+1|memory|
    /// perf(ormance)?|optimi[sz]e[sd]?|broken|fails?|failing|failed|incorrect|wrong|prevents?|resolves?d?|hangs?)\b`
    static let problemWords = Words(
        ["fix", "fixes", "fixed", "bug", "bugs", "error", "errors", "crash", "crashes", "crashed", "exception", "exceptions",
         "leak", "leaks", "race", "deadlock", "timeout", "timeouts", "slow", "memory", "perf", "performance",
         "optimise", "optimize", "optimised", "optimises", "optimized", "optimizes", "broken", "fail", "fails", "failing", "failed",
         "incorrect", "wrong", "prevent", "prevents", "resolve", "resolves", "resolved", "resolvesd", "hang", "hangs"],
        phrases: [("time", "-", ["out", "outs"]), ("n", "+", ["1"])])

    /// `(?i)\b(typos?|bump|dependabot|upgrade dependenc|update dependenc|readme|lint(ing)?|formatting|prettier|merge branch|wip)\b`
    static let noise = Words(
        ["typo", "typos", "bump", "dependabot", "readme", "lint", "linting", "formatting", "prettier", "wip"],
        phrases: [("upgrade", " ", ["dependenc"]), ("update", " ", ["dependenc"]), ("merge", " ", ["branch"])])

    /// `(?i)\b(because|caused|cause|due to|root cause|the reason|when)\b`
    static let causeWords = Words(
        ["because", "caused", "cause", "when"],
        phrases: [("due", " ", ["to"]), ("root", " ", ["cause"]), ("the", " ", ["reason"])])

    /// The UTF-8 offsets of `\s*\(#(\d+)\)\s*$` in `text` (its leftmost match), `.some(nil)` for no
    /// match, nil when the text is not plain ASCII.
    static func pullRequestSuffix(_ text: String) -> Range<Int>?? {
        var text = text
        return text.withUTF8 { b -> Range<Int>?? in
            guard isPlain(b) else { return nil }
            var e = b.count
            while e > 0, isSpace(b[e - 1]) { e -= 1 }
            guard e > 0, b[e - 1] == 0x29 else { return .some(nil) }  // )
            var d = e - 1
            while d > 0, b[d - 1] >= 0x30, b[d - 1] <= 0x39 { d -= 1 }
            guard d < e - 1, d >= 2, b[d - 1] == 0x23, b[d - 2] == 0x28 else { return .some(nil) }  // at least one digit, then `(#`
            var s = d - 2
            while s > 0, isSpace(b[s - 1]) { s -= 1 }
            return .some(s..<b.count)
        }
    }

    /// The UTF-8 length of `^[A-Za-z]+(\([^)]*\))?!?:\s*` at the start of `text`, `.some(nil)` for
    /// no match, nil when the text is not plain ASCII.
    static func conventionalType(_ text: String) -> Int?? {
        var text = text
        return text.withUTF8 { b -> Int?? in
            guard isPlain(b) else { return nil }
            var i = 0
            while i < b.count, isLetter(b[i]) { i += 1 }
            guard i > 0 else { return .some(nil) }
            if i < b.count, b[i] == 0x28 {  // (
                var j = i + 1
                while j < b.count, b[j] != 0x29 { j += 1 }
                if j < b.count { i = j + 1 }  // the scope, when it closes; else the colon cannot follow
            }
            if i < b.count, b[i] == 0x21 { i += 1 }  // !
            guard i < b.count, b[i] == 0x3A else { return .some(nil) }  // :
            i += 1
            while i < b.count, isSpace(b[i]) { i += 1 }
            return .some(i)
        }
    }

    /// The UTF-8 length of `^\[[A-Za-z]+\]\s*` at the start of `text`, `.some(nil)` for no match,
    /// nil when the text is not plain ASCII.
    static func bracketType(_ text: String) -> Int?? {
        var text = text
        return text.withUTF8 { b -> Int?? in
            guard isPlain(b) else { return nil }
            guard b.count > 0, b[0] == 0x5B else { return .some(nil) }  // [
            var i = 1
            while i < b.count, isLetter(b[i]) { i += 1 }
            guard i > 1, i < b.count, b[i] == 0x5D else { return .some(nil) }  // ]
            i += 1
            while i < b.count, isSpace(b[i]) { i += 1 }
            return .some(i)
        }
    }
}
