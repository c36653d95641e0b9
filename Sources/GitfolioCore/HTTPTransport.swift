import Foundation

/// An outbound HTTP request (to GitHub, an LLM provider, KakaoPay).
public struct OutboundRequest: Sendable {
    public var method: String
    public var url: URL
    public var headers: [String: String]
    public var body: Data?

    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

public struct OutboundResponse: Sendable {
    public var status: Int
    /// Header names in lower case.
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The one seam for outbound HTTP. The real implementation, `URLSessionTransport` (libcurl on
/// Linux), lives in GitfolioHTTP so that functions without outbound calls do not load libcurl;
/// tests use it too, against local fake servers.
public protocol HTTPTransport: Sendable {
    func send(_ request: OutboundRequest) async throws -> OutboundResponse
}

/// For functions that make no outbound calls: any attempt is a clear server-side error.
public struct NoNetworkTransport: HTTPTransport {
    public init() {}
    public func send(_ request: OutboundRequest) async throws -> OutboundResponse {
        throw APIError.internal("This function is not built to make outbound HTTP requests.")
    }
}

/// Whether an outbound request failed because no answer came within its timeout (URLSession's
/// `timedOut`, or a transport's own error saying so), as opposed to a refused or broken connection.
public func isTimeout(_ error: any Error) -> Bool {
    (error as? URLError)?.code == .timedOut || "\(error)".localizedCaseInsensitiveContains("timed out")
}
