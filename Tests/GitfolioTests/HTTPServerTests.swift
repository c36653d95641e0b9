import Foundation
import GitfolioTestSupport
import HTTPServer
import Testing

/// The `HTTPServer` module on its own, with small limits and timeouts.
@Suite struct HTTPServerTests {
    static func start(_ adjust: (inout HTTPServerConfiguration) -> Void = { _ in },
                      _ respond: @escaping @Sendable (HTTPRequest) async -> HTTPResponse) async throws -> HTTPServer {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.log = { _ in }
        configuration.responderExecutor = LoopbackServer.executor
        adjust(&configuration)
        return try await HTTPServer.start(configuration, responder: ClosureResponder(respond))
    }

    static func echo(_ request: HTTPRequest) -> HTTPResponse {
        HTTPResponse(status: 200, headers: [HTTPField("content-type", "text/plain")], body: Array("\(request.method) \(request.path) \(request.query) \(request.body.count)".utf8))
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let server = try await Self.start { request in
            if request.path == "/slow" { try? await Task.sleep(for: .milliseconds(100)) }
            return Self.echo(request)
        }
        defer { Task { await server.stop() } }
        let port = UInt16(server.port)
        let texts = try await offPool { () -> [String] in
            let connection = try RawConnection(port: port)
            connection.send("GET /slow?a=1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcHEAD /c HTTP/1.1\r\nHost: x\r\n\r\n")
            return (0..<2).compactMap { _ in connection.readResponse()?.text } + [connection.readResponse(toHead: true)?.header("content-length") ?? "none"]
        }
        #expect(texts == ["GET /slow a=1 0", "POST /b  3", "10"])
    }

    /// Answers `/now/…` on the event loop, everything else as a task.
    struct MixedResponder: HTTPResponder {
        func respond(to request: HTTPRequest, reply: HTTPReply) {
            if request.path.hasPrefix("/now/") {
                reply(HTTPServerTests.echo(request))
            } else {
                reply.task { HTTPServerTests.echo(request) }
            }
        }
    }

    @Test func pipelinedRequestsAnsweredAtOnceOrAsTasksKeepTheirOrder() async throws {
        var configuration = HTTPServerConfiguration(host: "127.0.0.1", port: 0)
        configuration.responderExecutor = LoopbackServer.executor
        let server = try await HTTPServer.start(configuration, responder: MixedResponder())
        defer { Task { await server.stop() } }
        let port = UInt16(server.port)
        let paths = ["/now/1", "/now/2", "/task/3", "/now/4", "/task/5", "/task/6", "/now/7"]
        let texts = try await offPool { () -> [String] in
            let connection = try RawConnection(port: port, timeout: 3)
            connection.send(paths.map { "GET \($0) HTTP/1.1\r\nHost: x\r\n\r\n" }.joined())
            return paths.compactMap { _ in connection.readResponse()?.text }
        }
        #expect(texts == paths.map { "GET \($0)  0" })
    }

    @Test func headersWithLineBreaksOrBadNamesAreDroppedAndDefaultsAdded() async throws {
        let server = try await Self.start({ $0.defaultHeaders = [HTTPField("X-Default", "d"), HTTPField("X-Kept", "default")] }) { _ in
            HTTPResponse(status: 302, headers: [HTTPField("Location", "/a\r\nSet-Cookie: evil=1"), HTTPField("X-Ok", "fine"),
                                                HTTPField("Bad Name", "x"), HTTPField("X-Lf", "a\nb"), HTTPField("X-Kept", "own")])
        }
        defer { Task { await server.stop() } }
        let port = UInt16(server.port)
        let response = try #require(try await offPool { () -> RawConnection.Response? in
            let connection = try RawConnection(port: port)
            connection.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            return connection.readResponse()
        })
        #expect(response.status == 302)
        #expect(response.header("location") == nil && response.header("set-cookie") == nil && response.header("x-lf") == nil)
        #expect(response.header("x-ok") == "fine" && response.header("x-default") == "d" && response.header("x-kept") == "own")
        #expect(!response.head.contains("evil"))
    }

    @Test func limitsAndTimeoutsAnswerAtOnce() async throws {
        let server = try await Self.start({
            $0.requestTimeout = 0.5
            $0.idleTimeout = 0.5
            $0.maxBodyBytes = 1000
        }) { Self.echo($0) }
        defer { Task { await server.stop() } }
        let port = UInt16(server.port)
        let results = try await offPool { () -> [Int?] in
            func ask(_ raw: String) throws -> Int? {
                let connection = try RawConnection(port: port, timeout: 3)
                connection.send(raw)
                return connection.readResponse()?.status
            }
            return [
                try ask("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n"),
                try ask("GET /\(String(repeating: "a", count: 9000)) HTTP/1.1\r\nHost: x\r\n\r\n"),
                try ask("GET / HTTP/1.1\r\nHost: x\r\nX: \(String(repeating: "a", count: 9000))\r\n\r\n"),
                try ask("GET / HTTP/1.1\r\nHost: x\r\n"),
                try ask("GARBAGE\r\n\r\n"),
                try ask("GET /%e0%a4 HTTP/1.1\r\nHost: x\r\n\r\n"),
            ]
        }
        #expect(results == [413, 414, 431, 408, 400, 400])
        let idleClosed = try await offPool { try RawConnection(port: port).secondsUntilClosed(timeout: 3) }
        #expect(idleClosed != nil && idleClosed! < 1.5)
    }

    /// At the cap a new connection takes the place of the one idle longest; when every connection
    /// has a request under way, the new one gets 503.
    @Test func theConnectionCapEvictsIdleConnectionsThenRefuses() async throws {
        // `/wait` answers once the test lets it (at most 10 s), and counts the requests under way.
        let gate = WaitGate()
        let server = try await Self.start({ $0.maxConnections = 3 }) { request in
            if request.path == "/wait" { await gate.pass() }
            return Self.echo(request)
        }
        defer { Task { await server.stop() } }
        let port = UInt16(server.port)
        #expect(server.maxConnections == 3)
        let (closed, served) = try await offPool { () -> (Int, Int?) in
            // Each answered once, so each is surely admitted and idle (a bare connect may not be admitted
            // yet on a busy machine, and then nothing needs to make room).
            let idle = try (0..<3).map { _ in try RawConnection(port: port, timeout: 5) }
            for connection in idle {
                connection.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = connection.readResponse()
            }
            let fresh = try RawConnection(port: port, timeout: 5)
            fresh.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
            let served = fresh.readResponse()?.status
            // One of the three made room (which one depends on which event loop admitted it first).
            let closed = idle.filter { $0.secondsUntilClosed(timeout: 2) != nil }.count
            return (closed, served)
        }
        #expect(served == 200 && closed == 1)
        let refused = try await offPool { () -> Int? in
            let busy = try (0..<3).map { _ in try RawConnection(port: port, timeout: 12) }
            for connection in busy { connection.send("GET /wait HTTP/1.1\r\nHost: x\r\n\r\n") }
            let deadline = Date().addingTimeInterval(10)
            while gate.waiting < 3 && Date() < deadline { usleep(10_000) }
            let extra = try RawConnection(port: port, timeout: 5)
            extra.send("GET /x HTTP/1.1\r\nHost: x\r\n\r\n")
            let status = extra.readResponse()?.status
            gate.open()
            for connection in busy { _ = connection.readResponse() }
            return status
        }
        #expect(refused == 503)
    }
}

/// Requests that wait until the test opens the gate (at most 10 s), counted while they wait.
final class WaitGate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var count = 0

    var waiting: Int { lock.withLock { count } }
    func open() { lock.withLock { isOpen = true } }

    func pass() async {
        lock.withLock { count += 1 }
        let deadline = Date().addingTimeInterval(10)
        while !lock.withLock({ isOpen }) && Date() < deadline { try? await Task.sleep(for: .milliseconds(20)) }
    }
}
