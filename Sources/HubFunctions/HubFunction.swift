import FunctionCore
import StoreCore

#if canImport(Glibc)
import Glibc
#endif

/// What the fast hub functions share: the configuration, the store (opened on the first request and
/// kept by a warm process), the signed-in member and the resume id of a request.
public class HubFunction {
    let config: Config
    private var opened: Database?

    public init(config: Config) { self.config = config }

    var database: Database {
        get throws {
            if let opened { return opened }
            let database = try Database(path: config.databasePath)
            opened = database
            return database
        }
    }

    /// Drops the connection after a failure, so a warm process opens the file again next time.
    func reset() { opened = nil }

    var now: Int64 { Int64(time(nil)) }

    func member(_ request: FunctionRequest) throws -> Member? {
        guard let token = request.sessionToken else { return nil }
        return try database.member(sessionHash: SHA256Digest.hex(token.utf8), now: now)
    }

    /// `resumeId` from the JSON body (a positive whole number), or a 400 that names it.
    static func resumeID(_ request: FunctionRequest) throws(APIError) -> Int64 {
        let body = try request.jsonBody()
        guard case .object(let fields) = body else {
            throw .badRequest("invalid_json", "The request body must be a JSON object.", korean: "요청 본문은 JSON 객체여야 합니다.")
        }
        if let unknown = fields.keys.sorted().first(where: { $0 != "resumeId" }) {
            throw APIError(status: 400, code: "unknown_field", message: "This field cannot be set here.",
                           korean: "이 항목은 여기서 설정할 수 없습니다.", field: unknown)
        }
        guard let id = fields["resumeId"]?.int64Value, id > 0 else {
            throw APIError(status: 400, code: "invalid_field", message: "The resume must be given by its number.",
                           korean: "이력서는 번호로 지정해야 합니다.", field: "resumeId")
        }
        return id
    }

    static func counts(_ id: Int64, _ counts: HubCounts) -> JSONValue {
        ["resumeId": .int(id), "likes": .int(Int64(counts.likes)), "views": .int(Int64(counts.views)),
         "comments": .int(Int64(counts.comments)), "liked": .bool(counts.liked), "own": .bool(counts.own)]
    }

    /// Runs `body`; a store failure drops the connection before the runner answers it.
    func guarded(_ body: () throws -> FunctionResponse) throws -> FunctionResponse {
        do { return try body() } catch let error as StoreError {
            if case .database = error { reset() }
            throw error
        }
    }
}
