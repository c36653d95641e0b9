import Foundation
import FunctionCore
import GitfolioCore

/// A request in the HTTP API "payload format 2.0" shape that serverless platforms speak.
/// Decoding is lenient: absent or `null` maps and lists are empty; only the method is required.
public struct FunctionRequest: Codable, Sendable, Equatable {
    public struct HTTP: Codable, Sendable, Equatable {
        public var method: String
        public var path: String
        public var sourceIp: String
        public var userAgent: String

        public init(method: String, path: String, sourceIp: String = "", userAgent: String = "") {
            self.method = method
            self.path = path
            self.sourceIp = sourceIp
            self.userAgent = userAgent
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            method = try c.decode(String.self, forKey: .method).uppercased()
            path = try c.decodeIfPresent(String.self, forKey: .path) ?? "/"
            sourceIp = try c.decodeIfPresent(String.self, forKey: .sourceIp) ?? ""
            userAgent = try c.decodeIfPresent(String.self, forKey: .userAgent) ?? ""
        }
    }

    public struct RequestContext: Codable, Sendable, Equatable {
        public var http: HTTP
        public var requestId: String

        public init(http: HTTP, requestId: String = Secrets.randomToken(bytes: 12)) {
            self.http = http
            self.requestId = requestId
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            http = try c.decode(HTTP.self, forKey: .http)
            requestId = try c.decodeIfPresent(String.self, forKey: .requestId) ?? Secrets.randomToken(bytes: 12)
        }
    }

    public var version: String
    public var rawPath: String
    public var rawQueryString: String
    /// Header names are lower case.
    public var headers: [String: String]
    public var cookies: [String]
    public var queryStringParameters: [String: String]
    public var body: String?
    public var isBase64Encoded: Bool
    public var requestContext: RequestContext
    public var timeEpoch: Int64

    public init(
        method: String, path: String, query: String = "", headers: [String: String] = [:], cookies: [String] = [],
        body: String? = nil, isBase64Encoded: Bool = false, sourceIp: String = "127.0.0.1", userAgent: String = "",
        requestId: String = Secrets.randomToken(bytes: 12), timeEpoch: Int64 = Int64(Date().timeIntervalSince1970 * 1000)
    ) {
        version = "2.0"
        rawPath = path
        rawQueryString = query
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, b in "\(a), \(b)" })
        self.cookies = cookies
        queryStringParameters = FunctionRequest.parseQuery(query)
        self.body = body
        self.isBase64Encoded = isBase64Encoded
        requestContext = RequestContext(
            http: HTTP(method: method.uppercased(), path: path, sourceIp: sourceIp, userAgent: userAgent), requestId: requestId)
        self.timeEpoch = timeEpoch
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? "2.0"
        requestContext = try c.decode(RequestContext.self, forKey: .requestContext)
        rawPath = try c.decodeIfPresent(String.self, forKey: .rawPath) ?? requestContext.http.path
        rawQueryString = try c.decodeIfPresent(String.self, forKey: .rawQueryString) ?? ""
        let rawHeaders = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        headers = Dictionary(rawHeaders.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { a, b in "\(a), \(b)" })
        cookies = try c.decodeIfPresent([String].self, forKey: .cookies) ?? []
        queryStringParameters = try c.decodeIfPresent([String: String].self, forKey: .queryStringParameters)
            ?? FunctionRequest.parseQuery(rawQueryString)
        body = try c.decodeIfPresent(String.self, forKey: .body)
        isBase64Encoded = try c.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
        timeEpoch = try c.decodeIfPresent(Int64.self, forKey: .timeEpoch) ?? Int64(Date().timeIntervalSince1970 * 1000)
    }

    public var method: String { requestContext.http.method }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    public func query(_ name: String) -> String? { queryStringParameters[name] }

    /// A cookie's value, from `cookies` or, failing that, the `cookie` header.
    public func cookie(_ name: String) -> String? {
        CGI.cookie(name, in: cookies.isEmpty ? (header("cookie").map(CGI.splitCookieHeader) ?? []) : cookies)
    }

    /// The body's bytes, decoding base64 when the event says so.
    public func bodyData() throws -> Data {
        guard let body else { return Data() }
        if isBase64Encoded {
            guard let data = Data(base64Encoded: body) else {
                throw APIError.badRequest("malformed_event", "The body is marked base64 but is not valid base64.")
            }
            return data
        }
        return Data(body.utf8)
    }

    /// Parses `a=1&b=2`; `+` is a space; repeated names are joined with commas as API gateways do.
    public static func parseQuery(_ query: String) -> [String: String] {
        var result: [String: String] = [:]
        for part in query.split(separator: "&") where !part.isEmpty {
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
            }
            let name = decode(pieces[0])
            let value = pieces.count > 1 ? decode(pieces[1]) : ""
            result[name] = result[name].map { "\($0),\(value)" } ?? value
        }
        return result
    }
}

/// A response in the payload 2.0 shape.
public struct FunctionResponse: Codable, Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]
    public var cookies: [String]
    public var body: String
    public var isBase64Encoded: Bool

    public init(statusCode: Int, headers: [String: String] = [:], cookies: [String] = [], body: String = "",
                isBase64Encoded: Bool = false) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.isBase64Encoded = isBase64Encoded
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        statusCode = try c.decode(Int.self, forKey: .statusCode)
        headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        cookies = try c.decodeIfPresent([String].self, forKey: .cookies) ?? []
        body = try c.decodeIfPresent(String.self, forKey: .body) ?? ""
        isBase64Encoded = try c.decodeIfPresent(Bool.self, forKey: .isBase64Encoded) ?? false
    }

    static let jsonHeaders = ["content-type": "application/json; charset=utf-8", "cache-control": "no-store"]

    public static func json(_ value: some Encodable, status: Int = 200, cookies: [String] = []) -> FunctionResponse {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            let data = try encoder.encode(value)
            return FunctionResponse(statusCode: status, headers: jsonHeaders, cookies: cookies,
                                    body: String(decoding: data, as: UTF8.self))
        } catch {
            return .error(.internal("The response could not be encoded."))
        }
    }

    public static func error(_ error: APIError, cookies: [String] = []) -> FunctionResponse {
        json(ErrorBody(error: .init(code: error.code, message: error.message, field: error.field)), status: error.status, cookies: cookies)
    }

    public static func redirect(to location: String, cookies: [String] = []) -> FunctionResponse {
        FunctionResponse(statusCode: 302, headers: ["location": location, "cache-control": "no-store"], cookies: cookies)
    }

    public func bodyData() -> Data {
        isBase64Encoded ? (Data(base64Encoded: body) ?? Data()) : Data(body.utf8)
    }
}

public struct ErrorBody: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
        public var field: String?
    }
    public var error: Detail
}
