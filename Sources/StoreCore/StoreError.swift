import CSQLite
import FunctionCore
import GitfolioDomain

/// Why the database itself failed: SQLite's result code and message, the file, the statement.
/// For the operator's log only; a member sees a plain message (see `StoreError.apiError`).
public struct DatabaseFailure: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// Another process holds the lock past the busy timeout.
        case busy
        /// The file or its folder cannot be written (read-only mount, permissions).
        case readOnly
        /// The disk is full.
        case full
        /// The file is damaged.
        case corrupt
        /// The file is not an SQLite database.
        case notADatabase
        /// The file exists but is empty: not something to turn silently into a new database.
        case emptyFile
        /// There is no database file where one was expected.
        case missing
        /// An SQLite database, but not Gitfolio's.
        case foreign
        /// Made by a newer Gitfolio (more migrations than this build knows).
        case tooNew
        /// A constraint of the schema refused a write.
        case constraint
        case other
    }

    public var kind: Kind
    public var code: Int32
    public var message: String
    public var path: String
    public var sql: String?

    public init(code: Int32, message: String, path: String, sql: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.sql = sql
        switch code & 0xFF {
        case SQLITE_BUSY, SQLITE_LOCKED: kind = .busy
        case SQLITE_READONLY, SQLITE_CANTOPEN, SQLITE_PERM, SQLITE_AUTH: kind = .readOnly
        case SQLITE_FULL: kind = .full
        case SQLITE_CORRUPT: kind = .corrupt
        case SQLITE_NOTADB: kind = .notADatabase
        case SQLITE_CONSTRAINT: kind = .constraint
        default: kind = .other
        }
    }

    public init(kind: Kind, message: String, path: String) {
        self.kind = kind
        code = 0
        self.message = message
        self.path = path
    }

    /// For the operator: the file, what SQLite said and the statement (never its arguments).
    public var description: String {
        "the database at \(path): \(message)" + (code != 0 ? " (SQLite \(code))" : "") + (sql.map { " in: \($0.prefix(120))" } ?? "")
    }
}

/// Everything the store refuses or fails at. Members' requests that cannot be done are cases of
/// their own; failures of the database itself are `database`. The function boundary turns each into
/// its HTTP answer (`apiError`).
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    case database(DatabaseFailure)
    /// The member (signed in a moment ago) no longer exists.
    case memberGone
    case resumeNotFound
    /// The resume changed since the member loaded it; `current` is its version now.
    case versionConflict(current: Int)
    case nothingToUndo
    /// The member's plan holds no more resumes.
    case resumeLimit(Int)
    /// Today's AI uses are spent (`fairUse`: PRO's cap rather than FREE's limit).
    case aiQuotaExceeded(limit: Int, fairUse: Bool)
    /// No public resume with that id (private ones are "not found" to everyone but their owner).
    case publicResumeNotFound
    /// A member liking their own resume.
    case ownResume
    case commentNotFound
    /// The comment is not the member's to change.
    case notYourComment
    /// Too many comments in a short time; retry after this many seconds.
    case commentRateLimited(retryAfter: Int)
    /// Over a `RateLimits` limit for `action`.
    case rateLimited(action: String, retryAfter: Int)
    case notificationNotFound

    public var description: String {
        switch self {
        case .database(let failure): "\(failure)"
        case .memberGone: "member gone"
        case .resumeNotFound: "resume not found"
        case .versionConflict(let current): "version conflict (now \(current))"
        case .nothingToUndo: "nothing to undo"
        case .resumeLimit(let n): "resume limit \(n)"
        case .aiQuotaExceeded(let limit, _): "AI quota of \(limit) spent"
        case .publicResumeNotFound: "public resume not found"
        case .ownResume: "own resume"
        case .commentNotFound: "comment not found"
        case .notYourComment: "not the member's comment"
        case .commentRateLimited(let seconds): "comment rate limit (retry after \(seconds) s)"
        case .rateLimited(let action, let seconds): "\(action) rate limit (retry after \(seconds) s)"
        case .notificationNotFound: "notification not found"
        }
    }
}

extension StoreError: ResponseError {
    /// The answer a member gets. Database details stay in the operator's log: a busy database is a
    /// 503 to retry in a second; anything else on our side is a plain 500.
    public var apiError: APIError {
        switch self {
        case .database(let failure):
            switch failure.kind {
            case .busy:
                return .unavailable("database_busy", "The service is busy right now. Please try again in a moment.",
                                    korean: "지금 요청이 많습니다. 잠시 후 다시 시도해 주세요.", retryAfter: 1)
            case .readOnly, .full:
                return .storageUnavailable()
            default:
                return .internal()
            }
        case .memberGone:
            return .unauthorized()
        case .resumeNotFound:
            return .resumeNotFound
        case .versionConflict(let current):
            return .conflict("version_conflict", "This resume changed elsewhere (now version \(current)); reload it before saving.",
                             korean: "다른 곳에서 이력서가 바뀌었습니다. 새로고침한 뒤 다시 저장해 주세요.")
        case .nothingToUndo:
            return .conflict("nothing_to_undo", "There is no accepted change to undo.", korean: "되돌릴 수정이 없습니다.")
        case .resumeLimit(let n):
            return .conflict("resume_limit", "Your plan holds \(n) resumes; delete one first.",
                             korean: "플랜의 이력서 개수 한도(\(n)개)에 도달했습니다. 하나를 지운 뒤 다시 시도해 주세요.")
        case .aiQuotaExceeded(let limit, let fairUse):
            return fairUse
                ? APIError(status: 429, code: "quota_exceeded",
                           message: "You reached today's fair-use limit of \(limit) AI uses; it resets at midnight (Korea time).",
                           korean: "오늘의 공정 사용 한도(\(limit)회)에 도달했습니다. 자정(한국 시간)에 초기화됩니다.")
                : APIError(status: 429, code: "quota_exceeded",
                           message: "The FREE plan includes \(limit) AI uses a day and today's are used. They reset at midnight (Korea time); PRO (\(grouped(Plans.limits(.pro).monthlyPriceKRW)) KRW a month, from My page) allows up to \(Plans.limits(.pro).aiUsesPerDay) a day.",
                           korean: "FREE 플랜의 오늘 AI 사용 횟수(\(limit)회)를 모두 썼습니다. 자정(한국 시간)에 초기화되며, 내 페이지에서 PRO(월 \(grouped(Plans.limits(.pro).monthlyPriceKRW))원)로 업그레이드하면 하루 \(Plans.limits(.pro).aiUsesPerDay)회까지 쓸 수 있습니다.")
        case .publicResumeNotFound:
            return .notFound("resume_not_found", "There is no such resume on the hub; it may have been withdrawn.",
                             korean: "허브에 없는 이력서입니다. 비공개로 바뀌었을 수 있습니다.")
        case .ownResume:
            return .forbidden("own_resume", "You cannot like your own resume.", korean: "내 이력서에는 좋아요를 누를 수 없습니다.")
        case .commentNotFound:
            return .notFound("comment_not_found", "There is no such comment.", korean: "해당 댓글이 없습니다.")
        case .notYourComment:
            return .forbidden("not_your_comment", "Only the comment's author can change it (or the resume's owner delete it).",
                              korean: "댓글은 작성자만 고칠 수 있습니다. 삭제는 작성자나 이력서 주인만 할 수 있습니다.")
        case .commentRateLimited(let seconds):
            return APIError(status: 429, code: "comment_rate_limited",
                            message: "You are commenting very quickly. Please wait \(seconds) seconds and try again.",
                            korean: "댓글을 너무 빠르게 쓰고 있습니다. \(seconds)초 뒤에 다시 시도해 주세요.",
                            headers: ["retry-after": String(seconds)])
        case .rateLimited(let action, let seconds):
            return APIError(status: 429, code: "rate_limited",
                            message: "Too many requests (\(action)) from this account or network. Please wait \(seconds) seconds and try again.",
                            korean: "요청이 너무 많습니다(\(action)). \(seconds)초 뒤에 다시 시도해 주세요.",
                            headers: ["retry-after": String(seconds)])
        case .notificationNotFound:
            return .notFound("notification_not_found", "There is no such notification.", korean: "해당 알림이 없습니다.")
        }
    }
}

/// 19900 → "19,900".
func grouped(_ n: Int) -> String {
    let digits = Array(String(n.magnitude))
    var out = ""
    for (i, d) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(d)
    }
    return (n < 0 ? "-" : "") + out
}
