import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A real HTTP client for tests (URLSession, libcurl on Linux) that does not follow redirects
/// and keeps no cookies, so tests see every status, Location and Set-Cookie themselves.
public final class TestHTTP: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    public struct Response: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var body: Data
        public var text: String { String(decoding: body, as: UTF8.self) }
        public func header(_ name: String) -> String? { headers[name.lowercased()] }
        public var json: [String: Any]? { try? JSONSerialization.jsonObject(with: body) as? [String: Any] }
        public var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
        /// `name=value` of the first Set-Cookie for `name`.
        public func cookie(_ name: String) -> String? {
            guard let raw = headers["set-cookie"] else { return nil }
            for part in raw.components(separatedBy: ", ") where part.hasPrefix("\(name)=") {
                return String(part.split(separator: ";")[0])
            }
            return nil
        }
    }

    private var session: URLSession!

    public override init() {
        super.init()
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpCookieStorage = nil
        configuration.httpShouldSetCookies = false
        configuration.timeoutIntervalForRequest = 30
        session = URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }

    public func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                           newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        completionHandler(nil)
    }

    public func send(_ method: String = "GET", _ url: URL, headers: [String: String] = [:], body: Data? = nil) async throws -> Response {
        var request = URLRequest(url: url)
        request.httpMethod = method
        for (k, v) in headers { request.setValue(v, forHTTPHeaderField: k) }
        request.httpBody = body
        let session = self.session!
        return try await withCheckedThrowingContinuation { continuation in
            session.dataTask(with: request) { data, response, error in
                if let error { continuation.resume(throwing: error); return }
                let http = response as! HTTPURLResponse
                var headers: [String: String] = [:]
                for (k, v) in http.allHeaderFields { if let k = k as? String, let v = v as? String { headers[k.lowercased()] = v } }
                continuation.resume(returning: Response(status: http.statusCode, headers: headers, body: data ?? Data()))
            }.resume()
        }
    }
}
