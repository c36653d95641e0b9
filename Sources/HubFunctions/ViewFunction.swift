import FunctionCore
import StoreCore

/// `POST /api/view {"resumeId"}`: a resume page was opened. Counts one view per resume, visitor and
/// hour (the owner's own views are not counted) and answers the live counts and whether the visitor
/// liked it. A visitor is the member when signed in, otherwise a keyed hash of the address the runner
/// reports (`X-Forwarded-For` only from a configured trusted proxy); no raw address is stored.
///
/// Every resume page calls it, so it is built without Foundation, like `session`.
public final class ViewFunction: HubFunction {
    private var visitorKey: [UInt8]?

    public static func live(environment: [String: String]) -> FunctionRunner.Handler {
        do {
            return ViewFunction(config: try Config(environment: environment)).respond
        } catch {
            return { _, _ in throw error }
        }
    }

    /// `a:` and 32 hex digits of HMAC-SHA256(key, address), the key derived from the site's secret.
    func anonymousVisitor(_ request: FunctionRequest) throws -> String {
        if visitorKey == nil { visitorKey = HMACSHA256.authenticate(Array("gitfolio view visitor".utf8), key: try SecretKey.load(config)) }
        let address = config.clientAddress(request)
        return "a:" + String(lowercaseHex(HMACSHA256.authenticate(Array(address.utf8), key: visitorKey!)).prefix(32))
    }

    public func respond(_ request: FunctionRequest, _ context: FunctionContext) throws -> FunctionResponse {
        try request.allow("POST")
        try config.requireSameOrigin(request)
        return try guarded {
            let id = try Self.resumeID(request)
            let member = try member(request)
            let visitor = try member.map { "m:\($0.id)" } ?? anonymousVisitor(request)
            let counts = try database.recordView(resumeID: id, visitor: visitor, viewerID: member?.id, now: now)
            return .json(Self.counts(id, counts))
        }
    }
}
