import FunctionCore

/// Codable over `JSONValue`, without Foundation: the one way Gitfolio turns JSON into typed values
/// (request bodies, stored documents, GitHub, model and KakaoPay answers) and typed values into JSON
/// (responses, stored documents). Documents are read by the strict `JSONValue.parse` first, so
/// nesting depth, invalid UTF-8 and duplicate-free objects are settled before decoding starts.
///
/// Decoding failures carry the path of the value at fault (`education[0].end`) in `codingPath`;
/// `JSONPath.describe` turns it into the text a field error names.
public enum JSONCoding {
    public struct Options: Sendable {
        /// Refuse object keys the type never asked for (request bodies: a client cannot smuggle in
        /// a field it may not set, such as an owner id or a plan).
        public var rejectUnknownKeys: Bool
        public init(rejectUnknownKeys: Bool = false) { self.rejectUnknownKeys = rejectUnknownKeys }
    }

    /// An object key the type does not know, at `codingPath`.
    public struct UnknownKey: Error, Sendable {
        public var codingPath: [any CodingKey]
        public var key: String
        public var path: String { JSONPath.describe(codingPath + [JSONKey(key)]) }
    }
}

extension JSONValue {
    /// Decodes a typed value from this document.
    public func decode<T: Decodable>(_ type: T.Type, options: JSONCoding.Options = .init()) throws -> T {
        try JSONValueDecoder(value: self, codingPath: [], options: options).decodeChecked(T.self)
    }

    /// Parses and decodes in one step.
    public static func decode<T: Decodable>(_ type: T.Type, from bytes: [UInt8], options: JSONCoding.Options = .init()) throws -> T {
        try parse(bytes).decode(type, options: options)
    }

    /// Encodes a typed value as a document.
    public init(encoding value: some Encodable) throws {
        let encoder = JSONValueEncoder(codingPath: [])
        try value.encode(to: encoder)
        self = encoder.storage.value ?? .object([:])
    }

    /// Compact JSON text of an encodable value, object keys sorted (the one encoding of stored documents).
    public static func serialize(_ value: some Encodable) throws -> String {
        try JSONValue(encoding: value).serialized
    }
}

/// A coding key for object members and array positions.
public struct JSONKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int?
    public init(_ string: String) { stringValue = string }
    public init(stringValue: String) { self.stringValue = stringValue }
    public init(intValue: Int) {
        stringValue = "\(intValue)"
        self.intValue = intValue
    }
}

public enum JSONPath {
    /// `education[0].end` for the coding path [education, 0, end]; empty for the top level.
    public static func describe(_ path: [any CodingKey]) -> String {
        var out = ""
        for key in path {
            if let index = key.intValue, key.stringValue == "\(index)" || key.stringValue.hasPrefix("Index ") {
                out += "[\(index)]"
            } else {
                out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
            }
        }
        return out
    }
}

// MARK: - Decoding

final class JSONValueDecoder: Decoder {
    let value: JSONValue
    let codingPath: [any CodingKey]
    let options: JSONCoding.Options
    var userInfo: [CodingUserInfoKey: Any] { [:] }
    /// Keys asked for by the keyed containers made on this decoder (for `rejectUnknownKeys`).
    private var asked: KeyLog?

    init(value: JSONValue, codingPath: [any CodingKey], options: JSONCoding.Options) {
        self.value = value
        self.codingPath = codingPath
        self.options = options
    }

    final class KeyLog {
        var keys: Set<String> = []
    }

    /// Decodes `T` here, then refuses keys of this object that `T` never asked for.
    func decodeChecked<T: Decodable>(_ type: T.Type) throws -> T {
        let result = try T(from: self)
        if options.rejectUnknownKeys, let asked, case .object(let members) = value {
            if let unknown = members.keys.sorted().first(where: { !asked.keys.contains($0) }) {
                throw JSONCoding.UnknownKey(codingPath: codingPath, key: unknown)
            }
        }
        return result
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .object(let members) = value else {
            throw DecodingError.typeMismatch([String: Any].self, .init(codingPath: codingPath, debugDescription: "expected an object"))
        }
        let log = asked ?? KeyLog()
        asked = log
        return KeyedDecodingContainer(KeyedContainer<Key>(decoder: self, members: members, log: log))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let items) = value else {
            throw DecodingError.typeMismatch([Any].self, .init(codingPath: codingPath, debugDescription: "expected a list"))
        }
        return UnkeyedContainer(decoder: self, items: items)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { SingleContainer(decoder: self) }

    func child(_ value: JSONValue, key: any CodingKey) -> JSONValueDecoder {
        JSONValueDecoder(value: value, codingPath: codingPath + [key], options: options)
    }

    // Scalars, shared by the three containers.

    static func mismatch<T>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) -> DecodingError {
        let what: String
        switch value {
        case .null: what = "null"
        case .bool: what = "a boolean"
        case .number: what = "a number"
        case .string: what = "a string"
        case .array: what = "a list"
        case .object: what = "an object"
        }
        if value == .null {
            return DecodingError.valueNotFound(type, .init(codingPath: path, debugDescription: "found null"))
        }
        return DecodingError.typeMismatch(type, .init(codingPath: path, debugDescription: "found \(what)"))
    }

    static func string(_ value: JSONValue, _ path: [any CodingKey]) throws -> String {
        guard case .string(let s) = value else { throw mismatch(String.self, value, path) }
        return s
    }

    static func bool(_ value: JSONValue, _ path: [any CodingKey]) throws -> Bool {
        guard case .bool(let b) = value else { throw mismatch(Bool.self, value, path) }
        return b
    }

    static func integer<T: FixedWidthInteger>(_ type: T.Type, _ value: JSONValue, _ path: [any CodingKey]) throws -> T {
        guard case .number(let text) = value else { throw mismatch(type, value, path) }
        if let n = T(text) { return n }
        // 2.0 or 1e2 are integers too; 2.5 and out-of-range values are not.
        if let d = Double(text), d.rounded() == d, let n = T(exactly: d) { return n }
        throw DecodingError.dataCorrupted(.init(codingPath: path, debugDescription: "\(text) is not a whole number in range"))
    }

    static func double(_ value: JSONValue, _ path: [any CodingKey]) throws -> Double {
        guard case .number(let text) = value, let d = Double(text) else { throw mismatch(Double.self, value, path) }
        return d
    }

    func decodeValue<T: Decodable>(_ type: T.Type, _ value: JSONValue, key: any CodingKey) throws -> T {
        let path = codingPath + [key]
        switch type {
        case is String.Type: return try Self.string(value, path) as! T
        case is Bool.Type: return try Self.bool(value, path) as! T
        case is Int.Type: return try Self.integer(Int.self, value, path) as! T
        case is Int64.Type: return try Self.integer(Int64.self, value, path) as! T
        case is Int32.Type: return try Self.integer(Int32.self, value, path) as! T
        case is UInt8.Type: return try Self.integer(UInt8.self, value, path) as! T
        case is Double.Type: return try Self.double(value, path) as! T
        case is JSONValue.Type: return value as! T
        default: return try child(value, key: key).decodeChecked(type)
        }
    }
}

private struct KeyedContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let decoder: JSONValueDecoder
    let members: [String: JSONValue]
    let log: JSONValueDecoder.KeyLog

    var codingPath: [any CodingKey] { decoder.codingPath }
    var allKeys: [Key] { members.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool {
        log.keys.insert(key.stringValue)
        return members[key.stringValue] != nil
    }

    func value(_ key: Key) throws -> JSONValue {
        log.keys.insert(key.stringValue)
        guard let value = members[key.stringValue] else {
            throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing"))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool { try value(key) == .null }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try decoder.decodeValue(type, try value(key), key: key)
    }

    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        try decoder.child(try value(key), key: key).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try decoder.child(try value(key), key: key).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        decoder.child(.object(members), key: JSONKey("super"))
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        decoder.child(try value(key), key: key)
    }
}

private struct UnkeyedContainer: UnkeyedDecodingContainer {
    let decoder: JSONValueDecoder
    let items: [JSONValue]
    var currentIndex = 0

    init(decoder: JSONValueDecoder, items: [JSONValue]) {
        self.decoder = decoder
        self.items = items
    }

    var codingPath: [any CodingKey] { decoder.codingPath }
    var count: Int? { items.count }
    var isAtEnd: Bool { currentIndex >= items.count }

    mutating func next() throws -> (JSONValue, JSONKey) {
        let key = JSONKey(intValue: currentIndex)
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(JSONValue.self, .init(codingPath: codingPath + [key], debugDescription: "the list ended"))
        }
        defer { currentIndex += 1 }
        return (items[currentIndex], key)
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd else { return false }
        if items[currentIndex] == .null {
            currentIndex += 1
            return true
        }
        return false
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let (value, key) = try next()
        return try decoder.decodeValue(type, value, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
        let (value, key) = try next()
        return try decoder.child(value, key: key).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let (value, key) = try next()
        return try decoder.child(value, key: key).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let (value, key) = try next()
        return decoder.child(value, key: key)
    }
}

private struct SingleContainer: SingleValueDecodingContainer {
    let decoder: JSONValueDecoder
    var codingPath: [any CodingKey] { decoder.codingPath }

    func decodeNil() -> Bool { decoder.value == .null }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = codingPath
        let value = decoder.value
        switch type {
        case is String.Type: return try JSONValueDecoder.string(value, path) as! T
        case is Bool.Type: return try JSONValueDecoder.bool(value, path) as! T
        case is Int.Type: return try JSONValueDecoder.integer(Int.self, value, path) as! T
        case is Int64.Type: return try JSONValueDecoder.integer(Int64.self, value, path) as! T
        case is Int32.Type: return try JSONValueDecoder.integer(Int32.self, value, path) as! T
        case is UInt8.Type: return try JSONValueDecoder.integer(UInt8.self, value, path) as! T
        case is Double.Type: return try JSONValueDecoder.double(value, path) as! T
        case is JSONValue.Type: return value as! T
        default: return try T(from: decoder)
        }
    }
}

// MARK: - Encoding

final class JSONValueEncoder: Encoder {
    /// What has been encoded at this level: one value, or an object or list still being filled.
    final class Storage {
        enum Node {
            case value(JSONValue)
            case object(ObjectBox)
            case array(ArrayBox)
        }
        var node: Node?

        var value: JSONValue? {
            switch node {
            case .none: nil
            case .value(let v): v
            case .object(let box): box.value
            case .array(let box): box.value
            }
        }
    }

    final class ObjectBox {
        var members: [String: Storage] = [:]
        var value: JSONValue { .object(members.compactMapValues(\.value)) }
    }

    final class ArrayBox {
        var items: [Storage] = []
        var value: JSONValue { .array(items.map { $0.value ?? .null }) }
    }

    let storage: Storage
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    init(codingPath: [any CodingKey], storage: Storage = Storage()) {
        self.codingPath = codingPath
        self.storage = storage
    }

    func objectBox() -> ObjectBox {
        if case .object(let box) = storage.node { return box }
        let box = ObjectBox()
        storage.node = .object(box)
        return box
    }

    func arrayBox() -> ArrayBox {
        if case .array(let box) = storage.node { return box }
        let box = ArrayBox()
        storage.node = .array(box)
        return box
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(KeyedEncoder<Key>(encoder: self, box: objectBox()))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer { UnkeyedEncoder(encoder: self, box: arrayBox()) }

    func singleValueContainer() -> any SingleValueEncodingContainer { SingleEncoder(encoder: self) }

    /// A scalar as JSON, or nil when `value` must encode itself.
    static func scalar(_ value: some Encodable, path: [any CodingKey]) throws -> JSONValue? {
        switch value {
        case let s as String: return .string(s)
        case let b as Bool: return .bool(b)
        case let n as Int: return .number(String(n))
        case let n as Int64: return .number(String(n))
        case let n as Int32: return .number(String(n))
        case let n as UInt8: return .number(String(n))
        case let d as Double:
            guard d.isFinite else {
                throw EncodingError.invalidValue(d, .init(codingPath: path, debugDescription: "JSON has no \(d)"))
            }
            return .number(d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : "\(d)")
        case let v as JSONValue: return v
        default: return nil
        }
    }

    func encode(_ value: some Encodable, into storage: Storage, key: any CodingKey) throws {
        let path = codingPath + [key]
        if let scalar = try Self.scalar(value, path: path) {
            storage.node = .value(scalar)
        } else {
            try value.encode(to: JSONValueEncoder(codingPath: path, storage: storage))
        }
    }
}

private struct KeyedEncoder<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let encoder: JSONValueEncoder
    let box: JSONValueEncoder.ObjectBox
    var codingPath: [any CodingKey] { encoder.codingPath }

    func slot(_ key: Key) -> JSONValueEncoder.Storage {
        let storage = JSONValueEncoder.Storage()
        box.members[key.stringValue] = storage
        return storage
    }

    mutating func encodeNil(forKey key: Key) throws { slot(key).node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        try encoder.encode(value, into: slot(key), key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        JSONValueEncoder(codingPath: codingPath + [key], storage: slot(key)).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        JSONValueEncoder(codingPath: codingPath + [key], storage: slot(key)).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        JSONValueEncoder(codingPath: codingPath + [JSONKey("super")], storage: slot(Key(stringValue: "super")!))
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        JSONValueEncoder(codingPath: codingPath + [key], storage: slot(key))
    }
}

private struct UnkeyedEncoder: UnkeyedEncodingContainer {
    let encoder: JSONValueEncoder
    let box: JSONValueEncoder.ArrayBox
    var codingPath: [any CodingKey] { encoder.codingPath }
    var count: Int { box.items.count }

    func slot() -> (JSONValueEncoder.Storage, JSONKey) {
        let storage = JSONValueEncoder.Storage()
        let key = JSONKey(intValue: box.items.count)
        box.items.append(storage)
        return (storage, key)
    }

    mutating func encodeNil() throws { slot().0.node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        let (storage, key) = slot()
        try encoder.encode(value, into: storage, key: key)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        let (storage, key) = slot()
        return JSONValueEncoder(codingPath: codingPath + [key], storage: storage).container(keyedBy: keyType)
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let (storage, key) = slot()
        return JSONValueEncoder(codingPath: codingPath + [key], storage: storage).unkeyedContainer()
    }

    mutating func superEncoder() -> any Encoder {
        let (storage, key) = slot()
        return JSONValueEncoder(codingPath: codingPath + [key], storage: storage)
    }
}

private struct SingleEncoder: SingleValueEncodingContainer {
    let encoder: JSONValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    mutating func encodeNil() throws { encoder.storage.node = .value(.null) }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let scalar = try JSONValueEncoder.scalar(value, path: codingPath) {
            encoder.storage.node = .value(scalar)
        } else {
            try value.encode(to: encoder)
        }
    }
}

// MARK: - JSONValue as Codable, and literals

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        if let own = decoder as? JSONValueDecoder {
            self = own.value
            return
        }
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let n = try? c.decode(Int64.self) { self = .int(n) }
        else if let d = try? c.decode(Double.self) { self = .number("\(d)") }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([JSONValue].self) { self = .array(a) }
        else { self = .object(try c.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        if let own = encoder as? JSONValueEncoder {
            own.storage.node = .value(self)
            return
        }
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .number(let text): if let n = Int64(text) { try c.encode(n) } else { try c.encode(Double(text) ?? 0) }
        case .string(let s): try c.encode(s)
        case .array(let items): try c.encode(items)
        case .object(let members): try c.encode(members)
        }
    }
}
