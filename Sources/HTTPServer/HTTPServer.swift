import NIOCore
import NIOHTTP1
import NIOPosix

/// An HTTP/1.1 server on SwiftNIO for whole requests and whole responses.
///
/// What it holds against a hostile or slow client: TCP_NODELAY and one flush per response;
/// keep-alive and pipelining; the request line, each header and all headers capped (414, 431),
/// bodies capped (413); a request must arrive whole within `requestTimeout` (408), an idle
/// connection closes after `idleTimeout`, a response nobody reads after `writeTimeout`; a cap on
/// open connections below the descriptor limit, and accepting backs off for a second when the
/// process runs out of descriptors anyway (EMFILE) instead of failing.
public final class HTTPServer: Sendable {
    public let port: Int
    private let channel: any Channel
    private let connections: Connections
    private let ownedGroup: MultiThreadedEventLoopGroup?

    private init(port: Int, channel: any Channel, connections: Connections, ownedGroup: MultiThreadedEventLoopGroup?) {
        self.port = port
        self.channel = channel
        self.connections = connections
        self.ownedGroup = ownedGroup
    }

    /// The connection cap in force.
    public var maxConnections: Int { connections.limit }
    /// Connections open now.
    public var openConnections: Int { connections.count }

    /// Binds and starts serving; returns once the server listens.
    public static func start(_ configuration: HTTPServerConfiguration, responder: some HTTPResponder) async throws -> HTTPServer {
        let ownedGroup = configuration.threads.map { MultiThreadedEventLoopGroup(numberOfThreads: $0) }
        let group: any EventLoopGroup = ownedGroup ?? MultiThreadedEventLoopGroup.singleton
        let connections = Connections(limit: configuration.effectiveMaxConnections)
        var limits = NIOHTTPDecoderLimitConfiguration()
        limits.maxHeaderFieldSize = max(configuration.maxHeaderFieldBytes, configuration.maxTargetBytes)
        limits.maxHeaderListSize = configuration.maxHeaderBytes + configuration.maxTargetBytes
        limits.maxHeaderFieldCount = configuration.maxHeaderCount
        let decoderLimits = limits
        // Make each handler type once here, so the runtime instantiates their generic metadata now,
        // not first on two event-loop threads at once while a flood may be exhausting descriptors.
        _ = (HTTPResponseEncoder(), ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes,
                                                                             informationalResponseStrategy: .drop,
                                                                             limitConfiguration: decoderLimits)),
             HTTPServerPipelineHandler(), HeadWatcher(maxTargetBytes: 0), RefuseHandler())
        let log = configuration.log
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { channel in
                // Out of descriptors (EMFILE, ENFILE, ENOBUFS, ENOMEM): stop accepting for a second, keep running.
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AcceptBackoffHandler(backoffProvider: { error in
                        log("accept failed (\(error)); pausing accepts for 1 s")
                        return .seconds(1)
                    }))
                }
            }
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    switch connections.admit(channel) {
                    case .admitted:
                        break
                    case .evicting(let victim):
                        victim.close(promise: nil)
                    case .refused:
                        try channel.pipeline.syncOperations.addHandler(RefuseHandler())
                        return
                    }
                    let watcher = HeadWatcher(maxTargetBytes: configuration.maxTargetBytes)
                    let handler = RequestHandler(configuration: configuration, responder: responder, connections: connections, watcher: watcher)
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(watcher)
                    try sync.addHandler(HTTPResponseEncoder())
                    try sync.addHandler(ByteToMessageHandler(HTTPRequestDecoder(leftOverBytesStrategy: .dropBytes,
                                                                                  informationalResponseStrategy: .drop,
                                                                                  limitConfiguration: decoderLimits)))
                    try sync.addHandler(HTTPServerPipelineHandler())
                    try sync.addHandler(handler)
                }
            }
        do {
            let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            let port = channel.localAddress?.port ?? configuration.port
            return HTTPServer(port: port, channel: channel, connections: connections, ownedGroup: ownedGroup)
        } catch {
            try? await ownedGroup?.shutdownGracefully()
            throw error
        }
    }

    /// Returns when the server has stopped.
    public func waitUntilStopped() async {
        try? await channel.closeFuture.get()
    }

    /// Stops listening, closes every connection and, if the server made its own threads, ends them.
    public func stop() async {
        try? await channel.close()
        for connection in connections.closeAll() { try? await connection.close() }
        try? await ownedGroup?.shutdownGracefully()
    }
}

/// Every connection already has a request under way: answer 503 and close.
final class RefuseHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        let text = "Service unavailable: too many connections\n"
        let answer = "HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 1\r\n"
            + "content-type: text/plain; charset=utf-8\r\ncontent-length: \(text.utf8.count)\r\n\r\n" + text
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: answer))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
}
