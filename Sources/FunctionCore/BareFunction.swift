#if canImport(Glibc)
import Glibc
#endif

/// A request as a bare function sees it: what the payload 2.0 event or the CGI variables say.
public struct BareRequest: Sendable, Equatable {
    public var method: String
    public var path: String
    /// Lower-case names.
    public var headers: [String: String]
    public var cookies: [String]

    public init(method: String, path: String, headers: [String: String] = [:], cookies: [String] = []) {
        self.method = method
        self.path = path
        self.headers = headers
        self.cookies = cookies
    }

    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// A cookie's value, from `cookies` or, failing that, the `cookie` header (as `FunctionRequest` does).
    public func cookie(_ name: String) -> String? {
        CGI.cookie(name, in: cookies.isEmpty ? (header("cookie").map(CGI.splitCookieHeader) ?? []) : cookies)
    }

    /// Reads the parts of a payload 2.0 event a bare function uses, as leniently as `FunctionRequest`:
    /// only `requestContext.http.method` is required, and absent or `null` maps are empty.
    public static func parse(event bytes: [UInt8]) throws(FunctionError) -> BareRequest {
        let event: JSONValue
        do {
            event = try JSONValue.parse(bytes)
        } catch {
            throw .malformedEvent("The request event is not a valid payload 2.0 JSON object: not JSON.")
        }
        func wrongType(_ at: String) -> FunctionError {
            .malformedEvent("The request event is not a valid payload 2.0 JSON object: wrong type at \(at).")
        }
        guard case .object = event else { throw wrongType("the top level") }
        guard let context = event["requestContext"], !context.isNull else {
            throw .malformedEvent("The request event is not a valid payload 2.0 JSON object: missing requestContext.")
        }
        guard let http = context["http"], !http.isNull else {
            throw .malformedEvent("The request event is not a valid payload 2.0 JSON object: missing requestContext.http.")
        }
        guard let methodValue = http["method"], !methodValue.isNull else {
            throw .malformedEvent("The request event is not a valid payload 2.0 JSON object: missing requestContext.http.method.")
        }
        guard let method = methodValue.stringValue else { throw wrongType("requestContext.http.method") }

        func optionalString(_ value: JSONValue?, _ at: String) throws(FunctionError) -> String? {
            guard let value, !value.isNull else { return nil }
            guard let s = value.stringValue else { throw wrongType(at) }
            return s
        }
        var headers: [String: String] = [:]
        if let value = event["headers"], !value.isNull {
            guard case .object(let members) = value else { throw wrongType("headers") }
            for (name, v) in members {
                guard let s = v.stringValue else { throw wrongType("headers.\(name)") }
                let key = name.lowercased()
                headers[key] = headers[key].map { "\($0), \(s)" } ?? s
            }
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
        let body = try optionalString(event["body"], "body")
        let base64 = event["isBase64Encoded"]?.boolValue ?? false
        if let body, body.utf8.count > (base64 ? FunctionLimits.maxBodyBytes * 4 / 3 + 4 : FunctionLimits.maxBodyBytes) {
            throw .payloadTooLarge()
        }
        return BareRequest(method: method.uppercased(), path: path, headers: headers, cookies: cookies)
    }
}

/// A response with a JSON body, in the payload 2.0 shape or as CGI output.
public struct BareResponse: Sendable, Equatable {
    public var statusCode: Int
    public var headers: [String: String]
    public var cookies: [String]
    public var body: String

    public static let jsonHeaders = ["content-type": "application/json; charset=utf-8", "cache-control": "no-store"]

    public init(statusCode: Int, headers: [String: String] = BareResponse.jsonHeaders, cookies: [String] = [], body: String) {
        self.statusCode = statusCode
        self.headers = headers
        self.cookies = cookies
        self.body = body
    }

    public static func json(_ value: JSONValue, status: Int = 200, cookies: [String] = []) -> BareResponse {
        BareResponse(statusCode: status, cookies: cookies, body: value.serialized)
    }

    /// `{"error":{"code","message"}}`, the body of every error of every function.
    public static func error(_ error: FunctionError, headers: [String: String] = [:], cookies: [String] = []) -> BareResponse {
        var response = json(.object(["error": .object(["code": .string(error.code), "message": .string(error.message)])]),
                            status: error.status, cookies: cookies)
        response.headers.merge(headers) { $1 }
        return response
    }

    /// The payload 2.0 response document, keys sorted like `FunctionRuntime.encode`.
    public var event: String {
        JSONValue.object([
            "statusCode": .int(Int64(statusCode)),
            "headers": .object(headers.mapValues { .string($0) }),
            "cookies": .array(cookies.map { .string($0) }),
            "body": .string(body),
            "isBase64Encoded": .bool(false),
        ]).serialized
    }

    public var cgi: String { CGI.head(status: statusCode, headers: headers, cookies: cookies) + body }
}

/// A handler for a bare function: synchronous, and it answers every request itself.
public typealias BareHandler = (BareRequest) -> BareResponse

/// The runner of functions built without Foundation, so that a one-shot process starts about as
/// fast as a minimal Swift executable. It speaks the same three modes as `FunctionMain`:
///
/// - CGI when `GATEWAY_INTERFACE` is set;
/// - warm when started with `--warm` or `GITFOLIO_FUNCTION_MODE=warm`;
/// - otherwise one-shot.
public enum BareFunction {
    public static func run(environment: [String: String] = processEnvironment(), arguments: [String] = CommandLine.arguments,
                           handler: BareHandler) -> Never {
        signal(SIGPIPE, SIG_IGN)
        // A process inherits the signal mask of the thread that spawned it; from a dispatch worker
        // thread that mask blocks nearly everything, SIGTERM included, and nothing here (no
        // Foundation, no dispatch) would unblock it. Start clean so the process can be stopped.
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
        if environment["GATEWAY_INTERFACE"] != nil {
            runCGI(environment: environment, input: 0, output: 1, handler: handler)
        } else if arguments.contains("--warm") || environment["GITFOLIO_FUNCTION_MODE"] == "warm" {
            runWarm(input: 0, output: 1, handler: handler)
        } else {
            runOneShot(input: 0, output: 1, handler: handler)
        }
        exit(0)
    }

    /// One event in, one response out; every failure is a JSON error response.
    public static func respond(to event: [UInt8], handler: BareHandler) -> BareResponse {
        if event.count > FunctionLimits.maxEventBytes { return .error(.payloadTooLarge()) }
        do {
            return handler(try BareRequest.parse(event: event))
        } catch {
            return .error(error)
        }
    }

    public static func runOneShot(input: Int32, output: Int32, handler: BareHandler) {
        let response = ByteReader(fd: input).readAll(limit: FunctionLimits.maxEventBytes).map { respond(to: $0, handler: handler) }
            ?? .error(.payloadTooLarge())
        writeAll(Array((response.event + "\n").utf8), to: output)
    }

    public static func runWarm(input: Int32, output: Int32, handler: BareHandler) {
        let reader = ByteReader(fd: input)
        while true {
            let response: BareResponse
            switch reader.nextEvent() {
            case .end: return
            case .tooLong: response = .error(.payloadTooLarge())
            case .line(let line): response = respond(to: line, handler: handler)
            }
            writeAll(Array((response.event + "\n").utf8), to: output)
        }
    }

    public static func runCGI(environment: [String: String], input: Int32, output: Int32, handler: BareHandler) {
        let response: BareResponse
        do {
            let request = try CGI.request(environment: environment, body: { ByteReader(fd: input).read(count: $0) })
            response = handler(BareRequest(method: request.method, path: request.path, headers: request.headers,
                                           cookies: request.cookies))
        } catch {
            response = .error(error)
        }
        writeAll(Array(response.cgi.utf8), to: output)
    }
}
