import Foundation

/// Byte-level scanners for the line-anchored import patterns of ``Imports`` (Swift, Python,
/// Java/Kotlin/Scala/Groovy): the same captures as the regular expressions, without bridging each
/// file to UTF-16 for `NSRegularExpression`.
///
/// They model the patterns' classes for ASCII text exactly (`\s` is space, tab, line feed and
/// carriage return; `\w` is `[A-Za-z0-9_]`; `^` holds at the start and after a line feed or a
/// carriage return). Where the answer would depend on something they do not model, they give up and
/// answer nil, and the caller runs the regular expression instead: a vertical tab, a form feed or a
/// non-ASCII space or line separator anywhere in the file (`\s` and `^` treat those as ICU does),
/// or a non-ASCII character where an identifier could go on (`\w` is Unicode's there).
/// Everything else non-ASCII (Hangul in comments and strings, say) is neither a space nor a word
/// character at the positions the patterns look at, so it needs no more than ASCII.
enum ImportScanner {
    enum Pattern { case swift, python, jvm }

    /// The first capture of every match of the pattern's regular expression in `text`, in order, or
    /// nil where the scanner cannot tell (see above).
    static func captures(_ text: String, _ pattern: Pattern) -> [String]? {
        var text = text
        return text.withUTF8 { captures(bytes: $0, pattern) }
    }

    static func captures(bytes b: UnsafeBufferPointer<UInt8>, _ pattern: Pattern) -> [String]? {
        if hasUnmodelledSpace(b) { return nil }
        let n = b.count
        var out: [String] = []
        var p = 0  // a position where `^` holds
        while p < n {
            var q = p
            while q < n, isSpace(b[q]) { q += 1 }  // `^\s*`: nothing after it starts with a space, so no backtracking
            var resume = q
            switch attempt(b, at: q, pattern) {
            case .undecidable:
                return nil
            case .match(let capture, let end):
                out.append(String(decoding: UnsafeBufferPointer(rebasing: b[capture]), as: UTF8.self))
                resume = end
            case .none:
                break  // the line starts between p and q all lead to q, and fail alike
            }
            // The next line start at or after `resume` (matches do not overlap).
            var t = resume
            while t < n, b[t] != 0x0A, b[t] != 0x0D { t += 1 }
            p = t + 1
        }
        return out
    }

    private enum Outcome { case none, undecidable, match(Range<Int>, end: Int) }

    private static func attempt(_ b: UnsafeBufferPointer<UInt8>, at q: Int, _ pattern: Pattern) -> Outcome {
        switch pattern {
        case .swift:
            // (?:@testable\s+|@_exported\s+|@preconcurrency\s+)?import\s+
            // (?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_]\w*)
            var i = q
            for attribute in swiftAttributes where literal(b, i, attribute) {
                let j = skipSpaces(b, i + attribute.count)
                if j > i + attribute.count { i = j }
                break
            }
            guard literal(b, i, importWord) else { return .none }
            let j = skipSpaces(b, i + importWord.count)
            guard j > i + importWord.count else { return .none }
            return keywordThenIdentifier(b, at: j, keywords: swiftKeywords, dots: false)
        case .jvm:
            // import\s+(?:static\s+)?([A-Za-z_][\w.]*)
            guard literal(b, q, importWord) else { return .none }
            let j = skipSpaces(b, q + importWord.count)
            guard j > q + importWord.count else { return .none }
            return keywordThenIdentifier(b, at: j, keywords: jvmKeywords, dots: true)
        case .python:
            // from\s+([A-Za-z_][\w.]*)\s+import\b|import\s+([A-Za-z_][\w.]*)
            if literal(b, q, fromWord) {
                let j = skipSpaces(b, q + fromWord.count)
                guard j > q + fromWord.count else { return .none }
                let name: Range<Int>
                switch identifier(b, at: j, dots: true) {
                case .undecidable: return .undecidable
                case .none: return .none
                case .match(let r, _): name = r
                }
                let k = skipSpaces(b, name.upperBound)
                guard k > name.upperBound, literal(b, k, importWord) else { return .none }
                let end = k + importWord.count
                // `\b` after `import`: the next character must not be a word character.
                if end < b.count {
                    if b[end] >= 0x80 { return .undecidable }
                    if isWord(b[end]) { return .none }
                }
                return .match(name, end: end)
            }
            guard literal(b, q, importWord) else { return .none }
            let j = skipSpaces(b, q + importWord.count)
            guard j > q + importWord.count else { return .none }
            return identifier(b, at: j, dots: true)
        }
    }

    /// An optional keyword followed by spaces, then an identifier; when the identifier after the
    /// keyword fails, the keyword itself is the identifier (the regular expression backtracks so).
    private static func keywordThenIdentifier(_ b: UnsafeBufferPointer<UInt8>, at j: Int, keywords: [[UInt8]], dots: Bool) -> Outcome {
        for keyword in keywords where literal(b, j, keyword) {
            let k = skipSpaces(b, j + keyword.count)
            guard k > j + keyword.count else { break }
            switch identifier(b, at: k, dots: dots) {
            case .none: break
            case let other: return other
            }
            break
        }
        return identifier(b, at: j, dots: dots)
    }

    /// `[A-Za-z_]\w*` (or `[A-Za-z_][\w.]*`) at `i`, to its greedy end.
    private static func identifier(_ b: UnsafeBufferPointer<UInt8>, at i: Int, dots: Bool) -> Outcome {
        guard i < b.count, isIdentifierStart(b[i]) else { return .none }
        var e = i + 1
        while e < b.count {
            let c = b[e]
            if c >= 0x80 { return .undecidable }  // a Unicode letter would continue `\w`
            guard isWord(c) || (dots && c == 0x2E) else { break }
            e += 1
        }
        return .match(i..<e, end: e)
    }

    private static let importWord = Array("import".utf8)
    private static let fromWord = Array("from".utf8)
    private static let swiftAttributes = ["@testable", "@_exported", "@preconcurrency"].map { Array($0.utf8) }
    private static let swiftKeywords = ["struct", "class", "enum", "protocol", "func", "var", "let", "typealias"].map { Array($0.utf8) }
    private static let jvmKeywords = [Array("static".utf8)]

    private static func literal(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: [UInt8]) -> Bool {
        guard i + word.count <= b.count else { return false }
        for k in 0..<word.count where b[i + k] != word[k] { return false }
        return true
    }

    private static func skipSpaces(_ b: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
        var i = i
        while i < b.count, isSpace(b[i]) { i += 1 }
        return i
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    @inline(__always) static func isWord(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }

    @inline(__always) static func isIdentifierStart(_ c: UInt8) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || c == 0x5F
    }

    /// Whether the text holds a character that ICU may count as a space or a line end and this
    /// scanner does not model: a vertical tab, a form feed, or a non-ASCII space or separator
    /// (U+0085, U+00A0, U+1680, U+180E, U+2000–U+200B, U+2028, U+2029, U+202F, U+205F, U+3000).
    static func hasUnmodelledSpace(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        let n = b.count
        var i = 0
        while i < n {
            let c = b[i]
            if c < 0xC2 || c > 0xE3 {
                if c == 0x0B || c == 0x0C { return true }
                i += 1
                continue
            }
            let c1: UInt8 = i + 1 < n ? b[i + 1] : 0, c2: UInt8 = i + 2 < n ? b[i + 2] : 0
            switch c {
            case 0xC2: if c1 == 0x85 || c1 == 0xA0 { return true }
            case 0xE1: if (c1 == 0x9A && c2 == 0x80) || (c1 == 0xA0 && c2 == 0x8E) { return true }
            case 0xE2: if (c1 == 0x80 && (c2 <= 0x8B || c2 == 0xA8 || c2 == 0xA9 || c2 == 0xAF)) || (c1 == 0x81 && c2 == 0x9F) { return true }
            case 0xE3: if c1 == 0x80 && c2 == 0x80 { return true }
            default: break
            }
            i += 1
        }
        return false
    }
}
