import Foundation
import GitfolioCore
import GitfolioStore

public enum MeFunction {
    static let subscriptionActive = APIError.conflict(
        "subscription_active", "Your PRO subscription is active: it must be cancelled before the account is deleted. Nothing was changed.",
        korean: "PRO 구독이 진행 중이라 계정을 삭제하기 전에 해지해야 합니다. 아무것도 바뀌지 않았습니다.")

    static func confirmDeletion(_ confirm: String, _ member: Member) throws {
        guard confirm == member.login else {
            throw APIError.badRequest("confirmation_required", "To delete the account, type your user name (\(member.login)) to confirm.",
                                      korean: "계정을 삭제하려면 확인을 위해 아이디(\(member.login))를 입력해 주세요.", field: "confirm")
        }
    }

    /// Deletes the member: resumes, sessions, the profile, subscriptions, payments, likes, comments and
    /// notifications go with them by foreign keys, and the schema's triggers correct the counts of the
    /// resumes they liked or commented on. Their public resumes' files leave the built site now.
    static func deleteAccount(_ s: Services, _ member: Member, _ request: FunctionRequest) throws -> FunctionResponse {
        let published = try s.database.publicResumeIDs(memberID: member.id)
        try s.database.deleteMember(id: member.id)
        PublicFiles.remove(resumes: published, config: s.config)
        return .json(["deleted": true] as JSONValue, cookies: [s.config.clearedSessionCookie(request)])
    }

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
    /// `DELETE /api/me` with `{"confirm": "<login>"}`: deletes the account and everything that is theirs.
    /// While a subscription is active it refuses (409 `subscription_active`) and changes nothing: such an
    /// account is deleted with `DELETE /api/subscription` and `{"deleteAccount": true, "confirm"}`, which
    /// stops the subscription at KakaoPay first (My page does this for the member).
    public static let handler: ServiceHandler = { s, request, _ in
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
            try confirmDeletion(try request.decodeBody(Deletion.self).confirm, member)
            // No charge may follow a deleted account: an active subscription is stopped at KakaoPay first,
            // by the function that talks to KakaoPay.
            if try s.database.liveSubscription(memberID: member.id)?.status == .active { throw subscriptionActive }
            return try deleteAccount(s, member, request)
        default:
            guard let profile = try s.database.profile(memberID: member.id) else { throw APIError.unauthorized() }
            return .json(Body(member: MemberView(member), profile: profile))
        }
    }
}
