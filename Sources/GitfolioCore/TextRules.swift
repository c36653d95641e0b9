import Foundation

/// How text from clients is normalised and measured, one way for the parser and the schema: NFC
/// (so decomposed Korean or `e` + a combining accent count as people see them), surrounding
/// whitespace trimmed, and length in Unicode code points, which is what SQLite's `length()` counts
/// in the schema's CHECKs.
public enum TextRules {
    public static func normalize(_ text: String) -> String {
        text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    public static func length(_ text: String) -> Int { text.unicodeScalars.count }

    /// The normalised text cut to at most `max` code points (for values that come from GitHub, not
    /// from the member, and must fit a column).
    public static func prefix(_ text: String, _ max: Int) -> String {
        let normalized = normalize(text)
        guard length(normalized) > max else { return normalized }
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: normalized.unicodeScalars.prefix(max))
        return String(scalars)
    }

    /// Control characters other than line breaks and tabs.
    public static func hasControlCharacters(_ text: String) -> Bool {
        text.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }
    }
}

/// Reading validated fields of a client's JSON object. Each failure is a `FieldError` naming the
/// field's path, which the function boundary turns into the one 400 (`APIError(field:)`).
extension KeyedDecodingContainer {
    public func path(_ key: Key) -> String { JSONPath.describe(codingPath + [key]) }

    /// Text: NFC, trimmed, at most `max` code points, no control characters; "" when absent or null.
    public func text(_ key: Key, max: Int, required: Bool = false) throws -> String {
        let raw = try decodeIfPresent(String.self, forKey: key) ?? ""
        let value = TextRules.normalize(raw)
        if value.isEmpty {
            if required { throw FieldError(path(key), .required) }
            return ""
        }
        if TextRules.length(value) > max { throw FieldError(path(key), .tooLong(max: max)) }
        if TextRules.hasControlCharacters(value) {
            throw FieldError(path(key), .rule(english: "cannot contain control characters", korean: "제어 문자를 쓸 수 없습니다"))
        }
        return value
    }

    /// One of a domain value's cases by its raw value; nil when absent or empty (unless required).
    public func choice<E: LabelledValue>(_ type: E.Type, _ key: Key, required: Bool = false) throws -> E? {
        let raw = try text(key, max: 64, required: required)
        if raw.isEmpty { return nil }
        guard let value = E(rawValue: raw) else {
            throw FieldError(path(key), .oneOf(english: E.allCases.map(\.english), korean: E.allCases.map(\.korean)))
        }
        return value
    }

    /// A month written `YYYY.MM`; nil when absent or empty.
    public func month(_ key: Key) throws -> String? {
        let value = try text(key, max: 7)
        if value.isEmpty { return nil }
        guard value.range(of: #"^(19|20)[0-9]{2}\.(0[1-9]|1[0-2])$"#, options: .regularExpression) != nil else {
            throw FieldError(path(key), .rule(english: "must be a month written like 2024.03", korean: "2024.03처럼 연.월로 써야 합니다"))
        }
        return value
    }

    /// An http(s) address; "" when absent and not required.
    public func webAddress(_ key: Key, required: Bool = false) throws -> String {
        let value = try text(key, max: 500, required: required)
        if value.isEmpty { return "" }
        guard let url = URL(string: value), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else {
            throw FieldError(path(key), .rule(english: "must be a web address starting with http:// or https://",
                                              korean: "http:// 또는 https://로 시작하는 주소여야 합니다"))
        }
        return value
    }

    /// The entries of a list of at most `max`, each with its position in the client's list; an entry
    /// that fails is left out and its field errors go to `collector`, so every entry is checked.
    public func entries<T: Decodable>(_ type: T.Type, _ key: Key, max: Int,
                                      collector: FieldErrorCollector) throws -> [(position: Int, value: T)] {
        guard contains(key), try !decodeNil(forKey: key) else { return [] }
        var list: any UnkeyedDecodingContainer
        do { list = try nestedUnkeyedContainer(forKey: key) } catch {
            _ = try collector.read(0) { throw error }
            return []
        }
        if let count = list.count, count > max {
            collector.add(FieldError(path(key), .tooMany(max: max)))
            return []
        }
        var out: [(Int, T)] = []
        while !list.isAtEnd {
            let position = list.currentIndex
            if let value = try collector.read(nil as T?, { try list.decode(T.self) }) { out.append((position, value)) }
        }
        return out
    }

    /// A list of at most `max` entries; empty when absent or null.
    public func list<T: Decodable>(_ type: T.Type, _ key: Key, max: Int) throws -> [T] {
        let items = try decodeIfPresent([T].self, forKey: key) ?? []
        if items.count > max { throw FieldError(path(key), .tooMany(max: max)) }
        return items
    }
}
