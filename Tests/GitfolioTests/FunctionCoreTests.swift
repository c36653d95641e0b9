import Foundation
import FunctionCore
import GitfolioCore
import GitfolioTestSupport
import Testing

/// The Foundation-free base of the function protocol: JSON, SHA-256, bare events and responses.
@Suite struct FunctionCoreTests {
    // MARK: JSON

    @Test func parsesWhatRFC8259Allows() throws {
        #expect(try JSONValue.parse(#" {"a": [1, -0, 2.5e-3, 1E10, true, false, null], "b": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#) == .object([
            "a": .array([.number("1"), .number("-0"), .number("2.5e-3"), .number("1E10"), .bool(true), .bool(false), .null]),
            "b": .string("x\"\\/\u{08}\u{0C}\n\r\té😀"),
        ]))
        #expect(try JSONValue.parse("\"한국어 text\"") == .string("한국어 text"))
        #expect(try JSONValue.parse("[]") == .array([]))
        #expect(try JSONValue.parse("{}") == .object([:]))
        #expect(try JSONValue.parse("12345678901234567890").int64Value == nil)  // kept as text, too big for Int64
        #expect(try JSONValue.parse("1700000000123").int64Value == 1_700_000_000_123)
        let deep = String(repeating: "[", count: 511) + String(repeating: "]", count: 511)
        _ = try JSONValue.parse(deep)
    }

    @Test(arguments: [
        "", " ", "[1,]", #"{"a":1,}"#, "01", "-01", "1.", ".5", "-", "+1", "1e", "1e+", "NaN", "tru", "nul", "[1 2]",
        #"{"a" 1}"#, "{1:2}", #""abc"#, "1 2", #""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\u12""#, #""\x""#,
        "'a'", "[", "{", #"{"a":}"#, "\"tab\there\"", "\"line\nbreak\"",
    ])
    func refusesWhatRFC8259Refuses(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }

    @Test func refusesInvalidUTF8AndTooDeepNesting() {
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try JSONValue.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) }
        let tooDeep = String(repeating: "[", count: 513) + String(repeating: "]", count: 513)
        #expect(throws: JSONParseError.self) { try JSONValue.parse(tooDeep) }
    }

    /// Random documents: we read back what we write, Foundation reads what we write as the same
    /// value, and we read what Foundation writes of it as the same value again.
    @Test func writesWhatFoundationReads() throws {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("aZ09 /\\\"\n\r\t\u{01}\u{1F}\u{7F}é한😀<>&'".unicodeScalars)
        func randomString() -> String {
            var s = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &rng) { s.append(alphabet.randomElement(using: &rng)!) }
            return String(s)
        }
        func randomValue(_ depth: Int) -> JSONValue {
            switch Int.random(in: 0..<(depth > 3 ? 4 : 6), using: &rng) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .int(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &rng))
            case 3: return .string(randomString())
            case 4: return .array((0..<Int.random(in: 0...4, using: &rng)).map { _ in randomValue(depth + 1) })
            default:
                var members: [String: JSONValue] = [:]
                for _ in 0..<Int.random(in: 0...4, using: &rng) { members[randomString()] = randomValue(depth + 1) }
                return .object(members)
            }
        }
        for _ in 0..<300 {
            let value = JSONValue.object(["v": randomValue(0)])
            let ours = value.serialized
            #expect(try JSONValue.parse(ours) == value)
            let object = try JSONSerialization.jsonObject(with: Data(ours.utf8))
            let theirs = try JSONSerialization.data(withJSONObject: object)
            #expect(try JSONValue.parse(Array(theirs)) == value, "\(ours)")
        }
    }

    /// For the ASCII keys our responses use, the text is byte for byte what `JSONEncoder` writes
    /// with `.sortedKeys` and `.withoutEscapingSlashes` (its order differs for some other keys).
    @Test func writesWhatJSONEncoderWritesForOurKeys() throws {
        struct View: Encodable { var id: Int64; var login: String; var plan: String; var local: Bool; var note: String? }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let view = View(id: 42, login: "dana/다나 \"q\"\n\u{01}", plan: "PRO", local: false, note: nil)
        let ours = JSONValue.object(["member": .object(["id": .int(42), "login": .string(view.login), "plan": .string("PRO"),
                                                        "local": .bool(false)])]).serialized
        #expect(ours == String(decoding: try encoder.encode(["member": view]), as: UTF8.self))
    }

    // MARK: SHA-256

    @Test func sha256MatchesTheFIPSVectors() {
        #expect(SHA256Digest.hex("".utf8) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256Digest.hex("abc".utf8) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Digest.hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(SHA256Digest.hex([UInt8](repeating: 0x61, count: 1_000_000))
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func sha256AgreesWithSwiftCryptoAcrossBlockBoundaries() {
        for length in 0...200 {
            let text = String((0..<length).map { _ in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_".randomElement()! })
            #expect(SHA256Digest.hex(text.utf8) == Secrets.sha256Hex(text), "length \(length)")
        }
    }

    @Test func cgiHeadDropsValuesThatWouldSplitIt() {
        let head = CGI.head(status: 200, headers: ["x-a": "ok", "x-b": "bad\r\nInjected: 1"], cookies: ["c=1\nX: y", "d=2"])
        #expect(head == "Status: 200 OK\r\nx-a: ok\r\nset-cookie: d=2\r\n\r\n")
    }

    @Test func sessionIdsOfTheWrongFormAreNotLookedUp() {
        #expect(SessionCookie.isWellFormed(Secrets.randomToken()))
        #expect(!SessionCookie.isWellFormed(String(repeating: "a", count: 42)))
        #expect(!SessionCookie.isWellFormed(String(repeating: "a", count: 44)))
        #expect(!SessionCookie.isWellFormed(String(repeating: "a", count: 42) + "="))
        #expect(!SessionCookie.isWellFormed(String(repeating: "a", count: 41) + "é"))
    }
}

/// The one configuration: every variable it reads is documented, and parsed values never leak.
@Suite struct ConfigTests {
    @Test func theREADMEDocumentsEveryVariable() throws {
        let readme = try String(contentsOf: Built.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        for variable in Config.Variable.allCases where !variable.isInternal || variable == .githubToken {
            #expect(readme.contains("`\(variable.rawValue)`"), "README.md does not document \(variable.rawValue)")
        }
    }

    @Test func addressesAreParsedWithoutFoundation() throws {
        let config = try Config(environment: ["GITFOLIO_PUBLIC_URL": "https://Gitfolio.Example:443/", "GITFOLIO_DB": "/srv/data/g.sqlite"])
        #expect(config.publicOrigin == "https://gitfolio.example" && config.isHTTPS)
        #expect(config.secretFile == "/srv/data/secret.key")
        #expect(config.publicURL.appending("api/auth-callback") == "https://gitfolio.example/api/auth-callback")
        for bad in ["ftp://x", "http://", "http://a@b", "http://host:99999", "not a url"] {
            #expect(throws: APIError.self) { try Config(environment: ["GITFOLIO_PUBLIC_URL": bad]) }
        }
        #expect(throws: APIError.self) { try Config(environment: ["GITHUB_CLIENT_ID": "id"]) }
        let loopback = try Config(environment: ["GITFOLIO_PUBLIC_URL": "http://127.0.0.1:8080"])
        #expect(loopback.allowedOrigins == ["http://127.0.0.1:8080", "http://localhost:8080", "http://[::1]:8080"])
        #expect(try Config(environment: ["GITFOLIO_PUBLIC_URL": "https://gitfolio.example"]).allowedOrigins == ["https://gitfolio.example"])
    }

    @Test func functionsGetTheOperatorsSettingsAndNotTheRunnersOwn() throws {
        let config = try Config(environment: ["GITFOLIO_LLM_MODEL": "m", "GITFOLIO_LOCAL_SIGNIN_KEY": "k", "GITHUB_TOKEN": "t",
                                              "GITFOLIO_FUNCTION_MODE": "warm", "PATH": "/bin"])
        let passed = Dictionary(uniqueKeysWithValues: config.functionEnvironment(overriding: [.database: "/d.sqlite"]))
        #expect(passed == ["GITFOLIO_LLM_MODEL": "m", "GITFOLIO_DB": "/d.sqlite"])
    }
}
