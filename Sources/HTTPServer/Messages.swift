/// One header line: the name as sent (compare case-insensitively) and its value.
public struct HTTPField: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// A complete request, read whole before the responder sees it.
public struct HTTPRequest: Sendable {
    public var method: String
    /// The request target exactly as sent (`/api/me?x=1`).
    public var target: String
    /// The target's path, percent-decoded strictly (the server answers 400 to anything else).
    public var path: String
    /// The query exactly as sent, without the `?`; empty when there is none.
    public var query: String
    public var headers: [HTTPField]
    public var body: [UInt8]
    /// The peer's IP address as text (`127.0.0.1`, `::1`), empty when unknown.
    public var remoteAddress: String

    public init(method: String, target: String, path: String, query: String, headers: [HTTPField], body: [UInt8],
                remoteAddress: String) {
        self.method = method
        self.target = target
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
    }

    /// The value of a header (case-insensitive name); repeated headers joined with ", ".
    public func header(_ name: String) -> String? {
        var found: String?
        for field in headers where field.name.utf8.count == name.utf8.count && field.name.lowercased() == name.lowercased() {
            found = found.map { "\($0), \(field.value)" } ?? field.value
        }
        return found
    }
}

/// A complete response: the server adds `content-length`, `connection` and the configured
/// default headers (those the response does not set itself), and drops any header whose name
/// is not a token or whose value contains CR, LF or NUL.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: [HTTPField]
    public var body: [UInt8]

    public init(status: Int, headers: [HTTPField] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A short plain-text answer, for errors the server gives itself.
    public static func text(_ status: Int, _ text: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: [HTTPField("content-type", "text/plain; charset=utf-8")], body: Array(text.utf8))
    }
}

/// What answers requests. The server calls `respond(to:reply:)` on the connection's event-loop
/// thread; the responder calls `reply` exactly once, at once (a file from memory) or later from
/// any thread (an answer from another process). It must not block that thread for long.
public protocol HTTPResponder: Sendable {
    func respond(to request: HTTPRequest, reply: HTTPReply)
}

/// A responder written as an async function: each request runs as a task (on the configured
/// `responderExecutor`, or Swift's shared pool).
public protocol AsyncHTTPResponder: HTTPResponder {
    func respond(to request: HTTPRequest) async -> HTTPResponse
}

extension AsyncHTTPResponder {
    public func respond(to request: HTTPRequest, reply: HTTPReply) {
        reply.task { await self.respond(to: request) }
    }
}

/// Delivers one response to its connection, from any thread.
public struct HTTPReply: Sendable {
    let deliver: @Sendable (HTTPResponse) -> Void
    let executor: (any TaskExecutor)?

    public func callAsFunction(_ response: HTTPResponse) { deliver(response) }

    /// Runs `body` as a task and replies with what it returns.
    public func task(_ body: @escaping @Sendable () async -> HTTPResponse) {
        if #available(macOS 15.0, *), let executor {
            Task(executorPreference: executor) { self(await body()) }
        } else {
            Task { self(await body()) }
        }
    }
}

/// A responder made of an async closure.
public struct ClosureResponder: AsyncHTTPResponder {
    let body: @Sendable (HTTPRequest) async -> HTTPResponse
    public init(_ body: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) { self.body = body }
    public func respond(to request: HTTPRequest) async -> HTTPResponse { await body(request) }
}
