import NIOCore
import NIOHTTP1

/// First in each connection's pipeline, next to the socket: sees the raw bytes before the HTTP
/// decoder (to tell an over-long request line, 414, from over-long headers, 431, and to start the
/// request timer at a request's first byte), and writes the answers the server gives on its own
/// (400, 408, 413, 414, 431, 503) straight to the socket before closing.
final class HeadWatcher: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var owner: RequestHandler?
    private var context: ChannelHandlerContext?
    /// Bytes of the current request line seen so far, and whether it has ended.
    private var lineBytes = 0
    private var lineEnded = false
    /// Set when the current request's line was longer than the target limit allows.
    private(set) var lineTooLong = false
    private let maxLineBytes: Int

    init(maxTargetBytes: Int) {
        // Method, spaces and version around the target.
        maxLineBytes = maxTargetBytes + 32
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if !lineEnded {
            if let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                lineBytes += newline - buffer.readerIndex
                lineEnded = true
            } else {
                lineBytes += buffer.readableBytes
            }
            if lineBytes > maxLineBytes { lineTooLong = true }
        }
        owner?.bytesArrived(context: context)
        context.fireChannelRead(data)
    }

    /// The previous request is complete: the next bytes start a new request line.
    func nextRequest() {
        lineBytes = 0
        lineEnded = false
        lineTooLong = false
    }

    /// Whether the current request is still in its request line, or had one over the limit.
    var inOrOverLongLine: Bool { !lineEnded || lineTooLong }

    /// Writes a complete answer past the HTTP encoder, then closes the connection.
    func answerAndClose(_ status: Int, _ text: String, extraHeaders: [HTTPField]) {
        guard let context, context.channel.isActive else { return }
        var head = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n"
        head += "content-length: \(text.utf8.count)\r\n"
        for field in extraHeaders { head += "\(field.name): \(field.value)\r\n" }
        head += "\r\n" + text
        let buffer = context.channel.allocator.buffer(string: head)
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(NIOAny(buffer)).whenComplete { _ in loopBound.value.close(promise: nil) }
    }
}

/// Last in each connection's pipeline: gathers a request whole, hands it to the responder and
/// writes the response; checks the connection's deadlines (request, idle, write) once a tick.
final class RequestHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let configuration: HTTPServerConfiguration
    private let responder: any HTTPResponder
    private let connections: Connections
    private let watcher: HeadWatcher
    private let defaultHeaders: [HTTPField]
    private let defaultNames: [String]

    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var remoteAddress = ""
    /// When the request under way began to arrive; nil when none is arriving.
    private var receivingSince: NIODeadline?
    /// The responder has a request and has not replied yet.
    private var responding = false
    private var writesPending = 0
    private var writingSince = NIODeadline.now()
    private var idleSince = NIODeadline.now()
    private var closing = false
    private var ticker: Scheduled<Void>?

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, connections: Connections, watcher: HeadWatcher) {
        self.configuration = configuration
        self.responder = responder
        self.connections = connections
        self.watcher = watcher
        defaultHeaders = configuration.defaultHeaders.filter { Headers.isValid($0) }
        defaultNames = defaultHeaders.map { $0.name.lowercased() }
        watcher.owner = self
    }

    func channelActive(context: ChannelHandlerContext) {
        remoteAddress = context.channel.remoteAddress?.ipAddress ?? ""
        idleSince = .now()
        tick(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        ticker?.cancel()
        ticker = nil
        closing = true
        connections.remove(context.channel)
        context.fireChannelInactive()
    }

    // MARK: Reading

    func bytesArrived(context: ChannelHandlerContext) {
        if receivingSince == nil { receivingSince = .now() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        switch unwrapInboundIn(data) {
        case .head(let head):
            if receivingSince == nil { receivingSince = .now() }
            self.head = head
            body.removeAll(keepingCapacity: true)
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > configuration.maxBodyBytes {
                refuse(413, "Request body too large\n")
                return
            }
            if head.headers.first(name: "expect")?.lowercased() == "100-continue" {
                context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
            }
        case .body(var chunk):
            guard head != nil else { return }
            if body.count + chunk.readableBytes > configuration.maxBodyBytes {
                refuse(413, "Request body too large\n")
                return
            }
            body += chunk.readBytes(length: chunk.readableBytes) ?? []
        case .end:
            guard let head else { return }
            self.head = nil
            watcher.nextRequest()
            receivingSince = nil
            handle(head, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let parserError = error as? HTTPParserError {
            if responding || writesPending > 0 {
                context.close(promise: nil)
            } else if parserError == .headerOverflow {
                if watcher.inOrOverLongLine {
                    refuse(414, "Request target too long\n")
                } else {
                    refuse(431, "Request header fields too large\n")
                }
            } else {
                refuse(400, "Bad request\n")
            }
            return
        }
        // Connection resets and the like: nothing to answer.
        context.close(promise: nil)
    }

    // MARK: Answering

    private func refuse(_ status: Int, _ text: String) {
        closing = true
        ticker?.cancel()
        ticker = nil
        watcher.answerAndClose(status, text, extraHeaders: defaultHeaders)
    }

    private func handle(_ head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let target = RequestTarget.parse(head.uri) else {
            refuse(400, "Bad request: the path is not valid percent-encoded UTF-8\n")
            return
        }
        var fields: [HTTPField] = []
        fields.reserveCapacity(head.headers.count)
        for (name, value) in head.headers { fields.append(HTTPField(name, value)) }
        let request = HTTPRequest(method: head.method.rawValue, target: head.uri, path: target.path, query: target.query,
                                  headers: fields, body: body, remoteAddress: remoteAddress)
        body = []
        responding = true
        connections.setBusy(context.channel, true)
        let keepAlive = head.isKeepAlive, version = head.version, isHead = head.method == .HEAD
        let loop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: loop), boundContext = NIOLoopBound(context, eventLoop: loop)
        let reply = HTTPReply(deliver: { response in
            if loop.inEventLoop {
                handler.value.send(response, keepAlive: keepAlive, version: version, isHead: isHead, context: boundContext.value)
            } else {
                loop.execute {
                    handler.value.send(response, keepAlive: keepAlive, version: version, isHead: isHead, context: boundContext.value)
                }
            }
        }, executor: configuration.responderExecutor)
        responder.respond(to: request, reply: reply)
    }

    private func send(_ response: HTTPResponse, keepAlive: Bool, version: HTTPVersion, isHead: Bool, context: ChannelHandlerContext) {
        guard responding else { return }  // a second reply to the same request
        responding = false
        guard !closing, context.channel.isActive else { return }
        var headers = HTTPHeaders()
        headers.reserveCapacity(response.headers.count + defaultHeaders.count + 2)
        var overridden: UInt64 = 0
        for field in response.headers where Headers.isValid(field) {
            if Headers.isFraming(field.name) { continue }
            for (i, name) in defaultNames.enumerated() where Headers.equalIgnoringCase(field.name, name) { overridden |= 1 << UInt64(i & 63) }
            headers.add(name: field.name, value: field.value)
        }
        for (i, field) in defaultHeaders.enumerated() where overridden & (1 << UInt64(i & 63)) == 0 {
            headers.add(name: field.name, value: field.value)
        }
        headers.add(name: "content-length", value: String(response.body.count))
        if !keepAlive {
            headers.add(name: "connection", value: "close")
        } else if version.minor == 0 {
            headers.add(name: "connection", value: "keep-alive")
        }
        let head = HTTPResponseHead(version: version.major == 1 ? version : .http1_1,
                                    status: HTTPResponseStatus(statusCode: response.status, reasonPhrase: reasonPhrase(response.status)),
                                    headers: headers)
        if writesPending == 0 { writingSince = .now() }
        writesPending += 1
        if !keepAlive { closing = true }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !isHead && !response.body.isEmpty {
            let buffer = context.channel.allocator.buffer(bytes: response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { [self] result in
            let context = loopBound.value
            writesPending -= 1
            if !keepAlive || (try? result.get()) == nil {
                context.close(promise: nil)
                return
            }
            if writesPending > 0 { writingSince = .now() }
            if !responding && writesPending == 0 {
                idleSince = .now()
                connections.setBusy(context.channel, false)
            }
        }
    }

    // MARK: Deadlines

    /// How often the deadlines are checked: a deadline is met within one tick after it passes.
    private var tickInterval: TimeAmount {
        .interval(min(1, min(configuration.requestTimeout, configuration.idleTimeout, configuration.writeTimeout) / 4))
    }

    /// A write under way must finish within the write timeout; a responder at work has no limit
    /// here; a request that is arriving must be whole within the request timeout of its first
    /// byte; otherwise the connection may stay idle for the idle timeout.
    private func tick(context: ChannelHandlerContext) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        ticker = context.eventLoop.assumeIsolated().scheduleTask(in: tickInterval) { [self] in
            let context = loopBound.value
            guard !closing || writesPending > 0 else { return }
            let now = NIODeadline.now()
            if writesPending > 0 {
                if now - writingSince > .interval(configuration.writeTimeout) {
                    configuration.log("closing a connection whose client did not take its response within \(configuration.writeTimeout) s")
                    context.close(promise: nil)
                    return
                }
            } else if responding {
                // The responder decides how long it takes.
            } else if let since = receivingSince {
                if now - since > .interval(configuration.requestTimeout) {
                    refuse(408, "Request timeout\n")
                    return
                }
            } else if now - idleSince > .interval(configuration.idleTimeout) {
                context.close(promise: nil)
                return
            }
            tick(context: context)
        }
    }
}

extension TimeAmount {
    static func interval(_ seconds: Double) -> TimeAmount { .nanoseconds(Int64(seconds * 1_000_000_000)) }
}

enum Headers {
    static func equalIgnoringCase(_ a: String, _ lowercased: String) -> Bool {
        a.utf8.count == lowercased.utf8.count && zip(a.utf8, lowercased.utf8).allSatisfy { x, y in
            x == y || (x >= UInt8(ascii: "A") && x <= UInt8(ascii: "Z") && x + 32 == y)
        }
    }

    /// Headers the server writes itself.
    static func isFraming(_ name: String) -> Bool {
        equalIgnoringCase(name, "content-length") || equalIgnoringCase(name, "connection") || equalIgnoringCase(name, "transfer-encoding")
    }

    /// A name that is an RFC 9110 token, and a value without CR, LF or NUL.
    static func isValid(_ field: HTTPField) -> Bool {
        guard !field.name.isEmpty else { return false }
        for byte in field.name.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                continue
            default:
                if !"!#$%&'*+-.^_`|~".utf8.contains(byte) { return false }
            }
        }
        return !field.value.utf8.contains { $0 == 0x0A || $0 == 0x0D || $0 == 0 }
    }
}

func reasonPhrase(_ status: Int) -> String {
    switch status {
    case 100: "Continue"
    case 200: "OK"
    case 201: "Created"
    case 204: "No Content"
    case 301: "Moved Permanently"
    case 302: "Found"
    case 303: "See Other"
    case 304: "Not Modified"
    case 307: "Temporary Redirect"
    case 400: "Bad Request"
    case 401: "Unauthorized"
    case 403: "Forbidden"
    case 404: "Not Found"
    case 405: "Method Not Allowed"
    case 408: "Request Timeout"
    case 409: "Conflict"
    case 413: "Content Too Large"
    case 414: "URI Too Long"
    case 429: "Too Many Requests"
    case 431: "Request Header Fields Too Large"
    case 500: "Internal Server Error"
    case 502: "Bad Gateway"
    case 503: "Service Unavailable"
    default: status < 300 ? "OK" : status < 400 ? "Redirect" : status < 500 ? "Client Error" : "Server Error"
    }
}
