/// A request as every function sees it, whatever brought it: a payload 2.0 event (one-shot, warm,
/// `gitfolio serve`) or CGI/1.1 meta-variables (lighttpd).
public struct FunctionRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    public var rawQuery: String
    /// Decoded query parameters; a repeated name's values are joined with commas.
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [String: String]
    public var cookies: [String]
    public var body: [UInt8]
    /// The client address the runner reports (never a client-supplied header).
    public var sourceIp: String
    public var requestId: String

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], cookies: [String] = [],
                body: [UInt8] = [], sourceIp: String = "127.0.0.1", requestId: String = "") {
        self.method = method.uppercased()
        self.path = path
        rawQuery = query
        self.query = PercentEncoding.parseQuery(query) ?? [:]
        var lower: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            lower[key] = lower[key].map { "\($0), \(value)" } ?? value
        }
        self.headers = lower
        self.cookies = cookies
        self.body = body
        self.sourceIp = sourceIp
        self.requestId = requestId
    }

    public init(method: String, path: String, query: String = "", headers: [String: String] = [:], cookies: [String] = [],
                body: String?, sourceIp: String = "127.0.0.1") {
        self.init(method: method, path: path, query: query, headers: headers, cookies: cookies,
                  body: body.map { Array($0.utf8) } ?? [], sourceIp: sourceIp)
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public func query(_ name: String) -> String? { query[name] }

    /// A cookie's value, from `cookies` or, failing that, the `cookie` header.
    public func cookie(_ name: String) -> String? {
        CGI.cookie(name, in: cookies.isEmpty ? (header("cookie").map(CGI.splitCookieHeader) ?? []) : cookies)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

// MARK: - Payload 2.0

extension FunctionRequest {
    /// Reads a payload 2.0 event leniently: only `requestContext.http.method` is required, and absent
    /// or `null` maps are empty; every wrong type is a 400 that names where it is.
    public static func parse(event bytes: [UInt8]) throws(APIError) -> FunctionRequest {
        if bytes.count > FunctionLimits.maxEventBytes { throw .payloadTooLarge() }
        let event: JSONValue
        do {
            event = try JSONValue.parse(bytes)
        } catch {
            throw .malformedEvent("The request event is not a valid payload 2.0 JSON object: not JSON (\(error.reason)).")
        }
        func wrongType(_ at: String) -> APIError {
            .malformedEvent("The request event is not a valid payload 2.0 JSON object: wrong type at \(at).")
        }
        func missing(_ at: String) -> APIError {
            .malformedEvent("The request event is not a valid payload 2.0 JSON object: missing \(at).")
        }
        func optionalString(_ value: JSONValue?, _ at: String) throws(APIError) -> String? {
            guard let value, !value.isNull else { return nil }
            guard let s = value.stringValue else { throw wrongType(at) }
            return s
        }
        func stringMap(_ value: JSONValue?, _ at: String) throws(APIError) -> [String: String]? {
            guard let value, !value.isNull else { return nil }
            guard case .object(let members) = value else { throw wrongType(at) }
            var map: [String: String] = [:]
            for (name, v) in members {
                guard let s = v.stringValue else { throw wrongType("\(at).\(name)") }
                map[name] = s
            }
            return map
        }
        guard case .object = event else { throw wrongType("the top level") }
        guard let context = event["requestContext"], !context.isNull else { throw missing("requestContext") }
        guard case .object = context else { throw wrongType("requestContext") }
        guard let http = context["http"], !http.isNull else { throw missing("requestContext.http") }
        guard case .object = http else { throw wrongType("requestContext.http") }
        guard let method = try optionalString(http["method"], "requestContext.http.method") else {
            throw missing("requestContext.http.method")
        }
        var cookies: [String] = []
        if let value = event["cookies"], !value.isNull {
            guard case .array(let items) = value else { throw wrongType("cookies") }
            for item in items {
                guard let s = item.stringValue else { throw wrongType("cookies") }
                cookies.append(s)
            }
        }
        let rawPath = try optionalString(event["rawPath"], "rawPath")
        let httpPath = try optionalString(http["path"], "requestContext.http.path")
        let path = rawPath ?? httpPath ?? "/"
        let rawQuery = try optionalString(event["rawQueryString"], "rawQueryString") ?? ""
        var body: [UInt8] = []
        if let text = try optionalString(event["body"], "body") {
            let base64: Bool
            switch event["isBase64Encoded"] {
            case .none, .null?: base64 = false
            case .bool(let b)?: base64 = b
            default: throw wrongType("isBase64Encoded")
            }
            if text.utf8.count > (base64 ? FunctionLimits.maxBodyBytes / 3 * 4 + 4 : FunctionLimits.maxBodyBytes) {
                throw .payloadTooLarge()
            }
            if base64 {
                guard let bytes = Base64.decode(text) else {
                    throw .malformedEvent("The body is marked base64 but is not valid base64.")
                }
                body = bytes
            } else {
                body = Array(text.utf8)
            }
            if body.count > FunctionLimits.maxBodyBytes { throw .payloadTooLarge() }
        }
        var request = FunctionRequest(
            method: method, path: path, query: "", headers: try stringMap(event["headers"], "headers") ?? [:], cookies: cookies,
            body: body, sourceIp: try optionalString(http["sourceIp"], "requestContext.http.sourceIp") ?? "",
            requestId: try optionalString(context["requestId"], "requestContext.requestId") ?? "")
        request.rawQuery = rawQuery
        if let parameters = try stringMap(event["queryStringParameters"], "queryStringParameters") {
            request.query = parameters
        } else {
            guard let parsed = PercentEncoding.parseQuery(rawQuery) else {
                throw .badRequest("malformed_query", "The query string is not valid percent-encoded UTF-8.")
            }
            request.query = parsed
        }
        return request
    }

    /// The payload 2.0 event of this request (what `gitfolio serve` sends a warm function).
    public var event: JSONValue {
        var http: [String: JSONValue] = ["method": .string(method), "path": .string(path), "sourceIp": .string(sourceIp)]
        if let agent = headers["user-agent"] { http["userAgent"] = .string(agent) }
        var event: [String: JSONValue] = [
            "version": "2.0", "rawPath": .string(path), "rawQueryString": .string(rawQuery),
            "headers": .object(headers.mapValues { .string($0) }), "cookies": .array(cookies.map { .string($0) }),
            "requestContext": .object(["http": .object(http), "requestId": .string(requestId)]),
        ]
        if !body.isEmpty {
            if let text = String(validating: body, as: UTF8.self) {
                event["body"] = .string(text)
                event["isBase64Encoded"] = false
            } else {
                event["body"] = .string(Base64.encode(body))
                event["isBase64Encoded"] = true
            }
        }
        return .object(event)
    }
}
