/// A function's answer: written as a payload 2.0 response document or as CGI output.
public struct FunctionResponse: Sendable, Equatable {
    public var statusCode: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var cookies: [String]
    public var body: [UInt8]

    public init(statusCode: Int, headers: [String: String] = [:], cookies: [String] = [], body: [UInt8] = []) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    public static let jsonHeaders = [
        "content-type": "application/json; charset=utf-8", "cache-control": "no-store", "x-content-type-options": "nosniff",
    ]

    public static func json(_ value: JSONValue, status: Int = 200, cookies: [String] = []) -> FunctionResponse {
        FunctionResponse(statusCode: status, headers: jsonHeaders, cookies: cookies, body: Array(value.serialized.utf8))
    }

    /// `{"error":{"code","message",...}}`, the body of every error of every function.
    public static func error(_ error: APIError, cookies: [String] = []) -> FunctionResponse {
        var response = json(error.body, status: error.status, cookies: cookies)
        response.headers.merge(error.headers) { $1 }
        return response
    }

    public static func redirect(to location: String, cookies: [String] = []) -> FunctionResponse {
        FunctionResponse(statusCode: 302, headers: ["location": location, "cache-control": "no-store"], cookies: cookies)
    }

    public var bodyText: String { String(decoding: body, as: UTF8.self) }

    /// The payload 2.0 response document; a body that is not UTF-8 (a PDF) goes as base64.
    public var event: String {
        var document: [String: JSONValue] = [
            "statusCode": .int(Int64(statusCode)),
            "headers": .object(headers.mapValues { .string($0) }),
            "cookies": .array(cookies.map { .string($0) }),
        ]
        if let text = String(validating: body, as: UTF8.self) {
            document["body"] = .string(text)
            document["isBase64Encoded"] = false
        } else {
            document["body"] = .string(Base64.encode(body))
            document["isBase64Encoded"] = true
        }
        return JSONValue.object(document).serialized
    }

    /// Reads a payload 2.0 response document (a warm function's answer line).
    public static func parse(event bytes: [UInt8]) throws -> FunctionResponse {
        let document = try JSONValue.parse(bytes)
        guard let status = document["statusCode"]?.int64Value, (100...599).contains(status) else {
            throw APIError.malformedEvent("The response has no valid statusCode.")
        }
        var headers: [String: String] = [:]
        for (name, value) in document["headers"]?.objectValue ?? [:] {
            guard let text = value.stringValue else { throw APIError.malformedEvent("A response header is not a string.") }
            headers[name.lowercased()] = text
        }
        let cookies = try (document["cookies"]?.arrayValue ?? []).map { value -> String in
            guard let text = value.stringValue else { throw APIError.malformedEvent("A response cookie is not a string.") }
            return text
        }
        var body: [UInt8] = []
        if let text = document["body"]?.stringValue {
            if document["isBase64Encoded"]?.boolValue == true {
                guard let bytes = Base64.decode(text) else { throw APIError.malformedEvent("The response body is not valid base64.") }
                body = bytes
            } else {
                body = Array(text.utf8)
            }
        }
        return FunctionResponse(statusCode: Int(status), headers: headers, cookies: cookies, body: body)
    }

    /// CGI output: `Status:`, headers, blank line, body.
    public var cgi: [UInt8] { Array(CGI.head(status: statusCode, headers: headers, cookies: cookies).utf8) + body }
}
