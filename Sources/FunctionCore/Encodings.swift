/// Base64 (RFC 4648) and percent-encoding (RFC 3986) without Foundation.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    private static let urlAlphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        for (i, c) in urlAlphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    /// Standard base64 with padding; `url` gives the URL-safe alphabet without padding.
    public static func encode(_ bytes: some Collection<UInt8>, url: Bool = false) -> String {
        let table = url ? urlAlphabet : alphabet
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)], table[Int(n >> 6 & 63)], table[Int(n & 63)]]
            i += 3
        }
        let rest = input.count - i
        if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            out += [table[Int(n >> 18 & 63)], table[Int(n >> 12 & 63)]]
            if rest == 2 { out.append(table[Int(n >> 6 & 63)]) }
            if !url { out += Array(repeating: UInt8(ascii: "="), count: 3 - rest) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes either alphabet, padded or not; line breaks are skipped (GitHub's contents API wraps
    /// lines). Nil for anything else.
    public static func decode(_ text: String) -> [UInt8]? {
        var quad: [UInt8] = []
        quad.reserveCapacity(4)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count / 4 * 3)
        var padding = 0
        for c in text.utf8 {
            if c == 0x0A || c == 0x0D { continue }
            if c == UInt8(ascii: "=") { padding += 1; continue }
            guard padding == 0 else { return nil }
            let v = values[Int(c)]
            guard v != 0xFF else { return nil }
            quad.append(v)
            if quad.count == 4 {
                out += [quad[0] << 2 | quad[1] >> 4, quad[1] << 4 | quad[2] >> 2, quad[2] << 6 | quad[3]]
                quad.removeAll(keepingCapacity: true)
            }
        }
        switch quad.count {
        case 0: guard padding == 0 else { return nil }
        case 2: out.append(quad[0] << 2 | quad[1] >> 4)
        case 3: out += [quad[0] << 2 | quad[1] >> 4, quad[1] << 4 | quad[2] >> 2]
        default: return nil
        }
        guard padding <= 2 else { return nil }
        return out
    }
}

public enum PercentEncoding {
    /// Decodes `%XX` escapes (and `+` as a space when `plusAsSpace`); nil when an escape is malformed
    /// or the result is not UTF-8.
    public static func decode(_ text: some StringProtocol, plusAsSpace: Bool = false) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let c = iterator.next() {
            switch c {
            case UInt8(ascii: "%"):
                guard let h = iterator.next().flatMap(hexValue), let l = iterator.next().flatMap(hexValue) else { return nil }
                out.append(h << 4 | l)
            case UInt8(ascii: "+") where plusAsSpace:
                out.append(0x20)
            default:
                out.append(c)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Escapes everything but RFC 3986's unreserved characters (`A-Z a-z 0-9 - . _ ~`).
    public static func encode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        for c in text.utf8 {
            switch c {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(c)
            default:
                out += [UInt8(ascii: "%"), hex[Int(c >> 4)], hex[Int(c & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `a=1&b=2` as a dictionary; `+` is a space; repeated names are joined with commas as API
    /// gateways do. Nil when an escape is malformed.
    public static func parseQuery(_ query: String) -> [String: String]? {
        var result: [String: String] = [:]
        for part in query.split(separator: "&") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(pieces[0], plusAsSpace: true),
                  let value = pieces.count > 1 ? decode(pieces[1], plusAsSpace: true) : ""
            else { return nil }
            result[name] = result[name].map { "\($0),\(value)" } ?? value
        }
        return result
    }
}
