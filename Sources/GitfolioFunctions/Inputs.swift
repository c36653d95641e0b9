import GitfolioCore
import GitfolioResume

/// Fields several functions read from request bodies.
extension KeyedDecodingContainer {
    /// BASIC, STAR or GITFOLIO (any case); BASIC when absent.
    public func template(_ key: Key) throws -> Template {
        let raw = try text(key, max: 10).uppercased()
        if raw.isEmpty { return .basic }
        guard let template = Template(rawValue: raw) else {
            throw FieldError(path(key), .oneOf(english: ["BASIC", "STAR", "GITFOLIO"], korean: ["BASIC", "STAR", "GITFOLIO"]))
        }
        return template
    }

    /// ko or en; Korean when absent.
    public func language(_ key: Key) throws -> Language {
        let raw = try text(key, max: 2)
        if raw.isEmpty { return .ko }
        guard let language = Language(rawValue: raw) else {
            throw FieldError(path(key), .oneOf(english: ["ko (Korean)", "en (English)"], korean: ["ko(한국어)", "en(영어)"]))
        }
        return language
    }

    /// The version of the resume the member edited (1 or more).
    public func version(_ key: Key) throws -> Int {
        let version = try decode(Int.self, forKey: key)
        guard version >= 1 else {
            throw FieldError(path(key), .rule(english: "must be the version you loaded", korean: "불러온 버전이어야 합니다"))
        }
        return version
    }
}
