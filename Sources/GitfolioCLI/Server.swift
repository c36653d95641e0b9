import Foundation
import FunctionCore
import GitfolioCore
import HTTPServer
import NIOConcurrencyHelpers

/// The embedded runner's glue: static files from the built site (answered at once, on the
/// connection's own thread), `/api/<function>` through warm pools of the real function executables
/// (answered when the process does, with no task or thread in between).
struct SiteServer: HTTPResponder {
    var site: StaticSite
    var pools: Pools
    /// Set when the local sign-in is allowed; added to every request forwarded to a function.
    var localSignInKey: String?

    /// The function pools, made once the port is bound (the workers' public URL names it); until
    /// then a function call is answered 503.
    final class Pools: Sendable {
        private let pools = NIOLockedValueBox<[String: FunctionPool]>([:])
        init() {}
        func set(_ value: [String: FunctionPool]) { pools.withLockedValue { $0 = value } }
        subscript(name: String) -> FunctionPool? { pools.withLockedValue { $0[name] } }
        var isEmpty: Bool { pools.withLockedValue { $0.isEmpty } }
    }

    /// The server's limits and the security headers; `host` and `port` to listen on.
    static func configuration(host: String, port: Int) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(host: host, port: port)
        // Bodies up to 2 MiB reach the glue, which refuses anything over a function's limit with a JSON 413.
        configuration.maxBodyBytes = 2 * FunctionLimits.maxBodyBytes
        configuration.defaultHeaders = SecurityHeaders.fields.map { HTTPField($0.name, $0.value) }
        return configuration
    }

    func respond(to request: HTTPRequest, reply: HTTPReply) {
        guard request.path.hasPrefix("/api/") else {
            reply(site.respond(to: request))
            return
        }
        let name = String(request.path.dropFirst("/api/".count))
        guard let pool = pools[name] else {
            if pools.isEmpty {
                reply(Self.error(.unavailable("starting", "The server is starting; please try again in a moment.",
                                              korean: "서버가 시작하는 중입니다. 잠시 후 다시 시도해 주세요.", retryAfter: 1)))
                return
            }
            reply(Self.error(.notFound("unknown_function", "There is no function called \(name.prefix(40)).",
                                       korean: "\(name.prefix(40))(이)라는 기능은 없습니다.")))
            return
        }
        if request.body.count > FunctionLimits.maxBodyBytes {
            reply(Self.error(.payloadTooLarge()))
            return
        }
        pool.call(Self.functionEvent(request, localKey: localSignInKey)) { result in
            switch result {
            case .success(let line):
                reply(Self.response(fromFunction: line)
                    ?? Self.error(.upstream("function_crashed", "The \(name) function answered garbage.",
                                            korean: "\(name) 기능이 알 수 없는 답을 보냈습니다.")))
            case .failure(.unavailable):
                reply(Self.error(.unavailable("function_unavailable", "The \(name) function could not be started.",
                                              korean: "\(name) 기능을 시작하지 못했습니다.", retryAfter: 5)))
            case .failure(.crashed):
                reply(Self.error(.upstream("function_crashed", "The \(name) function failed while answering; please try again.",
                                           korean: "\(name) 기능이 답하는 중에 멈췄습니다. 다시 시도해 주세요.")))
            }
        }
    }

    /// The function event (the payload 2.0 document, one line) for an HTTP request: the one place
    /// where an HTTP request becomes a function's input. Header names are lower-cased and repeated
    /// headers joined; a client's own `x-gitfolio-local-key` never passes through. Written byte by
    /// byte: this runs for every API request.
    static func functionEvent(_ request: HTTPRequest, localKey: String?) -> [UInt8] {
        var names: [String] = [], values: [String: String] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            if name == "x-gitfolio-local-key" { continue }
            if let earlier = values[name] { values[name] = earlier + ", " + field.value } else { names.append(name); values[name] = field.value }
        }
        if let localKey { names.append("x-gitfolio-local-key"); values["x-gitfolio-local-key"] = localKey }
        var json = JSONBytes()
        json.raw(#"{"version":"2.0","rawPath":"#); json.string(request.path)
        json.raw(#","rawQueryString":"#); json.string(request.query)
        json.raw(#","headers":{"#)
        for (i, name) in names.enumerated() {
            if i > 0 { json.raw(",") }
            json.string(name); json.raw(":"); json.string(values[name]!)
        }
        json.raw(#"},"cookies":["#)
        let cookies: [String] = values["cookie"].map { CGI.splitCookieHeader($0) } ?? []
        for (i, cookie) in cookies.enumerated() {
            if i > 0 { json.raw(",") }
            json.string(cookie)
        }
        json.raw(#"],"requestContext":{"http":{"method":"#); json.string(request.method)
        json.raw(#","path":"#); json.string(request.path)
        json.raw(#","sourceIp":"#); json.string(request.remoteAddress)
        json.raw(#","userAgent":"#); json.string(values["user-agent"] ?? "")
        json.raw(#"},"requestId":"#); json.string(String(UInt64.random(in: 0...UInt64.max), radix: 36) + String(UInt32.random(in: 0...UInt32.max), radix: 36))
        json.raw(#"},"timeEpoch":"#); json.raw(String(Int64(Date().timeIntervalSince1970 * 1000)))
        if !request.body.isEmpty {
            if let text = String(validating: request.body, as: UTF8.self) {
                json.raw(#","isBase64Encoded":false,"body":"#); json.string(text)
            } else {
                json.raw(#","isBase64Encoded":true,"body":"#); json.string(Data(request.body).base64EncodedString())
            }
        } else {
            json.raw(#","isBase64Encoded":false"#)
        }
        json.raw("}")
        return json.bytes
    }

    /// The HTTP response for a function's response line (payload 2.0), or nil when it is not one.
    static func response(fromFunction line: [UInt8]) -> HTTPResponse? {
        guard let document = try? JSONValue.parse(line), let status = document["statusCode"]?.int64Value,
              (100...599).contains(status) else { return nil }
        var fields: [HTTPField] = []
        if case .object(let headers)? = document["headers"] {
            for (name, value) in headers.sorted(by: { $0.key < $1.key }) {
                if let text = value.stringValue { fields.append(HTTPField(name, text)) }
            }
        }
        if case .array(let cookies)? = document["cookies"] {
            for cookie in cookies { if let text = cookie.stringValue { fields.append(HTTPField("set-cookie", text)) } }
        }
        let text = document["body"]?.stringValue ?? ""
        let body: [UInt8]
        if document["isBase64Encoded"]?.boolValue == true {
            guard let data = Data(base64Encoded: text) else { return nil }
            body = [UInt8](data)
        } else {
            body = Array(text.utf8)
        }
        return HTTPResponse(status: Int(status), headers: fields, body: body)
    }

    /// The runner's own errors, in the functions' shape and with their headers (`FunctionResponse.error`).
    static func error(_ error: APIError) -> HTTPResponse {
        let response = FunctionResponse.error(error)
        return HTTPResponse(status: response.statusCode,
                            headers: response.headers.sorted { $0.key < $1.key }.map { HTTPField($0.key, $0.value) },
                            body: response.body)
    }
}

/// JSON text written straight into bytes: strings escaped as RFC 8259 requires, no line breaks.
struct JSONBytes {
    var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(1024) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
