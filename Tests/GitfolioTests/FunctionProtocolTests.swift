import Foundation
import FunctionRuntime
import GitfolioCore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// An echo handler: shows what the runtime gave it.
let echo: FunctionHandler = { request, context in
    if request.rawPath == "/boom" { throw CancellationError() }
    if request.rawPath == "/teapot" { throw APIError(status: 418, code: "teapot", message: "short and stout") }
    return .json([
        "method": request.method, "path": request.rawPath, "query": request.rawQueryString,
        "q": request.query("q") ?? "", "cookie": request.cookie("c") ?? "", "body": String(decoding: try request.bodyData(), as: UTF8.self),
        "mode": context.mode.rawValue, "ip": request.requestContext.http.sourceIp, "proxy": request.header("proxy") ?? "",
        "proto": request.header("x-forwarded-proto") ?? "",
    ], cookies: ["a=1; Path=/", "b=2; Path=/"])
}

/// Runs a runner over real pipes, as a process would.
func pipeRun(_ input: Data, _ body: (Int32, Int32) async -> Void) async -> Data {
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
    try data.split(separator: 0x0A).map { try JSONDecoder().decode(FunctionResponse.self, from: Data($0)) }
}

@Suite struct FunctionProtocolTests {
    @Test func decodesPayloadV2LenientlyWithNullMaps() throws {
        let json = #"{"version":"2.0","rawPath":"/api/me","rawQueryString":"q=a+b&q=c","headers":null,"cookies":null,"queryStringParameters":null,"body":null,"isBase64Encoded":false,"requestContext":{"http":{"method":"get","path":"/api/me","sourceIp":"10.0.0.1","userAgent":"ua"},"requestId":"r1"},"timeEpoch":1700000000000}"#
        let request = try JSONDecoder().decode(FunctionRequest.self, from: Data(json.utf8))
        #expect(request.method == "GET")
        #expect(request.headers.isEmpty && request.cookies.isEmpty)
        #expect(request.query("q") == "a b,c")
        #expect(request.requestContext.requestId == "r1")
    }

    @Test func headersAreLowerCasedAndCookiesReadFromEitherPlace() throws {
        let json = #"{"headers":{"Cookie":"x=1; c=from-header","X-Thing":"v"},"requestContext":{"http":{"method":"POST"}}}"#
        let request = try JSONDecoder().decode(FunctionRequest.self, from: Data(json.utf8))
        #expect(request.header("x-thing") == "v")
        #expect(request.cookie("c") == "from-header")
        var withList = request
        withList.cookies = ["c=from-list"]
        #expect(withList.cookie("c") == "from-list")
    }

    @Test func oneShotAnswersOneEvent() async throws {
        let event = try JSONEncoder().encode(FunctionRequest(method: "POST", path: "/x", query: "q=1", body: "héllo"))
        let out = await pipeRun(event) { i, o in
            await OneShotRunner.run(input: i, output: o, context: FunctionContext(name: "t", mode: .oneShot), handler: echo)
        }
        let response = try #require(try responses(out).first)
        #expect(response.statusCode == 200)
        #expect(response.cookies.count == 2)
        let body = try #require(response.json)
        #expect(body["body"] as? String == "héllo")
        #expect(body["mode"] as? String == "one-shot")
    }

    @Test(arguments: [
        ("not json", 400, "malformed_event"),
        (#"{"rawPath":"/x"}"#, 400, "malformed_event"),
        (#"[1,2]"#, 400, "malformed_event"),
        (#"{"requestContext":{"http":{"method":"GET"}},"body":"%%%","isBase64Encoded":true}"#, 400, "malformed_event"),
        (#"{"requestContext":{"http":{"method":"GET"}},"rawPath":"/boom"}"#, 500, "internal"),
        (#"{"requestContext":{"http":{"method":"GET"}},"rawPath":"/teapot"}"#, 418, "teapot"),
    ])
    func badEventsBecomeJSONErrors(input: String, status: Int, code: String) async throws {
        let out = await pipeRun(Data(input.utf8)) { i, o in
            await OneShotRunner.run(input: i, output: o, context: FunctionContext(name: "t", mode: .oneShot), handler: echo)
        }
        let response = try #require(try responses(out).first)
        #expect(response.statusCode == status)
        #expect(response.errorCode == code)
    }

    @Test func oversizedEventIs413() async throws {
        let big = try JSONEncoder().encode(FunctionRequest(method: "POST", path: "/x", body: String(repeating: "a", count: 1_100_000)))
        let out = await pipeRun(big) { i, o in
            await OneShotRunner.run(input: i, output: o, context: FunctionContext(name: "t", mode: .oneShot), handler: echo)
        }
        #expect(try responses(out).first?.statusCode == 413)
        let huge = Data(repeating: 0x20, count: FunctionRuntime.maxEventBytes + 10)
        let out2 = await pipeRun(huge) { i, o in
            await OneShotRunner.run(input: i, output: o, context: FunctionContext(name: "t", mode: .oneShot), handler: echo)
        }
        #expect(try responses(out2).first?.statusCode == 413)
    }

    @Test func warmAnswersEachLineInOrderAndSurvivesBadOnes() async throws {
        var input = Data()
        for i in 0..<50 {
            input += try JSONEncoder().encode(FunctionRequest(method: "GET", path: "/n/\(i)")) + Data([0x0A])
            if i == 10 { input += Data("{broken\n".utf8) }
            if i == 20 { input += Data("\n  \n".utf8) }  // blank lines are skipped
            if i == 30 { input += Data(repeating: 0x61, count: FunctionRuntime.maxEventBytes + 5) + Data([0x0A]) }
        }
        let out = await pipeRun(input) { i, o in
            await WarmRunner.run(input: i, output: o, context: FunctionContext(name: "t", mode: .warm), handler: echo)
        }
        let all = try responses(out)
        #expect(all.count == 52)
        #expect(all[11].errorCode == "malformed_event")
        #expect(all[32].statusCode == 413)
        let paths = all.compactMap { $0.json?["path"] as? String }
        #expect(paths == (0..<50).map { "/n/\($0)" })
        #expect(all[0].json?["mode"] as? String == "warm")
    }

    @Test func cgiReadsMetaVariablesAndExactlyContentLength() async throws {
        let env = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "REQUEST_URI": "/api/echo?q=%ED%95%9C", "QUERY_STRING": "q=%ED%95%9C",
            "CONTENT_LENGTH": "5", "CONTENT_TYPE": "text/plain", "HTTP_COOKIE": "c=cookie; d=2", "REMOTE_ADDR": "192.0.2.7",
            "HTTP_PROXY": "http://attacker.example:3128", "HTTPS": "on",
        ]
        let out = await pipeRun(Data("12345TRAILING".utf8)) { i, o in
            await CGIRunner.run(environment: env, input: i, output: o, context: FunctionContext(name: "t", mode: .cgi), handler: echo)
        }
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
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "10"], "short", 400),
        (["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "99999999"], "", 413),
        (["CONTENT_LENGTH": "0"], "", 400),
    ])
    func cgiRefusesBadInput(env: [String: String], body: String, status: Int) async throws {
        var environment = env
        environment["GATEWAY_INTERFACE"] = "CGI/1.1"
        let out = await pipeRun(Data(body.utf8)) { i, o in
            await CGIRunner.run(environment: environment, input: i, output: o, context: FunctionContext(name: "t", mode: .cgi), handler: echo)
        }
        let text = String(decoding: out, as: UTF8.self)
        #expect(text.hasPrefix("Status: \(status) "))
        #expect(text.contains(#"{"error":{"code":"#))
    }
}
