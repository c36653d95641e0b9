import Foundation
import GitfolioCore
import GitfolioStore

public enum MeFunction {
    struct Body: Encodable {
        var member: MemberView
        var profile: Profile
    }

    struct Deletion: Decodable {
        var confirm: String
        enum CodingKeys: String, CodingKey { case confirm }
        init(from decoder: any Decoder) throws {
            confirm = try decoder.container(keyedBy: CodingKeys.self).text(.confirm, max: 100, required: true)
        }
    }

    /// `GET /api/me`: who is signed in, and their profile.
    /// `PUT /api/me` with a whole profile: replaces it after validation.
    /// `DELETE /api/me` with `{"confirm": "<login>"}`: cancels an active subscription at KakaoPay first
    /// (if that fails, nothing is deleted), then deletes the account and everything that is theirs.
    public static let handler: ServiceHandler = { s, request, context in
        try request.allow("GET", "PUT", "DELETE")
        if request.method != "GET" { try s.config.requireSameOrigin(request) }
        guard let member = try s.currentMember(request) else {
            // A stale or forged cookie is cleared so the browser stops sending it.
            let clear = request.cookie(SessionCookie.name) != nil ? [s.config.clearedSessionCookie(request)] : []
            return .error(.unauthorized(), cookies: clear)
        }
        switch request.method {
        case "PUT":
            let profile = try Profile.parse(try request.jsonBody(), today: s.today)
            let saved = try s.database.replaceProfile(memberID: member.id, with: profile, now: s.now)
            return .json(Body(member: MemberView(member), profile: saved))
        case "DELETE":
            guard try request.decodeBody(Deletion.self).confirm == member.login else {
                throw APIError.badRequest("confirmation_required", "To delete the account, type your user name (\(member.login)) to confirm.",
                                          korean: "계정을 삭제하려면 확인을 위해 아이디(\(member.login))를 입력해 주세요.", field: "confirm")
            }
            // No charge may follow a deleted account: KakaoPay stops the subscription before anything is removed.
            if let live = try s.database.liveSubscription(memberID: member.id) {
                try await Billing.cancel(s, live, log: context.log)
            }
            // Resumes, sessions, the profile, subscriptions and payments are removed with the member by foreign keys.
            try s.database.deleteMember(id: member.id)
            return .json(["deleted": true] as JSONValue, cookies: [s.config.clearedSessionCookie(request)])
        default:
            guard let profile = try s.database.profile(memberID: member.id) else { throw APIError.unauthorized() }
            return .json(Body(member: MemberView(member), profile: profile))
        }
    }
}
