import Foundation
import FunctionCore

/// The function executables as black boxes, many requests at a time: the suites that must cover
/// every function (the route tables, the process fuzzer, the regression suite) take the list from
/// `FunctionCatalog.names` — the one list, declared in Package.swift — and run the executables
/// through these helpers, so a function added there is covered without touching them.
public enum FunctionProcesses {
    /// What one process run gave back.
    public struct Batch: Sendable {
        public var status: Int32
        /// The raw output lines (warm) or the whole output (one-shot, CGI).
        public var stdout: Data
        public var stderr: String
    }

    /// A payload 2.0 event as one line (no line break inside: the serializer escapes them).
    public static func line(_ request: FunctionRequest) -> Data { Data(request.event.serialized.utf8) }

    /// Runs `function --warm` with one event per line and returns one response per event, in order.
    /// Throws if the process gave a different number of answers or one that is not a response.
    public static func warm(_ function: String, environment: [String: String], events: [Data]) async throws
        -> (responses: [FunctionResponse], run: Batch) {
        var input = Data()
        for event in events {
            precondition(!event.contains(0x0A), "a warm event must be one line")
            input += event
            input.append(0x0A)
        }
        let result = try await runProcessAsync(Built.executable(function), arguments: ["--warm"], environment: environment, input: input)
        let batch = Batch(status: result.status, stdout: result.stdout, stderr: result.err)
        let lines = result.stdout.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        guard lines.count == events.count else {
            throw Failure("\(function): \(events.count) events, \(lines.count) answers (exit \(result.status)); stderr: \(result.err.suffix(2000))")
        }
        let responses = try lines.enumerated().map { i, line -> FunctionResponse in
            do { return try FunctionResponse.parse(event: Array(line)) } catch {
                throw Failure("\(function): answer \(i) is not a response: \(String(decoding: line.prefix(300), as: UTF8.self))")
            }
        }
        return (responses, batch)
    }

    /// Runs `function` one-shot with `input` on stdin.
    public static func oneShot(_ function: String, environment: [String: String], input: Data) async throws -> Batch {
        let result = try await runProcessAsync(Built.executable(function), environment: environment, input: input)
        return Batch(status: result.status, stdout: result.stdout, stderr: result.err)
    }

    /// Runs `function` as a CGI program: `variables` are added to the environment.
    public static func cgi(_ function: String, environment: [String: String], variables: [String: String], body: Data) async throws -> Batch {
        var env = environment
        env.merge(variables) { $1 }
        env["GATEWAY_INTERFACE"] = env["GATEWAY_INTERFACE"] ?? "CGI/1.1"
        let result = try await runProcessAsync(Built.executable(function), environment: env, input: body)
        return Batch(status: result.status, stdout: result.stdout, stderr: result.err)
    }

    /// A CGI answer read back: `Status:` line, headers, blank line, body.
    public static func parseCGI(_ output: Data) throws -> FunctionResponse {
        guard let end = output.firstRange(of: Data("\r\n\r\n".utf8)) else { throw Failure("no blank line after the CGI head") }
        let head = String(decoding: output[..<end.lowerBound], as: UTF8.self)
        var lines = head.components(separatedBy: "\r\n")
        guard let first = lines.first, first.hasPrefix("Status: "), let status = Int(first.dropFirst(8).prefix(3)),
              (100...599).contains(status) else {
            throw Failure("the CGI answer does not start with a Status line: \(head.prefix(200))")
        }
        lines.removeFirst()
        var headers: [String: String] = [:]
        var cookies: [String] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure("a CGI header line without a colon: \(line.prefix(200))") }
            let name = line[..<colon].lowercased()
            let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if name == "set-cookie" { cookies.append(value) } else { headers[name] = value }
        }
        return FunctionResponse(statusCode: status, headers: headers, cookies: cookies, body: Array(output[end.upperBound...]))
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        public init(_ description: String) { self.description = description }
    }
}

extension FunctionResponse {
    /// The error document's code and message, when the body is `{"error":{"code","message",...}}`
    /// with both non-empty (the one error shape every function answers).
    public var errorShape: (code: String, message: String)? {
        guard let document = try? JSONValue.parse(body), case .object(let root) = document,
              case .object(let error)? = root["error"],
              let code = error["code"]?.stringValue, !code.isEmpty,
              let message = error["message"]?.stringValue, !message.isEmpty else { return nil }
        return (code, message)
    }

    /// The `Allow` header's methods of a 405.
    public var allowedMethods: Set<String> {
        Set((headers["allow"] ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }
}
