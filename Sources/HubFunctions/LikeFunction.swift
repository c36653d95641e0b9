import FunctionCore
import StoreCore

/// `/api/like`: a member likes or unlikes a public resume.
///
/// - `GET`: the public resumes the signed-in member liked (`{"liked": [ids]}`; empty when signed out),
///   for the like buttons and the hub's "liked only".
/// - `POST {"resumeId"}`: like (once per member and resume, by the schema's key; the owner is notified
///   of the first like only). `DELETE {"resumeId"}`: unlike. Both answer the resume's counts.
///
/// Readers trigger it from every resume page, so it is built without Foundation (FunctionCore and
/// StoreCore) and starts about as fast as `session`.
public final class LikeFunction: HubFunction {
    public static func live(environment: [String: String]) -> FunctionRunner.Handler {
        do {
            return LikeFunction(config: try Config(environment: environment)).respond
        } catch {
            return { _, _ in throw error }
        }
    }

    public func respond(_ request: FunctionRequest, _ context: FunctionContext) throws -> FunctionResponse {
        try request.allow("GET", "POST", "DELETE")
        return try guarded {
            if request.method == "GET" {
                guard let member = try member(request) else { return .json(["liked": []] as JSONValue) }
                return .json(["liked": .array(try database.likedResumeIDs(memberID: member.id).map { .int($0) })] as JSONValue)
            }
            try config.requireSameOrigin(request)
            guard let member = try member(request) else { throw APIError.unauthorized() }
            try database.take(RateLimits.like, memberID: member.id, request: request, config: config, now: now)
            let id = try Self.resumeID(request)
            let counts = request.method == "POST"
                ? try database.like(resumeID: id, memberID: member.id, now: now)
                : try database.unlike(resumeID: id, memberID: member.id)
            return .json(Self.counts(id, counts))
        }
    }
}
