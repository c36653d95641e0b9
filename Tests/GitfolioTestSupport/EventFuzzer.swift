import Foundation

/// A small, fast, seedable random source (SplitMix64), so a fuzz run is reproduced from its seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generates the hostile input a function meets in the wild, as payload 2.0 events (one-shot and
/// warm) and as CGI meta-variables with a body: malformed and truncated JSON, wrong types at every
/// level, huge and deeply nested documents, odd Unicode (lone surrogates, NUL, bidi controls,
/// non-characters, decomposed forms), bad cookies, odd methods, paths, queries and CGI variables —
/// mixed with well-formed requests carrying valid sessions, so the handlers' own checks are reached
/// too. Deterministic for a seed.
public struct EventFuzzer {
    /// What the world offers a request: valid session cookies, ids that exist, the site's origin.
    public struct Context: Sendable {
        public var function: String
        public var cookies: [String]
        public var ids: [Int64]
        public var origin: String
        public var host: String
        /// Tokens that exist (a KakaoPay attempt's), for the pay webhook's URL.
        public var tokens: [String]
        public init(function: String, cookies: [String], ids: [Int64], origin: String, host: String, tokens: [String] = []) {
            self.function = function
            self.cookies = cookies
            self.ids = ids
            self.origin = origin
            self.host = host
            self.tokens = tokens
        }
    }

    public var random: SeededRandom
    public let context: Context

    /// How often the costly inputs come: strings of 350,000 characters and events over the 2 MiB
    /// limit (a debug build reads one for about a second). 1 for the long run; the suite's short run
    /// takes 0 and sends one over-the-limit event of its own.
    public var hugeRate: Double

    public init(seed: UInt64, context: Context, hugeRate: Double = 1) {
        random = SeededRandom(seed: seed)
        self.context = context
        self.hugeRate = hugeRate
    }

    /// An event just over the 2 MiB limit (blanks, then `{}`).
    public static let overTheLimit = [UInt8](repeating: 0x20, count: 2 * 1024 * 1024 + 10) + [0x7B, 0x7D]

    // MARK: Choices

    mutating func chance(_ p: Double) -> Bool { Double.random(in: 0..<1, using: &random) < p }
    mutating func int(_ range: ClosedRange<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0...(items.count - 1))] }

    static let methods = ["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT", "get", "post", "Post", "",
                          " ", "PROPFIND", "G\u{0}ET", "POST\r\nX-Injected: 1", "ПОСТ", String(repeating: "P", count: 3000), "DELETE ", "\u{FEFF}GET"]

    /// Strings that have broken parsers and renderers before.
    static let oddStrings: [String] = [
        "", " ", "\u{0}", "a\u{0}b", "\u{202E}evil\u{202C}", "e\u{301}", "\u{1F469}\u{200D}\u{1F4BB}", "\u{FFFF}", "\u{FFFE}", "\u{10FFFF}",
        "\u{FEFF}BOM", "\r\n", "\nX-Injected: 1", "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "javascript:alert(1)",
        "../../../../etc/passwd", "%2e%2e%2f", "%00", "${jndi:ldap://x}", "'; DROP TABLE member; --", "' OR 1=1 --", "{{7*7}}",
        "한국어 이력서", "ｆｕｌｌｗｉｄｔｈ", "Ǆ", "ß", "İ", "\u{200B}", "\u{2028}", "🙂", "\u{7F}", "\u{1B}[31m", "null", "true", "0",
        "-1", "1e309", "NaN", "https://example.com/" + String(repeating: "a", count: 300), "BACKEND", "PUBLIC", "STAR", "ko", "en",
        "2024.13", "2024.00", "9999.12", "0001.01", "owner", "other", "aboutMe", "projects[0].bullets[0]", "projects[-1]",
        "projects[99999999999999999999]", "projects[0].troubleshooting[0].result", "techStack", "accept", "undo", "propose", "sample",
    ]

    /// A JSON text fragment: built as text, so lone surrogates and duplicate keys can be written.
    indirect enum Doc {
        case raw(String)
        case string(String)
        case array([Doc])
        case object([(String, Doc)])

        var text: String {
            switch self {
            case .raw(let s): return s
            case .string(let s): return Doc.quote(s)
            case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
            case .object(let members): return "{" + members.map { Doc.quote($0.0) + ":" + $0.1.text }.joined(separator: ",") + "}"
            }
        }

        static func quote(_ s: String) -> String {
            var out = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\r": out += "\\r"
                case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out + "\""
        }
    }

    mutating func oddString() -> Doc {
        switch int(0...9) {
        case 0: return .raw(pick(["\"\\ud800\"", "\"\\udfff\\ud800\"", "\"\\u0000\"", "\"\\uD83D\"", "\"\\x41\"", "\"\\u12\"", "\"unterminated",
                                 "\"tab\there\"", "\"\\/\"", "'single'"]))
        case 1: return .string(String(repeating: pick(["가", "a", "🙂", "e\u{301}", " "]), count: chance(0.1 * hugeRate) ? 350_000 : pick([10, 300, 5000, 50_000])))
        case 2: return .string(String((0..<int(1...40)).map { _ in Character(Unicode.Scalar(UInt8(int(0...127)))) }))
        default: return .string(pick(Self.oddStrings))
        }
    }

    mutating func oddNumber() -> Doc {
        .raw(pick(["0", "-0", "1", "-1", "1.5", "1e3", "1E400", "-1e400", "9223372036854775807", "9223372036854775808",
                   "-9223372036854775809", "00", "01", "+1", ".5", "1.", "0x10", "NaN", "Infinity", "1e-400",
                   String(repeating: "9", count: 5000), String(int(1...3)), String(context.ids.isEmpty ? 1 : pick(context.ids))]))
    }

    mutating func anyValue(depth: Int = 0) -> Doc {
        switch int(0...9) {
        case 0: return .raw(pick(["null", "true", "false", "nul", "True", "undefined", ""]))
        case 1, 2: return oddNumber()
        case 3, 4, 5: return oddString()
        case 6: return depth > 3 ? .raw("[]") : .array((0..<int(0...4)).map { _ in anyValue(depth: depth + 1) })
        case 7: return depth > 3 ? .raw("{}") : .object((0..<int(0...4)).map { _ in (pick(Self.keys), anyValue(depth: depth + 1)) })
        case 8: return deep()
        default: return .string(pick(Self.oddStrings))
        }
    }

    /// Nesting around the parser's limit of 512 (and well past it).
    mutating func deep() -> Doc {
        let n = pick([100, 511, 512, 513, 600, 5000, 100_000])
        let (open, close) = chance(0.5) ? ("[", "]") : ("{\"a\":", "}")
        return .raw(String(repeating: open, count: n) + "1" + String(repeating: close, count: chance(0.9) ? n : n / 2))
    }

    /// Every field name the functions read, and some they must refuse.
    static let keys = ["resumeId", "id", "version", "template", "visibility", "title", "action", "language", "path", "start", "end",
                       "instruction", "text", "body", "anchor", "read", "readAll", "confirm", "login", "name", "repositories", "request",
                       "email", "phone", "jobRole", "education", "workExperience", "certificates", "links", "memberId", "plan", "aiUses",
                       "deleteAccount", "pg_token", "tid", "sid", "amount", "partner_user_id",
                       "__proto__", "constructor", "", "🙂", "resumeId\u{0}", "RESUMEID"]

    /// Well-formed bodies in the shape of each function's requests, mutated below.
    mutating func template() -> [(String, Doc)] {
        let id = Doc.raw(String(context.ids.isEmpty ? 1 : pick(context.ids)))
        let choices: [[(String, Doc)]] = [
            [("resumeId", id)],
            [("id", id), ("version", .raw("1")), ("template", .string(pick(["BASIC", "STAR", "GITFOLIO"])))],
            [("id", id), ("version", .raw("1")), ("visibility", .string(pick(["PUBLIC", "PRIVATE"]))), ("title", .string("제목"))],
            [("action", .string("sample")), ("language", .string(pick(["ko", "en"])))],
            [("resumeId", id), ("path", .string("aboutMe")), ("start", .raw("0")), ("end", .raw("2")), ("instruction", .string("짧게"))],
            [("action", .string("accept")), ("resumeId", id), ("path", .string(pick(["aboutMe", "projects[0].bullets[0]", "profile.name"]))),
             ("text", .string("새 문장")), ("version", .raw("1"))],
            [("action", .string("undo")), ("resumeId", id), ("version", .raw("1"))],
            [("resumeId", id), ("body", .string("좋아요")), ("anchor", .string(pick(["aboutMe", "projects[0]", "techStack"])))],
            [("id", id), ("body", .string("고침"))],
            [("read", id)], [("readAll", .raw("true"))], [("confirm", .string("owner"))],
            [("language", .string(pick(["ko", "en", "fr"])))], [("deleteAccount", .raw(pick(["true", "false"]))), ("confirm", .string("other"))],
            [("login", .string("local-user")), ("name", .string("이름"))],
            [("repositories", .array([.string("owner/repo")])), ("template", .string("STAR")), ("language", .string("ko")),
             ("request", .string("백엔드")), ("title", .string("t"))],
            [("name", .string("홍길동")), ("email", .string("a@example.com")), ("phone", .string("010-1234-5678")),
             ("jobRole", .string("BACKEND")),
             ("education", .array([.object([("schoolType", .string("UNIVERSITY_BACHELOR")), ("name", .string("서울대")),
                                            ("major", .string("CS")), ("status", .string("GRADUATED")), ("start", .string("2015.03")),
                                            ("end", .string("2019.02"))])])),
             ("links", .array([.object([("title", .string("GitHub")), ("url", .string("https://github.com/x"))])]))],
        ]
        return pick(choices)
    }

    /// A request body: a mutated template, another JSON value, or not JSON at all.
    mutating func body() -> String {
        switch int(0...19) {
        case 0: return ""
        case 1: return pick(["not json", "{", "{\"resumeId\":", "[1,2", "{\"a\":1}}", "\u{FEFF}{}", "{}garbage", "{'a':1}", "{a:1}",
                             "{\"a\":1,}", "[,]", "\"\\u00\"", "{\"a\" 1}", "nul"])
        case 2: return anyValue().text
        case 3: return deep().text
        case 4:  // duplicate keys
            var members = template()
            if let first = members.first { members.append((first.0, anyValue())) }
            return Doc.object(members).text
        default:
            var members = template()
            for _ in 0..<int(0...3) {
                switch int(0...4) {
                case 0 where !members.isEmpty: members.remove(at: int(0...(members.count - 1)))
                case 1 where !members.isEmpty:
                    let i = int(0...(members.count - 1))
                    members[i].1 = anyValue()
                case 2: members.append((pick(Self.keys), anyValue()))
                case 3 where !members.isEmpty:
                    let i = int(0...(members.count - 1))
                    members[i].1 = oddString()
                default: break
                }
            }
            var text = Doc.object(members).text
            if chance(0.08) { text = String(text.prefix(int(0...max(0, text.count - 1)))) }
            if chance(0.04) { text += pick(["x", ",", "}", " {}", "\u{0}"]) }
            return text
        }
    }

    mutating func cookieHeader() -> String? {
        let good = context.cookies.isEmpty ? "gitfolio_session=x" : pick(context.cookies)
        switch int(0...11) {
        case 0: return nil
        case 1, 2, 3, 4: return good
        case 5: return "gitfolio_session=" + String(repeating: "A", count: pick([0, 1, 42, 43, 44, 100, 5000]))
        case 6: return "gitfolio_session=" + pick(["../../x", "%00", "é" + String(repeating: "a", count: 42), "\u{0}", "a;b", "=", "\"quoted\""])
        case 7: return "\(good); \(good); gitfolio_session=other"
        case 8: return pick([";;;", "=", "gitfolio_session", "a=1; b", String(repeating: "a=b; ", count: 2000), "gitfolio_oauth=x; \(good)"])
        case 9: return "gitfolio_session=\(Secrets43.random(&random))"
        default: return good + "; theme=dark"
        }
    }

    mutating func headers(method: String, withBody: Bool) -> [(String, Doc)] {
        var h: [(String, Doc)] = []
        switch int(0...9) {
        case 0: break
        case 1: h.append(("origin", .string(pick(["https://evil.example", "null", "http://127.0.0.1:8080.evil.example", ""]))))
        case 2: h.append(("sec-fetch-site", .string(pick(["same-site", "cross-site", "none", "same-origin", "SAME-ORIGIN"]))))
        case 3: h.append(("x-gitfolio-csrf", .string("1")))
        default: h.append(("origin", .string(context.origin)))
        }
        h.append(("host", .string(chance(0.9) ? context.host : pick(["evil.example", "", "127.0.0.1:8080\r\nX: y", "[::1]:8080"]))))
        if let cookie = cookieHeader() { h.append(("cookie", .string(cookie))) }
        if withBody || chance(0.2) {
            h.append(("content-type", .string(chance(0.85) ? "application/json" : pick(["text/plain", "application/x-www-form-urlencoded",
                                                                                       "application/json; charset=latin1", "", "APPLICATION/JSON",
                                                                                       "multipart/form-data; boundary=x"]))))
        }
        if chance(0.1) { h.append((pick(["x-forwarded-for", "x-real-ip", "forwarded", "user-agent", "accept", "x-gitfolio-local-key"]), oddString())) }
        if chance(0.05) { h.append(("x-long", .string(String(repeating: "v", count: int(1000...100_000))))) }
        if chance(0.03) { h.append(("bad", anyValue())) }  // not a string: a malformed event
        return h
    }

    mutating func query() -> String {
        let id = context.ids.isEmpty ? 1 : pick(context.ids)
        switch int(0...12) {
        case 0, 1, 2: return ""
        case 3: return "id=\(id)"
        case 4: return "resumeId=\(id)"
        case 5: return "id=\(id)&format=" + pick(["pdf", "json", "docx", ""]) + (chance(0.3) ? "&template=" + pick(["BASIC", "STAR", "x"]) : "")
        case 6: return pick(["id=%zz", "id=%", "%ff%fe", "id=%00", "id=1&id=2", "id=-1", "id=99999999999999999999", "id=1e3", "before=0",
                             "resumeId=\(id)&before=-5", "a=%C0%AF", "mode=info", "private=1&return_to=//evil.example", "return_to=/%0d%0aX:y"])
        case 7: return String(repeating: "a=b&", count: int(1...3000))
        case 8: return "code=x&state=" + String(repeating: "s", count: int(0...300))
        case 9: return "error=" + pick(["access_denied", "%0d%0aSet-Cookie:%20x=1", "server_error"]) + "&state=x"
        case 10:
            // KakaoPay's returns to the pay webhook, with an attempt that exists or not and odd pg_tokens.
            let attempt = chance(0.6) && !context.tokens.isEmpty ? pick(context.tokens) : pick(["", "x", String(repeating: "A", count: 43), "%00",
                                                                                                 Secrets43.random(&random)])
            var q = "result=" + pick(["approve", "cancel", "fail", "APPROVE", "", "x"]) + "&attempt=" + attempt
            if chance(0.7) { q += (chance(0.2) ? "?" : "&") + "pg_token=" + pick(["abc123", "", "%0d%0a", "a b", String(repeating: "p", count: 200)]) }
            return q
        default: return "resumeId=\(id)&before=\(int(1...100))"
        }
    }

    /// One payload 2.0 event, as the bytes a runner would send.
    public mutating func event(oneLine: Bool) -> [UInt8] {
        let method = chance(0.85) ? pick(["GET", "POST", "PUT", "DELETE"]) : pick(Self.methods)
        let body = ["GET", "HEAD"].contains(method) && chance(0.7) ? nil : body()
        var top: [(String, Doc)] = [("version", .string("2.0"))]
        var http: [(String, Doc)] = [("method", .string(method)), ("path", .string("/api/\(context.function)"))]
        http.append(("sourceIp", chance(0.95) ? .string(pick(["127.0.0.1", "203.0.113.7", "::1", "10.0.0.1", ""])) : anyValue()))
        top.append(("rawPath", chance(0.95) ? .string("/api/\(context.function)") : oddString()))
        top.append(("rawQueryString", chance(0.97) ? .string(query()) : anyValue()))
        top.append(("headers", chance(0.97) ? .object(headers(method: method, withBody: body != nil)) : anyValue()))
        if chance(0.1) { top.append(("cookies", chance(0.7) ? .array([.string(cookieHeader() ?? "")]) : anyValue())) }
        if chance(0.05) { top.append(("queryStringParameters", chance(0.5) ? .object([("id", anyValue())]) : anyValue())) }
        if let body {
            if chance(0.06) {
                top.append(("isBase64Encoded", chance(0.7) ? .raw("true") : anyValue()))
                top.append(("body", .string(chance(0.5) ? Data(body.utf8).base64EncodedString() : pick(["!!!", "QQ", "QQ=", "====", body]))))
            } else {
                top.append(("body", .string(body)))
            }
        }
        var contextDoc: [(String, Doc)] = [("http", chance(0.97) ? .object(http) : anyValue()), ("requestId", .string("fuzz"))]
        if chance(0.02) { contextDoc = [] }
        top.append(("requestContext", chance(0.98) ? .object(contextDoc) : anyValue()))
        if chance(0.03) { top.shuffle(using: &random) }
        var text: String
        switch int(0...49) {
        case 0: text = anyValue().text                                     // not an object
        case 1: text = String(Doc.object(top).text.prefix(int(0...200)))    // truncated
        case 2: text = String((0..<int(1...300)).map { _ in Character(Unicode.Scalar(UInt8(int(1...255)))) })  // noise
        case 3: text = Doc.object(top).text + Doc.object(top).text          // two documents
        default: text = Doc.object(top).text
        }
        var bytes = Array(text.utf8)
        if chance(0.01 * hugeRate) { bytes = Self.overTheLimit }
        if chance(0.02), !bytes.isEmpty { bytes[int(0...(bytes.count - 1))] = pick([0xFF, 0xC0, 0x80, 0xED, 0x00]) }  // invalid UTF-8
        if oneLine {
            bytes = bytes.map { $0 == 0x0A ? 0x20 : $0 }
            // A line of only blanks gets no answer in warm mode: keep every event answerable.
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { bytes.append(0x78) }
        }
        return bytes
    }

    /// CGI/1.1 meta-variables and a body, as lighttpd would start the function.
    public mutating func cgi() -> (variables: [String: String], body: [UInt8]) {
        let method = chance(0.8) ? pick(["GET", "POST", "PUT", "DELETE"]) : pick(Self.methods.filter { !$0.contains("\u{0}") })
        let body = Array((["GET", "HEAD"].contains(method) && chance(0.7) ? "" : body()).utf8)
        var v: [String: String] = ["GATEWAY_INTERFACE": "CGI/1.1", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9"]
        if chance(0.97) { v["REQUEST_METHOD"] = method }
        v["SCRIPT_NAME"] = "/api/\(context.function)"
        let q = query()
        v["QUERY_STRING"] = q
        v["REQUEST_URI"] = chance(0.9) ? "/api/\(context.function)" + (q.isEmpty ? "" : "?" + q) : pick(["", "?", "//", "/api/../etc/passwd", "%zz"])
        if !body.isEmpty || chance(0.3) {
            v["CONTENT_LENGTH"] = chance(0.85) ? String(body.count)
                : pick(["-1", "+5", "1e3", " 5", "5 ", "0x10", "99999999999999999999", "2000000", String(body.count + 10), "0", "", "٣"])
            v["CONTENT_TYPE"] = chance(0.85) ? "application/json" : pick(["text/plain", "", "application/json;;", "ä"])
        }
        for (name, value) in headers(method: method, withBody: !body.isEmpty) where name != "content-type" {
            // A variable may not hold NUL, and Linux refuses one over 128 KiB (E2BIG) as a web server's limits would.
            guard case .string(let s) = value, !s.unicodeScalars.contains("\u{0}"), s.utf8.count < 64 * 1024 else { continue }
            v["HTTP_" + name.uppercased().replacingOccurrences(of: "-", with: "_")] = s
        }
        if chance(0.1) { v["HTTPS"] = pick(["on", "off", "ON", "1"]) }
        if chance(0.05) { v["HTTP_PROXY"] = "http://attacker.example:3128" }
        if chance(0.05) { v["PATH_INFO"] = pick(["/x", "/../..", "%00"]) }
        if chance(0.03) { v["REMOTE_ADDR"] = pick(["", "not an address", "::ffff:127.0.0.1", String(repeating: "1", count: 500)]) }
        return (v, body)
    }
}

/// 43 characters of base64url: a well-formed session id that no session has.
enum Secrets43 {
    static func random(_ random: inout SeededRandom) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        return String((0..<43).map { _ in alphabet[Int.random(in: 0..<64, using: &random)] })
    }
}
