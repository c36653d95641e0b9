import Foundation
import FunctionCore
import GitfolioCore

#if canImport(Glibc)
import Glibc
#endif

/// Reads from a file descriptor with its own buffer (FunctionCore's `ByteReader`), in `Data`.
public final class FDReader {
    private let reader: ByteReader

    public init(fd: Int32) { reader = ByteReader(fd: fd) }

    public enum Line { case line(Data), tooLong, end }

    /// The next newline-terminated line; a line over `limit` bytes is skipped whole and reported.
    public func nextLine(limit: Int) -> Line { Self.wrap(reader.nextLine(limit: limit)) }

    private static func wrap(_ line: ByteReader.Line) -> Line {
        switch line {
        case .line(let bytes): .line(Data(bytes))
        case .tooLong: .tooLong
        case .end: .end
        }
    }

    /// The next warm-mode event: the next line that is not blank.
    public func nextEvent() -> Line { Self.wrap(reader.nextEvent()) }

    /// Reads up to `count` bytes; fewer only at end of input.
    public func read(count: Int) -> Data { Data(reader.read(count: count)) }

    /// Everything up to end of input, or nil once more than `limit` bytes arrived.
    public func readAll(limit: Int) -> Data? { reader.readAll(limit: limit).map { Data($0) } }
}

public func writeAll(_ data: Data, to fd: Int32) {
    data.withUnsafeBytes { FunctionCore.writeAll($0, to: fd) }
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
            switch reader.nextEvent() {
            case .end: return
            case .tooLong: response = .error(.payloadTooLarge(limit: FunctionRuntime.maxBodyBytes))
            case .line(let line): response = await FunctionRuntime.respond(to: line, context: context, handler: handler)
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
        let cgi: CGI.Request
        do {
            cgi = try CGI.request(environment: env, body: { Array(readBody($0)) })
        } catch {
            throw APIError(status: error.status, code: error.code, message: error.message)
        }
        var bodyString: String?
        var base64 = false
        if let bytes = cgi.body {
            if let text = String(validating: bytes, as: UTF8.self) {
                bodyString = text
            } else {
                bodyString = Data(bytes).base64EncodedString()
                base64 = true
            }
        }
        return FunctionRequest(
            method: cgi.method, path: cgi.path, query: cgi.query, headers: cgi.headers, cookies: cgi.cookies,
            body: bodyString, isBase64Encoded: base64, sourceIp: cgi.sourceIp, userAgent: cgi.headers["user-agent"] ?? "")
    }

    public static func render(_ response: FunctionResponse) -> Data {
        Data(CGI.head(status: response.statusCode, headers: response.headers, cookies: response.cookies).utf8) + response.bodyData()
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
