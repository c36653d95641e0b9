import Foundation
import GitfolioCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads from a file descriptor with its own buffer: whole input, exact byte counts, or lines.
public final class FDReader {
    public let fd: Int32
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false

    public init(fd: Int32) { self.fd = fd }

    private func fill() -> Bool {
        if eof { return false }
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 65_536) }
            if n > 0 {
                if start > 0 { buffer.removeFirst(start); start = 0 }
                buffer.append(contentsOf: chunk[0..<n])
                return true
            }
            if n < 0 && errno == EINTR { continue }
            eof = true
            return false
        }
    }

    public enum Line { case line(Data), tooLong, end }

    /// The next newline-terminated line; a line over `limit` bytes is skipped whole and reported.
    public func nextLine(limit: Int) -> Line {
        var tooLong = false
        while true {
            if let nl = buffer[start...].firstIndex(of: 0x0A) {
                let line = Data(buffer[start..<nl])
                start = nl + 1
                return tooLong || line.count > limit ? .tooLong : .line(line)
            }
            if buffer.count - start > limit { tooLong = true; start = buffer.count }
            if !fill() {
                guard buffer.count > start else { return tooLong ? .tooLong : .end }
                let line = Data(buffer[start...])
                start = buffer.count
                return tooLong || line.count > limit ? .tooLong : .line(line)
            }
        }
    }

    /// Reads up to `count` bytes; fewer only at end of input.
    public func read(count: Int) -> Data {
        while buffer.count - start < count, fill() {}
        let n = min(count, buffer.count - start)
        defer { start += n }
        return Data(buffer[start..<(start + n)])
    }

    /// Everything up to end of input, or nil once more than `limit` bytes arrived.
    public func readAll(limit: Int) -> Data? {
        while fill() { if buffer.count - start > limit { return nil } }
        return buffer.count - start > limit ? nil : Data(buffer[start...])
    }
}

public func writeAll(_ data: Data, to fd: Int32) {
    data.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 { if errno == EINTR { continue } else { return } }
            offset += n
        }
    }
}

/// One request as a JSON document on stdin, one response on stdout.
public enum OneShotRunner {
    public static func run(input: Int32, output: Int32, context: FunctionContext, handler: FunctionHandler) async {
        let response: FunctionResponse
        if let event = FDReader(fd: input).readAll(limit: FunctionRuntime.maxEventBytes) {
            response = await FunctionRuntime.respond(to: event, context: context, handler: handler)
        } else {
            response = .error(.payloadTooLarge(limit: FunctionRuntime.maxBodyBytes))
        }
        writeAll(FunctionRuntime.encode(response) + Data([0x0A]), to: output)
    }
}

/// Newline-delimited events in, one response line out per event, until end of input.
/// A runner keeps such a process alive between requests.
public enum WarmRunner {
    public static func run(input: Int32, output: Int32, context: FunctionContext, handler: FunctionHandler) async {
        let reader = FDReader(fd: input)
        while true {
            let response: FunctionResponse
            switch reader.nextLine(limit: FunctionRuntime.maxEventBytes) {
            case .end:
                return
            case .tooLong:
                response = .error(.payloadTooLarge(limit: FunctionRuntime.maxBodyBytes))
            case .line(let line):
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D || $0 == 0x09 }) { continue }
                response = await FunctionRuntime.respond(to: line, context: context, handler: handler)
            }
            writeAll(FunctionRuntime.encode(response) + Data([0x0A]), to: output)
        }
    }
}

/// CGI/1.1 (RFC 3875): meta-variables from the environment, exactly CONTENT_LENGTH bytes of body,
/// and a `Status:` line, headers, a blank line and the body out.
public enum CGIRunner {
    public static func run(environment: [String: String], input: Int32, output: Int32, context: FunctionContext,
                           handler: FunctionHandler) async {
        let response: FunctionResponse
        do {
            let request = try makeRequest(environment: environment, body: { FDReader(fd: input).read(count: $0) })
            response = await FunctionRuntime.respond(to: request, context: context, handler: handler)
        } catch let error as APIError {
            response = .error(error)
        } catch {
            response = .error(.internal())
        }
        writeAll(render(response), to: output)
    }

    public static func makeRequest(environment env: [String: String], body readBody: (Int) -> Data) throws -> FunctionRequest {
        guard let method = env["REQUEST_METHOD"], !method.isEmpty else {
            throw APIError.badRequest("malformed_event", "REQUEST_METHOD is missing.")
        }
        var headers: [String: String] = [:]
        for (key, value) in env where key.hasPrefix("HTTP_") {
            // httpoxy: a client's `Proxy:` header must never become an HTTP_PROXY setting.
            if key == "HTTP_PROXY" { continue }
            headers[key.dropFirst(5).lowercased().replacingOccurrences(of: "_", with: "-")] = value
        }
        if let type = env["CONTENT_TYPE"], !type.isEmpty { headers["content-type"] = type }
        if env["HTTPS"]?.lowercased() == "on" { headers["x-forwarded-proto"] = "https" }
        var bodyString: String?
        var base64 = false
        if let lengthText = env["CONTENT_LENGTH"], !lengthText.isEmpty {
            guard let length = Int(lengthText), length >= 0 else {
                throw APIError.badRequest("malformed_event", "CONTENT_LENGTH is not a number.")
            }
            if length > FunctionRuntime.maxBodyBytes { throw APIError.payloadTooLarge(limit: FunctionRuntime.maxBodyBytes) }
            headers["content-length"] = lengthText
            let data = readBody(length)
            guard data.count == length else {
                throw APIError.badRequest("malformed_event", "The body ended before CONTENT_LENGTH bytes.")
            }
            if length > 0 {
                if let text = String(data: data, encoding: .utf8) {
                    bodyString = text
                } else {
                    bodyString = data.base64EncodedString()
                    base64 = true
                }
            }
        }
        let uriPath = env["REQUEST_URI"].map { String($0.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]) }
        let path = uriPath ?? ((env["SCRIPT_NAME"] ?? "") + (env["PATH_INFO"] ?? ""))
        let cookies = headers["cookie"]?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        return FunctionRequest(
            method: method, path: path.isEmpty ? "/" : path, query: env["QUERY_STRING"] ?? "", headers: headers,
            cookies: cookies, body: bodyString, isBase64Encoded: base64, sourceIp: env["REMOTE_ADDR"] ?? "",
            userAgent: headers["user-agent"] ?? "")
    }

    public static func render(_ response: FunctionResponse) -> Data {
        var head = "Status: \(response.statusCode) \(reason(response.statusCode))\r\n"
        for (name, value) in response.headers.sorted(by: { $0.key < $1.key }) where !value.contains("\n") {
            head += "\(name): \(value)\r\n"
        }
        for cookie in response.cookies where !cookie.contains("\n") { head += "set-cookie: \(cookie)\r\n" }
        head += "\r\n"
        return Data(head.utf8) + response.bodyData()
    }

    public static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 201: "Created"
        case 204: "No Content"
        case 302: "Found"
        case 304: "Not Modified"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 409: "Conflict"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        default: status < 400 ? "OK" : (status < 500 ? "Client Error" : "Server Error")
        }
    }
}

/// The entry point each `Functions/<name>/main.swift` calls: picks the mode and runs the handler.
///
/// - CGI when `GATEWAY_INTERFACE` is set;
/// - warm when started with `--warm` or `GITFOLIO_FUNCTION_MODE=warm`;
/// - otherwise one-shot.
public enum FunctionMain {
    public static func run(_ name: String, handler: @escaping FunctionHandler) async -> Never {
        signal(SIGPIPE, SIG_IGN)
        let env = ProcessInfo.processInfo.environment
        if env["GATEWAY_INTERFACE"] != nil {
            await CGIRunner.run(environment: env, input: 0, output: 1, context: FunctionContext(name: name, mode: .cgi),
                                handler: handler)
        } else if CommandLine.arguments.contains("--warm") || env["GITFOLIO_FUNCTION_MODE"] == "warm" {
            await WarmRunner.run(input: 0, output: 1, context: FunctionContext(name: name, mode: .warm), handler: handler)
        } else {
            await OneShotRunner.run(input: 0, output: 1, context: FunctionContext(name: name, mode: .oneShot), handler: handler)
        }
        exit(0)
    }
}
