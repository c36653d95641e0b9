/// CGI/1.1 (RFC 3875) as every function speaks it: the request from the meta-variables and exactly
/// `CONTENT_LENGTH` bytes of body, the response as a `Status:` line, headers, a blank line and the body.
public enum CGI {
    public static func request(environment env: [String: String], body readBody: (Int) -> [UInt8]) throws(APIError) -> FunctionRequest {
        guard let method = env["REQUEST_METHOD"], !method.isEmpty else {
            throw .malformedEvent("REQUEST_METHOD is missing.")
        }
        var headers: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("HTTP_") {
            // httpoxy: a client's `Proxy:` header must never become an HTTP_PROXY setting.
            if key == "HTTP_PROXY" { continue }
            headers[String(key.dropFirst(5).lowercased().map { $0 == "_" ? "-" : $0 })] = value
        }
        if let type = env["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if env["HTTPS"]?.lowercased() == "on" { headers["x-forwarded-proto"] = "https" }
        var body: [UInt8] = []
        if let lengthText = env["CONTENT_LENGTH"], !lengthText.isEmpty {
            guard lengthText.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }), let length = Int(lengthText) else {
                throw .malformedEvent("CONTENT_LENGTH is not a number.")
            }
            if length > FunctionLimits.maxBodyBytes { throw .payloadTooLarge() }
            headers["content-length"] = lengthText
            body = readBody(length)
            guard body.count == length else { throw .malformedEvent("The body ended before CONTENT_LENGTH bytes.") }
        }
        let uriPath = env["REQUEST_URI"].map { String($0.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
        let path = uriPath ?? ((env["SCRIPT_NAME"] ?? "") + (env["PATH_INFO"] ?? ""))
        let rawQuery = env["QUERY_STRING"] ?? ""
        guard PercentEncoding.parseQuery(rawQuery) != nil else {
            throw .badRequest("malformed_query", "The query string is not valid percent-encoded UTF-8.")
        }
        return FunctionRequest(method: method, path: path.isEmpty ? "/" : path, query: rawQuery, headers: headers,
                               cookies: headers["cookie"].map(splitCookieHeader) ?? [], body: body,
                               sourceIp: env["REMOTE_ADDR"] ?? "", requestId: env["UNIQUE_ID"] ?? "")
    }

    /// `a=1; b=2` as `["a=1", "b=2"]`.
    public static func splitCookieHeader(_ header: String) -> [String] {
        header.split(separator: ";").map { String(trimmingSpaces($0)) }
    }

    /// A cookie's value from a list of `name=value` pairs.
    public static func cookie(_ name: String, in pairs: [String]) -> String? {
        for pair in pairs {
            let trimmed = trimmingSpaces(Substring(pair))
            guard let eq = trimmed.firstIndex(of: "=") else { continue }
            if trimmed[..<eq] == name { return String(trimmed[trimmed.index(after: eq)...]) }
        }
        return nil
    }

    static func trimmingSpaces(_ s: Substring) -> Substring {
        var t = s
        while let first = t.first, first == " " || first == "\t" { t.removeFirst() }
        while let last = t.last, last == " " || last == "\t" { t.removeLast() }
        return t
    }

    /// Whether a header name or value would split the head (CR or LF anywhere). Bytes, not
    /// Characters: "\r\n" is one Character, which `contains("\n")` does not find.
    public static func breaksLine(_ s: String) -> Bool { s.utf8.contains { $0 == 0x0A || $0 == 0x0D } }

    /// The response head: `Status:`, headers sorted by name, one `set-cookie` per cookie, blank line.
    /// A value containing a line break is dropped rather than allowed to split the head.
    public static func head(status: Int, headers: [String: String], cookies: [String]) -> String {
        var head = "Status: \(status) \(reason(status))\r\n"
        for (name, value) in headers.sorted(by: { $0.key < $1.key }) where !breaksLine(name) && !breaksLine(value) {
            head += "\(name): \(value)\r\n"
        }
        for cookie in cookies where !breaksLine(cookie) { head += "set-cookie: \(cookie)\r\n" }
        return head + "\r\n"
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 303: "See Other"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 410: "Gone"
        case 413: "Content Too Large"
        case 414: "URI Too Long"
        case 415: "Unsupported Media Type"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: status < 400 ? "OK" : (status < 500 ? "Client Error" : "Server Error")
        }
    }
}
