import Foundation
import HTTPServer

/// An HTTP server (the `HTTPServer` module, like `gitfolio serve`) on 127.0.0.1 at a port the
/// system picked, answering from routes: what every fake is built on.
public final class LoopbackServer: Sendable {
    public typealias Handler = @Sendable (HTTPRequest) async -> HTTPResponse

    /// Routes in order: `"METHOD /path"`, `"METHOD /prefix/*"` or `"METHOD *"`; the first match answers,
    /// no match is a 404.
    public struct Routes: Sendable {
        var entries: [(method: String, path: String, handler: Handler)] = []
        public init() {}
        public mutating func add(_ route: String, _ handler: @escaping Handler) {
            let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
            entries.append((parts[0].uppercased(), parts.count > 1 ? parts[1] : "*", handler))
        }

        func handler(for request: HTTPRequest) -> Handler? {
            entries.first { entry in
                guard entry.method == request.method else { return false }
                if entry.path == "*" { return true }
                if entry.path.hasSuffix("*") { return request.path.hasPrefix(String(entry.path.dropLast())) }
                return entry.path == request.path
            }?.handler
        }
    }

    struct Router: AsyncHTTPResponder {
        let routes: Routes
        func respond(to request: HTTPRequest) async -> HTTPResponse {
            guard let handler = routes.handler(for: request) else { return .text(404, "Not Found") }
            return await handler(request)
        }
    }

    private let server: HTTPServer

    /// Where every fake answers: a thread of their own, so that a test process whose tests block
    /// the cooperative pool's threads still gets its answers.
    public static let executor = EventLoopExecutor()

    /// Starts serving `routes` and waits until the server listens (on `port`, or one the system picks).
    public init(routes: Routes, port: Int = 0) async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: port)
        configuration.responderExecutor = Self.executor
        server = try await HTTPServer.start(configuration, responder: Router(routes: routes))
    }

    public var port: UInt16 { UInt16(server.port) }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)")! }

    public func stop() async { await server.stop() }
}

extension HTTPRequest {
    /// The query's items, percent-decoded as `URLComponents` decodes them (`+` stays `+`).
    public var queryItems: [URLQueryItem] {
        URLComponents(string: "http://127.0.0.1/?" + query)?.queryItems ?? []
    }

    public func queryValue(_ name: String) -> String? { queryItems.first { $0.name == name }?.value }

    public var bodyData: Data { Data(body) }
}

extension HTTPResponse {
    /// A response with `Data` for a body and headers from a dictionary.
    public init(status: Int, headers: [String: String], body: Data = Data()) {
        self.init(status: status, headers: headers.sorted { $0.key < $1.key }.map { HTTPField($0.key, $0.value) }, body: [UInt8](body))
    }
}
