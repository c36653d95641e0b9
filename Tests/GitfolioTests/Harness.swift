import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport

/// Real services over a temporary SQLite file, optionally pointed at a fake GitHub.
struct Harness {
    let dir: TempDir
    var services: Services
    let environment: [String: String]

    init(github: FakeGitHub? = nil, localKey: String? = nil, publicURL: String = "http://127.0.0.1:8080",
         extra: [String: String] = [:]) throws {
        dir = try TempDir()
        var env = ["GITFOLIO_DB": dir.path("gitfolio.sqlite"), "GITFOLIO_SECRET_FILE": dir.path("secret.key"),
                   "GITFOLIO_PUBLIC_URL": publicURL]
        if let github {
            env["GITHUB_CLIENT_ID"] = github.clientID
            env["GITHUB_CLIENT_SECRET"] = github.clientSecret
            env["GITHUB_OAUTH_URL"] = github.baseURL.absoluteString
            env["GITHUB_API_URL"] = github.baseURL.absoluteString
        }
        if let localKey { env["GITFOLIO_LOCAL_SIGNIN_KEY"] = localKey }
        env.merge(extra) { $1 }
        environment = env
        services = try Services.live(config: try Config(environment: env), transport: URLSessionTransport(), createDatabase: true)
    }

    var database: AppDatabase { services.database }

    func call(_ handler: @escaping ServiceHandler, _ request: FunctionRequest, mode: RunMode = .oneShot) async -> FunctionResponse {
        let services = self.services
        return await FunctionRunner.respond(.success(request), context: FunctionContext(name: "test", mode: mode)) { r, c in
            try await handler(services, r, c)
        }
    }

    /// A member with a live session; returns the member and the Cookie header value.
    func signedInMember(_ login: String = "alice") throws -> (Member, String) {
        let member = try database.upsertLocalMember(login: login, name: login, now: Date())
        let token = Secrets.randomToken()
        try database.createSession(hash: Secrets.sha256Hex(token), memberID: member.id, now: Date())
        return (member, "gitfolio_session=\(token)")
    }
}

extension FunctionResponse {
    var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    var errorCode: String? { (json?["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json?["error"] as? [String: Any])?["message"] as? String }
    /// The Korean message of an error, when it has one.
    var errorKorean: String? { ((json?["error"] as? [String: Any])?["messages"] as? [String: Any])?["ko"] as? String }
    var errorField: String? { (json?["error"] as? [String: Any])?["field"] as? String }
    func cookie(_ name: String) -> String? { cookies.first { $0.hasPrefix("\(name)=") } }
}

/// A browser-like same-origin request.
func browser(_ method: String, _ path: String, query: String = "", cookie: String? = nil, json: String? = nil,
             origin: String? = "http://127.0.0.1:8080", extra: [String: String] = [:]) -> FunctionRequest {
    var headers = extra
    if let cookie { headers["cookie"] = cookie }
    if let origin { headers["origin"] = origin }
    if json != nil { headers["content-type"] = "application/json" }
    headers["host"] = headers["host"] ?? "127.0.0.1:8080"
    return FunctionRequest(method: method, path: path, query: query, headers: headers, body: json)
}
