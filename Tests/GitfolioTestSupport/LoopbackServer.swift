import FlyingFox
import FlyingSocks
import Foundation

/// A FlyingFox server running on 127.0.0.1 at a port the system picked: what every fake is built on.
public struct LoopbackServer: Sendable {
    public let server: HTTPServer
    public let port: UInt16
    private let task: Task<Void, any Error>

    /// A server to add routes to before `start`.
    public static func make() throws -> HTTPServer {
        HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: 0), logger: .disabled)
    }

    /// Starts `server` and waits until it listens.
    public init(starting server: HTTPServer) async throws {
        self.server = server
        task = Task { try await server.run() }
        try await server.waitUntilListening()
        guard case .ip4(_, let port)? = await server.listeningAddress else { throw URLError(.cannotConnectToHost) }
        self.port = port
    }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public func stop() async {
        await server.stop(timeout: 1)
        task.cancel()
    }
}
