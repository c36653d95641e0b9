import Foundation
import GitfolioCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An echo handler: shows what the runtime gave it.
let echo: FunctionRunner.AsyncHandler = { request, context in
    if request.path == "/boom" { throw CancellationError() }
    if request.path == "/teapot" { throw APIError(status: 418, code: "teapot", message: "short and stout") }
    return .json([
        "method": .string(request.method), "path": .string(request.path), "query": .string(request.rawQuery),
        "q": .string(request.query("q") ?? ""), "cookie": .string(request.cookie("c") ?? ""), "body": .string(request.bodyText),
        "mode": .string(context.mode.rawValue), "ip": .string(request.sourceIp), "proxy": .string(request.header("proxy") ?? ""),
        "proto": .string(request.header("x-forwarded-proto") ?? ""),
    ] as JSONValue, cookies: ["a=1; Path=/", "b=2; Path=/"])
}

/// The same handler, synchronous (as Foundation-free functions such as `session` run).
nonisolated(unsafe) let syncEcho: FunctionRunner.Handler = { request, _ in
    .json(["path": .string(request.path)] as JSONValue)
}

/// Runs the runner over real pipes, as a process would.
func pipeRun(_ input: Data, _ body: (Int32, Int32) async -> Void) async -> Data {
    signal(SIGPIPE, SIG_IGN)  // as a function process does: a reader that left is a write error, not a death
    var inFDs: [Int32] = [0, 0], outFDs: [Int32] = [0, 0]
    pipe(&inFDs)
    pipe(&outFDs)
    let (inRead, inWrite, outRead, outWrite) = (inFDs[0], inFDs[1], outFDs[0], outFDs[1])
    let writer = Thread {
        input.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count { let n = write(inWrite, raw.baseAddress! + off, raw.count - off); if n <= 0 { break }; off += n }
        }
        close(inWrite)
    }
    writer.start()
    let collected = Collected()
    let reader = Thread {
        var all = Data()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true { let n = read(outRead, &buf, 65536); if n <= 0 { break }; all.append(contentsOf: buf[0..<n]) }
        collected.set(all)
    }
    reader.start()
    await body(inRead, outWrite)
    close(outWrite)
    close(inRead)
    while !reader.isFinished { usleep(1000) }
    return collected.get()
}

final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

func responses(_ data: Data) throws -> [FunctionResponse] {
    try data.split(separator: 0x0A).map { try FunctionResponse.parse(event: Array($0)) }
}

func event(_ request: FunctionRequest) -> Data { Data(request.event.serialized.utf8) }

/// Runs the async handler one-shot (or in `mode`) over pipes.
func serve(_ input: Data, environment: [String: String] = [:], handler: @escaping FunctionRunner.AsyncHandler = echo) async -> Data {
    await pipeRun(input) { i, o in await FunctionRunner.serve("t", environment: environment, input: i, output: o, handler: handler) }
}

@Suite struct FunctionProtocolTests {
    @Test func readsPayloadV2LenientlyWithNullMaps() throws {
        let json = #"{"version":"2.0","rawPath":"/api/me","rawQueryString":"q=a+b&q=c","headers":null,"cookies":null,"queryStringParameters":null,"body":null,"isBase64Encoded":false,"requestContext":{"http":{"method":"get","path":"/api/me","sourceIp":"10.0.0.1","userAgent":"ua"},"requestId":"r1"},"timeEpoch":1700000000000}"#
        let request = try FunctionRequest.parse(event: Array(json.utf8))
        #expect(request.method == "GET")
        #expect(request.headers.isEmpty && request.cookies.isEmpty)
        #expect(request.query("q") == "a b,c")
        #expect(request.requestId == "r1")
        #expect(request.sourceIp == "10.0.0.1")
    }

    @Test func headersAreLowerCasedAndCookiesReadFromEitherPlace() throws {
        let json = #"{"headers":{"Cookie":"x=1; c=from-header","X-Thing":"v"},"requestContext":{"http":{"method":"POST"}}}"#
        let request = try FunctionRequest.parse(event: Array(json.utf8))
        #expect(request.header("x-thing") == "v")
        #expect(request.cookie("c") == "from-header")
        var withList = request
        withList.cookies = ["c=from-list"]
        #expect(withList.cookie("c") == "from-list")
    }

    @Test func anEventRoundTripsThroughItsPayloadForm() throws {
        let request = FunctionRequest(method: "post", path: "/api/x", query: "a=1&b=%ED%95%9C", headers: ["X-A": "1", "cookie": "c=2"],
                                      body: [0xFF, 0x00, 0x41], sourceIp: "192.0.2.1")
        let back = try FunctionRequest.parse(event: Array(request.event.serialized.utf8))
        #expect(back == request)
        let response = FunctionResponse(statusCode: 201, headers: ["content-type": "application/pdf"], cookies: ["k=v"], body: [0x25, 0xFF])
        #expect(try FunctionResponse.parse(event: Array(response.event.utf8)) == response)
    }

    @Test func oneShotAnswersOneEvent() async throws {
        let out = await serve(event(FunctionRequest(method: "POST", path: "/x", query: "q=1", body: "héllo")))
        let response = try #require(try responses(out).first)
        #expect(response.statusCode == 200)
        #expect(response.cookies.count == 2)
        let body = try #require(response.json)
        #expect(body["body"] as? String == "héllo")
        #expect(body["mode"] as? String == "one-shot")
    }

    @Test(arguments: [
        ("not json", 400, "malformed_event", "not JSON"),
        (#"{"rawPath":"/x"}"#, 400, "malformed_event", "missing requestContext"),
        (#"[1,2]"#, 400, "malformed_event", "wrong type at the top level"),
        (#"{"requestContext":{}}"#, 400, "malformed_event", "missing requestContext.http"),
        (#"{"requestContext":{"http":{}}}"#, 400, "malformed_event", "missing requestContext.http.method"),
        (#"{"requestContext":{"http":{"method":7}}}"#, 400, "malformed_event", "wrong type at requestContext.http.method"),
        (#"{"headers":{"a":1},"requestContext":{"http":{"method":"GET"}}}"#, 400, "malformed_event", "wrong type at headers.a"),
        (#"{"cookies":"a=b","requestContext":{"http":{"method":"GET"}}}"#, 400, "malformed_event", "wrong type at cookies"),
        (#"{"requestContext":{"http":{"method":"GET"}},"body":"%%%","isBase64Encoded":true}"#, 400, "malformed_event", "base64"),
        (#"{"requestContext":{"http":{"method":"GET"}},"rawQueryString":"q=%FF"}"#, 400, "malformed_query", "percent"),
        (#"{"requestContext":{"http":{"method":"GET"}},"rawPath":"/boom"}"#, 500, "internal", "our side"),
        (#"{"requestContext":{"http":{"method":"GET"}},"rawPath":"/teapot"}"#, 418, "teapot", "stout"),
    ])
    func badEventsBecomeJSONErrors(input: String, status: Int, code: String, says: String) async throws {
        let response = try #require(try responses(await serve(Data(input.utf8))).first)
        #expect(response.statusCode == status)
        #expect(response.errorCode == code)
        #expect(response.errorMessage?.contains(says) == true, "\(response.errorMessage ?? "")")
    }

    /// Foundation's JSONDecoder died with SIGILL on 513 unclosed `[` (issue 15, defect 9): every
    /// nesting depth is now read by the strict reader first and answered with a 400.
    @Test(arguments: [1, 511, 512, 513, 514, 5000, 100_000])
    func anyNestingDepthIsA400NeverACrash(depth: Int) async throws {
        for text in [String(repeating: "[", count: depth), "{\"body\":\"x\",\"requestContext\":" + String(repeating: "[", count: depth)] {
            let response = try #require(try responses(await serve(Data(text.utf8))).first)
            #expect(response.statusCode == 400)
            #expect(response.errorCode == "malformed_event")
        }
    }

    @Test func oversizedEventIs413() async throws {
        let big = event(FunctionRequest(method: "POST", path: "/x", body: String(repeating: "a", count: 1_100_000)))
        #expect(try responses(await serve(big)).first?.statusCode == 413)
        let huge = Data(repeating: 0x20, count: FunctionLimits.maxEventBytes + 10)
        #expect(try responses(await serve(huge)).first?.statusCode == 413)
    }

    @Test func warmAnswersEachLineInOrderAndSurvivesBadOnes() async throws {
        var input = Data()
        for i in 0..<50 {
            input += event(FunctionRequest(method: "GET", path: "/n/\(i)")) + Data([0x0A])
            if i == 10 { input += Data("{broken\n".utf8) }
            if i == 20 { input += Data("\n  \n".utf8) }  // blank lines are skipped
            if i == 30 { input += Data(repeating: 0x61, count: FunctionLimits.maxEventBytes + 5) + Data([0x0A]) }
        }
        let out = await serve(input, environment: ["GITFOLIO_FUNCTION_MODE": "warm"])
        let all = try responses(out)
        #expect(all.count == 52)
        #expect(all[11].errorCode == "malformed_event")
        #expect(all[32].statusCode == 413)
        let paths = all.compactMap { $0.json?["path"] as? String }
        #expect(paths == (0..<50).map { "/n/\($0)" })
        #expect(all[0].json?["mode"] as? String == "warm")
    }

    @Test func theSynchronousHandlerRunsTheSameLoop() async throws {
        let input = event(FunctionRequest(method: "GET", path: "/a")) + Data("\n\nnot json\n".utf8) + event(FunctionRequest(method: "GET", path: "/b"))
        let out = await pipeRun(input) { i, o in
            FunctionRunner.serve("t", environment: ["GITFOLIO_FUNCTION_MODE": "warm"], input: i, output: o, handler: syncEcho)
        }
        let all = try responses(out)
        #expect(all.map(\.statusCode) == [200, 400, 200])
        #expect(all.compactMap { $0.json?["path"] as? String } == ["/a", "/b"])
    }

    @Test func cgiReadsMetaVariablesAndExactlyContentLength() async throws {
        let env = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/echo?q=%ED%95%9C", "QUERY_STRING": "q=%ED%95%9C",
            "CONTENT_LENGTH": "5", "CONTENT_TYPE": "text/plain", "HTTP_COOKIE": "c=cookie; d=2", "REMOTE_ADDR": "192.0.2.7",
            "HTTP_PROXY": "http://attacker.example:3128", "HTTPS": "on",
        ]
        let out = await serve(Data("12345TRAILING".utf8), environment: env)
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("Status: 200 OK\r\n"))
        let parts = text.components(separatedBy: "\r\n\r\n")
        #expect(parts.count == 2)
        #expect(parts[0].contains("set-cookie: a=1; Path=/\r\nset-cookie: b=2; Path=/"))
        #expect(parts[0].contains("content-type: application/json"))
        let body = try #require(try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as? [String: Any])
        #expect(body["body"] as? String == "12345")
        #expect(body["path"] as? String == "/api/echo")
        #expect(body["q"] as? String == "한")
        #expect(body["cookie"] as? String == "cookie")
        #expect(body["ip"] as? String == "192.0.2.7")
        #expect(body["proxy"] as? String == "")  // httpoxy: never taken from HTTP_PROXY
        #expect(body["proto"] as? String == "https")
        #expect(body["mode"] as? String == "cgi")
    }

    @Test(arguments: [
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "abc"], "", 400),
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "-1"], "", 400),
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "+5"], "12345", 400),
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "10"], "short", 400),
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "99999999"], "", 413),
        (["REQUEST_METHOD": "GET", "QUERY_STRING": "id=%zz"], "", 400),
        (["CONTENT_LENGTH": "0"], "", 400),
    ])
    func cgiRefusesBadInput(env: [String: String], body: String, status: Int) async throws {
        var environment = env
        environment["GATEWAY_INTERFACE"] = "CGI/1.1"
        let text = String(decoding: await serve(Data(body.utf8), environment: environment), as: UTF8.self)
        #expect(text.hasPrefix("Status: \(status) "))
        #expect(text.contains(#"{"error":{"code":"#))
    }

    @Test func errorsCarryTheirHeadersAndBothLanguages() throws {
        let response = FunctionResponse.error(.methodNotAllowed("DELETE", allowed: ["GET"]), cookies: ["a=; Max-Age=0"])
        #expect(response.headers["allow"] == "GET")
        #expect(response.cgi == Array(("Status: 405 Method Not Allowed\r\nallow: GET\r\ncache-control: no-store\r\n"
            + "content-type: application/json; charset=utf-8\r\nx-content-type-options: nosniff\r\nset-cookie: a=; Max-Age=0\r\n\r\n").utf8)
            + response.body)
        let unauthorized = FunctionResponse.error(.unauthorized())
        #expect(unauthorized.bodyText == #"{"error":{"code":"unauthorized","message":"Sign in first.","messages":{"en":"Sign in first.","ko":"먼저 로그인하세요."}}}"#)
        // An internal error's detail is for the log, never the body.
        let internalError = FunctionResponse.error(.internal("the database at /srv/x.sqlite: disk I/O error"))
        #expect(!internalError.bodyText.contains("/srv/x.sqlite"))
    }
}
