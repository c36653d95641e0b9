/// The request target split into a strictly decoded path and the query as sent.
struct RequestTarget: Equatable {
    var path: String
    var query: String

    /// Origin form (`/a/b?q`) or absolute form (`http://host/a/b?q`). Nil when the target has no
    /// path, a `#`, a `%` not followed by two hex digits, an encoded NUL, or bytes that do not
    /// decode to UTF-8: the server answers those with 400.
    static func parse(_ target: String) -> RequestTarget? {
        var bytes = Substring(target).utf8[...]
        if !bytes.starts(with: "/".utf8) {
            // Absolute form: drop scheme and authority.
            let lower = String(target.prefix(8)).lowercased()
            guard lower.hasPrefix("http://") || lower.hasPrefix("https://") else { return nil }
            bytes = bytes.dropFirst(lower.hasPrefix("http://") ? 7 : 8)
            guard let slash = bytes.firstIndex(of: UInt8(ascii: "/")) else { return nil }
            bytes = bytes[slash...]
        }
        var rawPath = bytes
        var query = ""
        if let mark = bytes.firstIndex(of: UInt8(ascii: "?")) {
            rawPath = bytes[..<mark]
            query = String(decoding: bytes[bytes.index(after: mark)...], as: UTF8.self)
        }
        if bytes.contains(UInt8(ascii: "#")) { return nil }
        guard let path = decodePercent(rawPath) else { return nil }
        return RequestTarget(path: path, query: query)
    }

    static func decodePercent(_ raw: Substring.UTF8View) -> String? {
        guard raw.contains(UInt8(ascii: "%")) else {
            return String(validating: raw, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var i = raw.startIndex
        while i != raw.endIndex {
            let byte = raw[i]
            if byte == UInt8(ascii: "%") {
                let h = raw.index(after: i)
                guard h != raw.endIndex, raw.index(after: h) != raw.endIndex,
                      let high = hexValue(raw[h]), let low = hexValue(raw[raw.index(after: h)]) else { return nil }
                let decoded = high << 4 | low
                if decoded == 0 { return nil }
                out.append(decoded)
                i = raw.index(h, offsetBy: 2)
            } else {
                out.append(byte)
                i = raw.index(after: i)
            }
        }
        return String(validating: out, as: UTF8.self)
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
