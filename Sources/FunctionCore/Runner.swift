import CFunctionCatalog

#if canImport(Glibc)
import Glibc
#endif

public enum RunMode: String, Sendable {
    case oneShot = "one-shot", warm, cgi
}

/// What a handler knows about the process answering it.
public struct FunctionContext: Sendable {
    public var name: String
    public var mode: RunMode
    public var log: Log

    public init(name: String, mode: RunMode, log: Log? = nil) {
        self.name = name
        self.mode = mode
        self.log = log ?? Log(label: name)
    }
}

/// The one runner of every function executable. It owns the three modes, the framing of events,
/// the limits and the error shape; a handler only maps a request to a response.
///
/// - CGI/1.1 when `GATEWAY_INTERFACE` is set: meta-variables and exactly `CONTENT_LENGTH` bytes in;
///   `Status:`, headers, blank line and body out.
/// - warm with `--warm` or `GITFOLIO_FUNCTION_MODE=warm`: newline-delimited payload 2.0 events in,
///   one response line out per event (blank lines get no answer), until end of input.
/// - otherwise one-shot: one payload 2.0 event on stdin, one response document on stdout.
///
/// Every failure becomes `{"error":{"code","message"}}` with its status: a malformed event is a 400,
/// an event or body over the limits a 413, an unexpected error a 500 whose details go to stderr only.
/// It is built without Foundation, so a function that needs nothing more starts about as fast as a
/// minimal Swift executable; `run` takes a synchronous handler or an async one (the same loop).
public enum FunctionRunner {
    public typealias Handler = (FunctionRequest, FunctionContext) throws -> FunctionResponse
    public typealias AsyncHandler = @Sendable (FunctionRequest, FunctionContext) async throws -> FunctionResponse

    /// The process's main loop: answers standard input on standard output in the process's mode, then exits.
    public static func run(_ name: String, environment: [String: String] = processEnvironment(),
                           arguments: [String] = CommandLine.arguments, handler: Handler) -> Never {
        prepareProcess()
        serve(name, environment: environment, arguments: arguments, handler: handler)
        exit(0)
    }

    public static func run(_ name: String, environment: [String: String] = processEnvironment(),
                           arguments: [String] = CommandLine.arguments, handler: AsyncHandler) async -> Never {
        prepareProcess()
        await serve(name, environment: environment, arguments: arguments, handler: handler)
        exit(0)
    }

    /// The main loop of a scheduled function (`FunctionCatalog.scheduled`, such as `nightly`): one-shot only.
    /// Standard input is a payload 2.0 event, or nothing at all (a scheduler's `< /dev/null`: a request
    /// with no body). The response goes to standard output, and the exit status says how the run went:
    /// 0 when the response's status is below 400, 1 otherwise. Under CGI or in warm mode it runs
    /// nothing: every request is answered 404, as for a function that does not exist.
    public static func runScheduled(_ name: String, environment: [String: String] = processEnvironment(),
                                    arguments: [String] = CommandLine.arguments, handler: AsyncHandler) async -> Never {
        prepareProcess()
        guard mode(environment: environment, arguments: arguments) == .oneShot else {
            serve(name, environment: environment, arguments: arguments) { _, _ throws(APIError) in
                throw .notFound("unknown_function", "There is no function called \(name).")
            }
            exit(2)
        }
        let context = FunctionContext(name: name, mode: .oneShot,
                                      log: Log(label: name, minimum: Log.Level(name: environment[Config.Variable.logLevel.rawValue])))
        let incoming: Incoming
        if let event = ByteReader(fd: 0).readAll(limit: FunctionLimits.maxEventBytes) {
            incoming = event.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
                ? .success(FunctionRequest(method: "POST", path: "/" + name))
                : Incoming { () throws(APIError) in try FunctionRequest.parse(event: event) }
        } else {
            incoming = .failure(.payloadTooLarge())
        }
        let response = await respond(incoming, context: context, handler: handler)
        writeAll(Array((response.event + "\n").utf8), to: 1)
        exit(response.statusCode < 400 ? 0 : 1)
    }

    /// Answers every request `input` brings, on `output`, in the mode the environment and arguments choose.
    public static func serve(_ name: String, environment: [String: String], arguments: [String] = [],
                             input: Int32 = 0, output: Int32 = 1, handler: Handler) {
        var channel = Channel(environment: environment, arguments: arguments, name: name, input: input, output: output)
        while let incoming = channel.next() {
            channel.send(respond(incoming, context: channel.context, handler: handler))
        }
    }

    public static func serve(_ name: String, environment: [String: String], arguments: [String] = [],
                             input: Int32 = 0, output: Int32 = 1, handler: AsyncHandler) async {
        var channel = Channel(environment: environment, arguments: arguments, name: name, input: input, output: output)
        while let incoming = channel.next() {
            channel.send(await respond(incoming, context: channel.context, handler: handler))
        }
    }

    /// SIGPIPE ignored (a reader that left is a write error, not a death), and an empty signal mask:
    /// a process inherits the mask of the thread that spawned it, and from a dispatch worker thread
    /// that mask blocks nearly everything, SIGTERM included.
    static func prepareProcess() {
        signal(SIGPIPE, SIG_IGN)
        var none = sigset_t()
        sigemptyset(&none)
        sigprocmask(SIG_SETMASK, &none, nil)
    }

    /// A request as the runner read it, or why it could not. (Not `Result`: a generic type with an
    /// `Error` requirement costs a one-shot process a runtime conformance scan at start-up.)
    public enum Incoming: Sendable {
        case success(FunctionRequest)
        case failure(APIError)

        init(_ read: () throws(APIError) -> FunctionRequest) {
            do { self = .success(try read()) } catch { self = .failure(error) }
        }
    }

    /// One request (or the failure to read it) through a handler; every error becomes a response.
    public static func respond(_ incoming: Incoming, context: FunctionContext, handler: Handler) -> FunctionResponse {
        switch incoming {
        case .failure(let error): return .error(error)
        case .success(let request):
            do { return try handler(request, context) } catch { return failure(error, request, context) }
        }
    }

    public static func respond(_ incoming: Incoming, context: FunctionContext, handler: AsyncHandler) async -> FunctionResponse {
        switch incoming {
        case .failure(let error): return .error(error)
        case .success(let request):
            do { return try await handler(request, context) } catch { return failure(error, request, context) }
        }
    }

    /// A payload 2.0 event through a handler (what a warm process does per line; tests use it too).
    public static func respond(toEvent event: [UInt8], context: FunctionContext, handler: AsyncHandler) async -> FunctionResponse {
        await respond(Incoming { () throws(APIError) in try FunctionRequest.parse(event: event) }, context: context, handler: handler)
    }

    static func failure(_ error: any Error, _ request: FunctionRequest, _ context: FunctionContext) -> FunctionResponse {
        let path = request.path.prefix(200)
        if let error = error as? any ResponseError {
            let answer = error.apiError
            if answer.status >= 500 { context.log.error("\(request.method) \(path): \(error)") }
            return .error(answer)
        }
        context.log.error("\(request.method) \(path): unexpected \(type(of: error)): \(error)")
        return .error(.internal())
    }

    public static func mode(environment: [String: String], arguments: [String]) -> RunMode {
        if environment["GATEWAY_INTERFACE"] != nil { return .cgi }
        if arguments.contains("--warm") || environment[Config.Variable.functionMode.rawValue] == "warm" { return .warm }
        return .oneShot
    }

    /// The process's input and output in its mode.
    struct Channel {
        let context: FunctionContext
        let environment: [String: String]
        let reader: ByteReader
        let output: Int32
        var done = false

        init(environment: [String: String], arguments: [String], name: String, input: Int32, output: Int32) {
            reader = ByteReader(fd: input)
            self.output = output
            self.environment = environment
            let level = Log.Level(name: environment[Config.Variable.logLevel.rawValue])
            context = FunctionContext(name: name, mode: FunctionRunner.mode(environment: environment, arguments: arguments),
                                      log: Log(label: name, minimum: level))
        }

        mutating func next() -> Incoming? {
            switch context.mode {
            case .warm:
                switch reader.nextEvent() {
                case .end: return nil
                case .tooLong: return .failure(.payloadTooLarge())
                case .line(let line): return Incoming { () throws(APIError) in try FunctionRequest.parse(event: line) }
                }
            case .oneShot:
                if done { return nil }
                done = true
                guard let event = reader.readAll(limit: FunctionLimits.maxEventBytes) else { return .failure(.payloadTooLarge()) }
                return Incoming { () throws(APIError) in try FunctionRequest.parse(event: event) }
            case .cgi:
                if done { return nil }
                done = true
                let reader = self.reader
                return Incoming { () throws(APIError) in try CGI.request(environment: environment, body: { reader.read(count: $0) }) }
            }
        }

        func send(_ response: FunctionResponse) {
            switch context.mode {
            case .cgi: writeAll(response.cgi, to: output)
            case .warm, .oneShot: writeAll(Array((response.event + "\n").utf8), to: output)
            }
        }
    }
}

/// Every function executable, by the name it is deployed under (`/api/<name>`), each built from
/// `Functions/<name>/main.swift`. The list is declared once, in Package.swift (`functions`), and
/// compiled in through the C target `CFunctionCatalog`; `serve`, `deploy` and the benchmarks take it
/// from here.
public enum FunctionCatalog {
    public static let names: [String] = String(cString: gitfolio_function_names()).split(separator: ",").map(String.init)

    /// Functions a scheduler runs, one-shot, never over HTTP (Package.swift's `scheduled`): built like the
    /// others, but `serve` and `deploy` do not route `/api/<name>` to them, and the runner refuses to
    /// answer them in warm or CGI mode (`FunctionRunner.runScheduled`).
    public static let scheduled: [String] = String(cString: gitfolio_scheduled_names()).split(separator: ",").map(String.init)
}
