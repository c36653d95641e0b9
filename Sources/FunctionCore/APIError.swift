/// The one error shape every boundary maps to: `{"error":{"code","message","messages"?,"field"?}}`
/// with an HTTP status.
///
/// `message` is English; `korean`, when set, is the same message in Korean, and the body then
/// carries both as `messages: {"en", "ko"}` so a page shows the one in its language. Messages are
/// written for the person reading them and never contain secrets, paths on disk or statement
/// arguments; `code` is stable and machine-readable.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    public var korean: String?
    /// The input field the error is about (`education[0].end`), so a page can point at it.
    public var field: String?
    /// Every field at fault when the input had several mistakes (`errors` in the body), the first
    /// being `field`: a form lists them all, each linked to its input.
    public var issues: [Issue] = []
    public struct Issue: Equatable, Sendable {
        public var field: String?
        public var message: String
        public var korean: String
        public init(field: String?, message: String, korean: String) {
            self.field = field
            self.message = message
            self.korean = korean
        }
    }
    /// Headers the response must carry (`Allow`, `Retry-After`).
    public var headers: [String: String]
    /// What went wrong, for the operator's log only: never in the response.
    public var detail: String?

    public init(status: Int, code: String, message: String, korean: String? = nil, field: String? = nil,
                headers: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.korean = korean
        self.field = field
        self.headers = headers
    }

    public var description: String { "\(status) \(code): \(message)" + (detail.map { " (\($0))" } ?? "") }

    /// The `error` object of the response body.
    public var body: JSONValue {
        var error: [String: JSONValue] = ["code": .string(code), "message": .string(message)]
        if let korean { error["messages"] = .object(["en": .string(message), "ko": .string(korean)]) }
        if let field { error["field"] = .string(field) }
        if !issues.isEmpty {
            error["errors"] = .array(issues.map { issue in
                var item: [String: JSONValue] = ["message": .string(issue.message),
                                                 "messages": .object(["en": .string(issue.message), "ko": .string(issue.korean)])]
                if let field = issue.field { item["field"] = .string(field) }
                return .object(item)
            })
        }
        return .object(["error": .object(error)])
    }

    public static func badRequest(_ code: String, _ message: String, korean: String? = nil, field: String? = nil) -> APIError {
        APIError(status: 400, code: code, message: message, korean: korean, field: field)
    }
    public static func unauthorized() -> APIError {
        APIError(status: 401, code: "unauthorized", message: "Sign in first.", korean: "먼저 로그인하세요.")
    }
    public static func forbidden(_ code: String, _ message: String, korean: String? = nil) -> APIError {
        APIError(status: 403, code: code, message: message, korean: korean)
    }
    public static func notFound(_ code: String, _ message: String, korean: String? = nil) -> APIError {
        APIError(status: 404, code: code, message: message, korean: korean)
    }
    public static func conflict(_ code: String, _ message: String, korean: String? = nil) -> APIError {
        APIError(status: 409, code: code, message: message, korean: korean)
    }
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(status: 405, code: "method_not_allowed",
                 message: "Method \(method.prefix(20)) is not allowed here; use \(allowed.joined(separator: ", ")).",
                 headers: ["allow": allowed.joined(separator: ", ")])
    }
    public static func payloadTooLarge(limit: Int = FunctionLimits.maxBodyBytes) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "The request body exceeds \(limit) bytes.",
                 korean: "요청 본문이 \(limit)바이트를 넘습니다.")
    }
    public static func malformedEvent(_ message: String) -> APIError {
        APIError(status: 400, code: "malformed_event", message: message)
    }
    public static func unavailable(_ code: String, _ message: String, korean: String? = nil, retryAfter: Int? = nil) -> APIError {
        APIError(status: 503, code: code, message: message, korean: korean,
                 headers: retryAfter.map { ["retry-after": String($0)] } ?? [:])
    }
    /// An outside service (GitHub, the model, KakaoPay) answered badly: an error status, an answer that
    /// does not read, a connection closed or refused.
    public static func upstream(_ code: String, _ message: String, korean: String? = nil) -> APIError {
        APIError(status: 502, code: code, message: message, korean: korean)
    }
    /// An outside service gave no answer within its timeout.
    public static func upstreamTimeout(_ code: String, _ message: String, korean: String? = nil) -> APIError {
        APIError(status: 504, code: code, message: message, korean: korean)
    }
    /// Nothing can be written (the disk is full, the file system read-only): a 503 to retry later;
    /// `detail` (which file, what the system said) goes to the log only.
    public static func storageUnavailable(_ detail: String? = nil) -> APIError {
        var error = APIError.unavailable("storage_unavailable", "The service cannot save anything right now. Please try again later.",
                                         korean: "지금은 저장할 수 없습니다. 잠시 후 다시 시도해 주세요.", retryAfter: 30)
        error.detail = detail
        return error
    }
    /// A failure on our side. The member reads a plain message; `detail` goes to the log only.
    public static func `internal`(_ detail: String? = nil) -> APIError {
        var error = APIError(status: 500, code: "internal", message: "Something went wrong on our side. Please try again.",
                             korean: "서버에서 문제가 생겼습니다. 다시 시도해 주세요.")
        error.detail = detail
        return error
    }
    /// A resume that is not the caller's is "not found": its existence is not theirs to learn.
    public static let resumeNotFound = APIError.notFound("resume_not_found", "There is no such resume among yours.",
                                                         korean: "해당 이력서를 찾을 수 없습니다.")
}

/// An error that knows its HTTP answer (the store's refusals and failures, for instance). The runner
/// answers with `apiError`; when that is a 5xx, the error's own description goes to the log.
public protocol ResponseError: Error, CustomStringConvertible {
    var apiError: APIError { get }
}

extension APIError: ResponseError {
    public var apiError: APIError { self }
}
