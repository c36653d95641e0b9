import Foundation
import FunctionCore
import GitfolioCore
import GitfolioFunctions
import GitfolioStore
import GitfolioTestSupport
import SessionFunction
import Testing

/// `GET /api/session`, the function built without Foundation: same answers as the full stack.
@Suite struct SessionFunctionTests {
    func ask(_ function: SessionFunction, _ request: FunctionRequest) throws -> FunctionResponse {
        let incoming = FunctionRunner.Incoming.success(try FunctionRequest.parse(event: Array(request.event.serialized.utf8)))
        let answer = FunctionRunner.respond(incoming, context: FunctionContext(name: "session", mode: .warm), handler: function.respond)
        // What a runner would write, read back.
        return try FunctionResponse.parse(event: Array(answer.event.utf8))
    }

    func lookup(_ environment: [String: String]) throws -> SessionFunction { SessionFunction(config: try Config(environment: environment)) }

    @Test func describesTheSignedInMemberExactlyAsMeDoes() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember("세션-user")
        let session = try ask(try lookup(h.environment), browser("GET", "/api/session", cookie: cookie))
        #expect(session.statusCode == 200)
        #expect(session.headers["content-type"] == "application/json; charset=utf-8")
        #expect(session.headers["cache-control"] == "no-store")
        #expect(session.cookies.isEmpty)
        let me = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie))
        #expect(try JSONValue.parse(session.body)["member"] == JSONValue.parse(me.body)["member"])
        let sessionMember = try #require(session.json?["member"] as? [String: Any])
        #expect(sessionMember["login"] as? String == "세션-user")
        #expect(sessionMember["local"] as? Bool == true)
        #expect(sessionMember["plan"] as? String == "FREE")
    }

    @Test func signedOutIsANullMemberWithoutACookie() throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let response = try ask(try lookup(h.environment), browser("GET", "/api/session"))
        #expect(response.statusCode == 200)
        #expect(response.bodyText == #"{"member":null}"#)
        #expect(response.cookies.isEmpty)
    }

    @Test func unknownExpiredAndMalformedSessionsAreClearedLikeMeClearsThem() async throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (member, real) = try h.signedInMember()
        let old = Secrets.randomToken()
        try h.database.createSession(hash: Secrets.sha256Hex(old), memberID: member.id, now: Date().addingTimeInterval(-31 * 24 * 3600))
        let function = try lookup(h.environment)
        var flipped = Array(real)
        flipped[flipped.count - 1] = flipped.last == "A" ? "B" : "A"
        for cookie in [String(flipped), "gitfolio_session=\(old)", "gitfolio_session=short", "gitfolio_session=<script>"] {
            let response = try ask(function, browser("GET", "/api/session", cookie: cookie))
            #expect(response.statusCode == 200, "\(cookie)")
            #expect(response.bodyText == #"{"member":null}"#)
            #expect(response.cookie("gitfolio_session") == "gitfolio_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax")
            let me = await h.call(MeFunction.handler, browser("GET", "/api/me", cookie: cookie))
            #expect(me.cookie("gitfolio_session") == response.cookie("gitfolio_session"))
        }
        // The real session still works through the same (warm) lookup.
        #expect(try ask(function, browser("GET", "/api/session", cookie: real)).bodyText.contains(#""id":\#(member.id)"#))
    }

    @Test func theClearingCookieIsSecureOnHTTPSSites() throws {
        let h = try Harness(publicURL: "https://gitfolio.example")
        defer { h.dir.remove() }
        let https = try ask(try lookup(h.environment), browser("GET", "/api/session", cookie: "gitfolio_session=x"))
        #expect(https.cookie("gitfolio_session")?.hasSuffix("; Secure") == true)
        let plain = try Harness()
        defer { plain.dir.remove() }
        let proxied = try ask(try lookup(plain.environment),
                              browser("GET", "/api/session", cookie: "gitfolio_session=x", extra: ["x-forwarded-proto": "https"]))
        #expect(proxied.cookie("gitfolio_session")?.hasSuffix("; Secure") == true)
    }

    @Test func onlyGET() throws {
        let h = try Harness()
        defer { h.dir.remove() }
        let (_, cookie) = try h.signedInMember()
        for method in ["POST", "PUT", "DELETE", "PATCH"] {
            let response = try ask(try lookup(h.environment), browser(method, "/api/session", cookie: cookie, json: "{}"))
            #expect(response.statusCode == 405)
            #expect(response.errorCode == "method_not_allowed")
            #expect(response.headers["allow"] == "GET")
        }
    }

    @Test func aMissingDatabaseIsA500AndIsNotCreated() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("absent.sqlite")
        let response = try ask(try lookup(["GITFOLIO_DB": path]),
                               browser("GET", "/api/session", cookie: "gitfolio_session=\(Secrets.randomToken())"))
        #expect(response.statusCode == 500)
        #expect(response.errorCode == "internal")
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func theFunctionListIsDeclaredOnceAndBuilt() {
        // Package.swift declares the functions once; the names compiled into FunctionCatalog are theirs.
        #expect(FunctionCatalog.names.contains("session"))
        for name in FunctionCatalog.names {
            #expect(FileManager.default.isExecutableFile(atPath: Built.executable(name).path),
                    "\(name) was not built")
        }
    }
}
