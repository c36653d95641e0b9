import FlyingFox
import FlyingSocks
import Foundation
import FunctionCore
import GitfolioCore

/// The embedded runner: static files from the built site, `/api/<function>` through warm pools
/// of the real function executables.
struct SiteServer {
    var host: String
    var port: UInt16
    var siteDirectory: String
    /// Set when the local sign-in is allowed; added to every request forwarded to a function.
    var localSignInKey: String?

    /// The function pools, made once the port is bound (the workers' public URL names it).
    final class Pools: @unchecked Sendable {
        private let lock = NSLock()
        private var pools: [String: FunctionPool] = [:]
        func set(_ value: [String: FunctionPool]) { lock.withLock { pools = value } }
        subscript(name: String) -> FunctionPool? { lock.withLock { pools[name] } }
    }

    func run(onListening: @Sendable @escaping (UInt16) throws -> [String: FunctionPool]) async throws {
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: host, port: port), timeout: 30,
                                logger: .disabled)
        let pools = Pools(), key = localSignInKey, root = URL(fileURLWithPath: siteDirectory)
        await server.appendRoute("/api/*") { request in
            await SiteServer.forward(request, pools: pools, localKey: key)
        }
        await server.appendRoute("GET,HEAD *") { request in
            SiteServer.staticFile(request, root: root)
        }
        let task = Task { try await server.run() }
        try await server.waitUntilListening()
        if case .ip4(_, let actual)? = await server.listeningAddress { pools.set(try onListening(actual)) }
        try await task.value
    }

    static func forward(_ request: HTTPRequest, pools: Pools, localKey: String?) async -> HTTPResponse {
        let name = String(request.path.dropFirst("/api/".count))
        guard let pool = pools[name] else {
            return render(.error(.notFound("unknown_function", "There is no function called \(name.prefix(40)).")))
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > FunctionLimits.maxBodyBytes {
            return render(.error(.payloadTooLarge()))
        }
        let body: Data
        do { body = try await request.bodyData } catch {
            return render(.error(.badRequest("bad_body", "The request body could not be read.")))
        }
        var headers: [String: String] = [:]
        for (header, value) in request.headers {
            let lower = header.rawValue.lowercased()
            headers[lower] = headers[lower].map { "\($0), \(value)" } ?? value
        }
        headers["x-gitfolio-local-key"] = localKey  // a client's own value never passes through (nil removes it)
        var sourceIp = ""
        if case .ip4(let ip, _)? = request.remoteAddress { sourceIp = ip }
        if case .ip6(let ip, _)? = request.remoteAddress { sourceIp = ip }
        let event = FunctionRequest(
            method: request.method.rawValue, path: request.path, query: request.target.query(percentEncoded: true) ?? "",
            headers: headers, cookies: headers["cookie"].map(CGI.splitCookieHeader) ?? [], body: Array(body), sourceIp: sourceIp)
        return render(await pool.call(Array(event.event.serialized.utf8)))
    }

    static func render(_ response: FunctionResponse) -> HTTPResponse {
        var headers = HTTPHeaders()
        for (name, value) in response.headers where !CGI.breaksLine(name) && !CGI.breaksLine(value) { headers[HTTPHeader(name)] = value }
        for cookie in response.cookies where !CGI.breaksLine(cookie) { headers.addValue(cookie, for: .setCookie) }
        return HTTPResponse(statusCode: HTTPStatusCode(response.statusCode, phrase: CGI.reason(response.statusCode)),
                            headers: headers, body: Data(response.body))
    }

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "png": "image/png", "svg": "image/svg+xml", "pdf": "application/pdf",
        "ico": "image/x-icon", "txt": "text/plain; charset=utf-8", "woff2": "font/woff2",
    ]

    static func staticFile(_ request: HTTPRequest, root: URL) -> HTTPResponse {
        var path = request.path
        if path.hasSuffix("/") { path += "index.html" }
        let parts = path.split(separator: "/")
        guard !parts.contains(where: { $0 == ".." || $0.hasPrefix(".") }) else {
            return HTTPResponse(statusCode: .notFound, body: Data("Not found\n".utf8))
        }
        var url = root
        for part in parts { url.appendPathComponent(String(part)) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            url.appendPathComponent("index.html")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            let headers: HTTPHeaders = [.contentType: "text/plain; charset=utf-8"]
            return HTTPResponse(statusCode: .notFound, headers: headers,
                                body: Data("Not found / 페이지를 찾을 수 없습니다\n".utf8))
        }
        let type = contentTypes[url.pathExtension.lowercased()] ?? "application/octet-stream"
        let headers: HTTPHeaders = [.contentType: type, HTTPHeader("Cache-Control"): "no-cache",
                                    HTTPHeader("X-Content-Type-Options"): "nosniff"]
        return HTTPResponse(statusCode: .ok, headers: headers,
                            body: request.method == .HEAD ? Data() : data)
    }
}
