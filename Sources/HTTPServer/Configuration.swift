#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Limits, timeouts and defaults of an `HTTPServer`. The defaults suit a server on loopback
/// that a hostile local page or a slow client may reach.
public struct HTTPServerConfiguration: Sendable {
    public var host: String
    /// 0 lets the system pick a free port (read it from `HTTPServer.port`).
    public var port: Int
    /// The request line's longest target, in bytes; longer answers 414.
    public var maxTargetBytes = 8 * 1024
    /// One header line's longest name and value together; longer answers 431.
    public var maxHeaderFieldBytes = 8 * 1024
    /// All header names and values together; more answers 431.
    public var maxHeaderBytes = 32 * 1024
    public var maxHeaderCount = 100
    /// The longest body; longer answers 413 (at once when Content-Length says so).
    public var maxBodyBytes = 2 * 1024 * 1024
    /// A request must arrive whole within this many seconds of its first byte, or 408 and close.
    public var requestTimeout: Double = 10
    /// A connection with no request under way is closed after this many seconds.
    public var idleTimeout: Double = 15
    /// A response must be taken by the client within this many seconds, or the connection closes.
    public var writeTimeout: Double = 30
    /// The most connections open at once; nil derives it from the descriptor limit
    /// (`RLIMIT_NOFILE`), leaving room for files, pipes and child processes. When full, a new
    /// connection takes the place of the one that has waited longest without a request under
    /// way; when every connection has one under way, the new one gets 503 and is closed.
    public var maxConnections: Int?
    /// Headers added to every response that does not set the same name itself (security headers).
    public var defaultHeaders: [HTTPField] = []
    /// Event-loop threads; nil uses the process-wide shared group (one thread per core).
    public var threads: Int?
    /// Where `HTTPResponder.respond` runs; nil is Swift's shared cooperative pool.
    public var responderExecutor: (any TaskExecutor)?
    /// Where the server reports what it does on its own (refused connections, timeouts): stderr by default.
    public var log: @Sendable (String) -> Void = { message in
        var line = message + "\n"
        line.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
    }

    public init(host: String = "127.0.0.1", port: Int = 0) {
        self.host = host
        self.port = port
    }

    /// Descriptors kept free for everything but connections.
    static let reservedDescriptors = 128

    /// The connection cap in force: the configured one, never above what the descriptor limit allows.
    var effectiveMaxConnections: Int {
        var limit = rlimit()
        let available: Int
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            let soft = Int(clamping: limit.rlim_cur)
            available = max(8, soft - max(32, min(Self.reservedDescriptors, soft / 4)))
        } else {
            available = 4096
        }
        return min(maxConnections ?? 4096, available)
    }

    /// Raises the soft descriptor limit to the hard one (at most 65,536), as servers usually do.
    public static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = min(limit.rlim_max, 65_536)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = wanted
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }
}
