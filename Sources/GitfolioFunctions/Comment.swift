import Foundation
import GitfolioCore
import GitfolioResume
import GitfolioStore

public enum CommentFunction {
    struct NewComment: Decodable {
        var resumeId: Int64
        var body: String
        var anchor: String?
        enum CodingKeys: String, CodingKey { case resumeId, body, anchor }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resumeId = try c.decode(Int64.self, forKey: .resumeId)
            body = try c.text(.body, max: AppDatabase.maxCommentLength, required: true)
            let anchor = try c.text(.anchor, max: 100)
            self.anchor = anchor.isEmpty ? nil : anchor
        }
    }

    struct Edit: Decodable {
        var id: Int64
        var body: String
        enum CodingKeys: String, CodingKey { case id, body }
        init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(Int64.self, forKey: .id)
            body = try c.text(.body, max: AppDatabase.maxCommentLength, required: true)
        }
    }

    struct Removal: Decodable {
        var id: Int64
    }

    struct Page: Encodable {
        var comments: [CommentView]
        /// The `before` of the next page; nil on the last.
        var next: Int64?
    }

    struct Created: Encodable {
        var comment: CommentView
    }

    static let pageSize = 20

    /// Comments as feedback on a public resume. Anyone reads them (`GET ?resumeId=N[&before=ID]`, a
    /// page of 20, newest first, in one query); a signed-in member adds one (`POST {"resumeId","body",
    /// "anchor"?}`, the anchor naming a part of the resume by the editor's paths — `aboutMe`,
    /// `techStack`, `projects[1]`, `projects[1].bullets[0]`, …), edits their own (`PUT {"id","body"}`)
    /// or deletes their own (`DELETE {"id"}`); the resume's owner may delete any on their resume. Private
    /// resumes have no readable comments. The owner is notified in the same transaction.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("GET", "POST", "PUT", "DELETE")
        if request.method == "GET" {
            guard let raw = request.query("resumeId"), let id = Int64(raw), id > 0 else {
                throw APIError(field: FieldError("resumeId", .wrongType(expected: .number)))
            }
            var before: Int64?
            if let raw = request.query("before") {
                guard let value = Int64(raw), value > 0 else { throw APIError(field: FieldError("before", .wrongType(expected: .number))) }
                before = value
            }
            let comments = try s.database.comments(resumeID: id, before: before, limit: pageSize)
            return .json(Page(comments: comments, next: comments.count == pageSize ? comments.last?.id : nil))
        }
        try s.config.requireSameOrigin(request)
        let member = try s.requireMember(request)
        switch request.method {
        case "POST":
            try s.limit(RateLimits.comment, member: member, request)
            let input = try request.decodeBody(NewComment.self)
            if let anchor = input.anchor {
                guard let stored = try s.database.publicResume(id: input.resumeId) else { throw StoreError.publicResumeNotFound }
                guard isAnchor(anchor, in: stored.resume) else {
                    throw APIError(field: FieldError("anchor", .rule(english: "names no part of this resume", korean: "이 이력서에 없는 위치입니다")))
                }
            }
            let created = try s.database.addComment(resumeID: input.resumeId, memberID: member.id, anchor: input.anchor, body: input.body, now: s.now)
            return .json(Created(comment: created), status: 201)
        case "PUT":
            let input = try request.decodeBody(Edit.self)
            try s.database.editComment(id: input.id, memberID: member.id, body: input.body, now: s.now)
            return .json(["edited": true] as JSONValue)
        default:
            let input = try request.decodeBody(Removal.self)
            try s.database.deleteComment(id: input.id, memberID: member.id)
            return .json(["deleted": true] as JSONValue)
        }
    }

    /// The parts a comment can be about: a section, a project, or any line the editor can select.
    static func isAnchor(_ anchor: String, in resume: Resume) -> Bool {
        let sections: Set<String> = ["aboutMe", "techStack", "projects", "profile.workExperience", "profile.education", "profile.certificates"]
        if sections.contains(anchor) || resume.line(at: anchor) != nil { return true }
        if anchor.hasPrefix("projects["), anchor.hasSuffix("]"), let i = Int(anchor.dropFirst(9).dropLast()) {
            return resume.projects.indices.contains(i)
        }
        return false
    }
}

public enum NotificationsFunction {
    struct List: Encodable {
        var notifications: [NotificationView]
        var unread: Int
    }

    struct Mark: Decodable {
        var read: Int64?
        var readAll: Bool?
    }

    /// The signed-in member's notifications: `GET` the latest 50 and the unread count; `POST
    /// {"read": id}` marks one as read, `POST {"readAll": true}` all of them.
    public static let handler: ServiceHandler = { s, request, _ in
        try request.allow("GET", "POST")
        if request.method == "POST" { try s.config.requireSameOrigin(request) }
        let member = try s.requireMember(request)
        if request.method == "POST" {
            let mark = try request.decodeBody(Mark.self)
            guard mark.read != nil || mark.readAll == true else {
                throw APIError.badRequest("nothing_to_change", "Say which notification to mark as read, or all.",
                                          korean: "읽음으로 표시할 알림을 지정해 주세요.")
            }
            try s.database.markNotificationsRead(memberID: member.id, id: mark.readAll == true ? nil : mark.read, now: s.now)
        }
        let (items, unread) = try s.database.notifications(memberID: member.id)
        return .json(List(notifications: items, unread: unread))
    }
}

/// The built site's copies of a resume that is no longer public, removed in the request that made
/// it so (a withdrawn resume must not stay reachable until the next build).
public enum PublicFiles {
    public static func remove(resumes ids: [Int64], config: Config) {
        guard let site = config.siteDirectory, !ids.isEmpty else { return }
        for id in ids {
            for path in ["resumes/\(id).pdf", "resumes/\(id).png", "resumes/\(id).html", "en/resumes/\(id).html"] {
                unlink(site + "/" + path)
            }
        }
    }
}
