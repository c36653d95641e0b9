import Foundation
import FunctionCore
import GitfolioCore
import HTTPServer

/// The embedded runner's glue: static files from the built site (answered on the connection's
/// own thread), `/api/<function>` through warm pools of the real function executables.
struct SiteServer: HTTPResponder {
    var site: StaticSite
    var pools: [String: FunctionPool]
    /// Set when the local sign-in is allowed; added to every request forwarded to a function.
    var localSignInKey: String?

    /// The server's limits and the security headers; `host` and `port` to listen on.
    static func configuration(host: String, port: Int) -> HTTPServerConfiguration {
        var configuration = HTTPServerConfiguration(host: host, port: port)
        // Bodies up to 2 MiB reach the glue, which refuses anything over a function's limit with a JSON 413.
        configuration.maxBodyBytes = 2 * FunctionLimits.maxBodyBytes
        configuration.defaultHeaders = SecurityHeaders.fields.map { HTTPField($0.name, $0.value) }
        return configuration
    }

    func respondImmediately(to request: HTTPRequest) -> HTTPResponse? {
        request.path.hasPrefix("/api/") ? nil : site.respond(to: request)
    }

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        let name = String(request.path.dropFirst("/api/".count))
        guard let pool = pools[name] else {
            return Self.error(FunctionError(status: 404, code: "unknown_function", message: "There is no function called \(name)."))
        }
        if request.body.count > FunctionLimits.maxBodyBytes { return Self.error(.payloadTooLarge()) }
        switch await pool.call(Self.functionEvent(request, localKey: localSignInKey)) {
        case .success(let line):
            return Self.response(fromFunction: line)
                ?? Self.error(FunctionError(status: 502, code: "function_crashed", message: "The \(name) function answered garbage."))
        case .failure(.unavailable):
            return Self.error(FunctionError(status: 503, code: "function_unavailable", message: "The \(name) function could not be started."))
        case .failure(.crashed):
            return Self.error(FunctionError(status: 502, code: "function_crashed", message: "The \(name) function failed while answering; please try again."))
        }
    }

    /// The function event (the payload 2.0 document, one line) for an HTTP request: the one place
    /// where an HTTP request becomes a function's input. Header names are lower-cased and repeated
    /// headers joined; a client's own `x-gitfolio-local-key` never passes through.
    static func functionEvent(_ request: HTTPRequest, localKey: String?) -> [UInt8] {
        var headers: [String: JSONValue] = [:]
        for field in request.headers {
            let name = field.name.lowercased()
            if case .string(let earlier)? = headers[name] {
                headers[name] = .string(earlier + ", " + field.value)
            } else {
                headers[name] = .string(field.value)
            }
        }
        headers["x-gitfolio-local-key"] = localKey.map { .string($0) }
        var event: [String: JSONValue] = [
            "version": .string("2.0"),
            "rawPath": .string(request.path),
            "rawQueryString": .string(request.query),
            "headers": .object(headers),
            "cookies": .array((headers["cookie"]?.stringValue).map(CGI.splitCookieHeader)?.map { .string($0) } ?? []),
            "isBase64Encoded": .bool(false),
            "requestContext": .object([
                "http": .object([
                    "method": .string(request.method), "path": .string(request.path),
                    "sourceIp": .string(request.remoteAddress), "userAgent": headers["user-agent"] ?? .string(""),
                ]),
                "requestId": .string(Secrets.randomToken(bytes: 12)),
            ]),
            "timeEpoch": .int(Int64(Date().timeIntervalSince1970 * 1000)),
        ]
        if !request.body.isEmpty {
            if let text = String(validating: request.body, as: UTF8.self) {
                event["body"] = .string(text)
            } else {
                event["body"] = .string(Data(request.body).base64EncodedString())
                event["isBase64Encoded"] = .bool(true)
            }
        }
        return Array(JSONValue.object(event).serialized.utf8)
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

    /// `{"error":{"code","message"}}` with its status, as the functions answer errors.
    static func error(_ error: FunctionError) -> HTTPResponse {
        let body = JSONValue.object(["error": .object(["code": .string(error.code), "message": .string(error.message)])]).serialized
        return HTTPResponse(status: error.status, headers: [HTTPField("content-type", "application/json; charset=utf-8"),
                                                            HTTPField("cache-control", "no-store")],
                            body: Array(body.utf8))
    }
}
