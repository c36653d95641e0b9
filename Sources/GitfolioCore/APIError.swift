/// The one error shape every boundary maps to: `{"error":{"code","message"}}` with an HTTP status.
///
/// Messages are written for the person reading them and never contain secrets or statement
/// arguments; `code` is stable and machine-readable.
public struct APIError: Error, Equatable, Sendable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// The input field the error is about (`education[0].end`), so a page can point at it.
    public var field: String?

    public init(status: Int, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { "\(status) \(code): \(message)" }

    public static func badRequest(_ code: String, _ message: String) -> APIError {
        APIError(status: 400, code: code, message: message)
    }
    public static func unauthorized(_ message: String = "Sign in first. / 먼저 로그인하세요.") -> APIError {
        APIError(status: 401, code: "unauthorized", message: message)
    }
    public static func forbidden(_ code: String, _ message: String) -> APIError {
        APIError(status: 403, code: code, message: message)
    }
    public static func notFound(_ code: String, _ message: String) -> APIError {
        APIError(status: 404, code: code, message: message)
    }
    public static func methodNotAllowed(_ method: String, allowed: [String]) -> APIError {
        APIError(
            status: 405, code: "method_not_allowed",
            message: "Method \(method) is not allowed here; use \(allowed.joined(separator: ", ")).")
    }
    public static func payloadTooLarge(limit: Int) -> APIError {
        APIError(status: 413, code: "payload_too_large", message: "The request body exceeds \(limit) bytes.")
    }
    /// A resume that is not the caller's is "not found": its existence is not theirs to learn.
    public static let resumeNotFound = APIError.notFound("resume_not_found", "There is no such resume among yours. / 해당 이력서를 찾을 수 없습니다.")

    public static func unavailable(_ code: String, _ message: String) -> APIError {
        APIError(status: 503, code: code, message: message)
    }
    public static func upstream(_ code: String, _ message: String) -> APIError {
        APIError(status: 502, code: code, message: message)
    }
    public static func `internal`(_ message: String = "Something went wrong on our side. Please try again.") -> APIError {
        APIError(status: 500, code: "internal", message: message)
    }
}
