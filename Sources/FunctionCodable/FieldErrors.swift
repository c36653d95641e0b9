import FunctionCore

/// Input that fails: why, and where. Every decoding failure of a request body and every validation
/// rule ends here, and `APIError(field:)` turns it into the one 400 a page shows: a sentence for a
/// person in English and in Korean (no field paths, no variable names, the right Korean particle),
/// with the path (`education[0].end`) in `field` so the page can point at the input.
public struct FieldError: Error, Sendable, Equatable {
    public enum Reason: Sendable, Equatable {
        case required
        case tooLong(max: Int)
        case tooMany(max: Int)
        case wrongType(expected: Expected)
        case oneOf(english: [String], korean: [String])
        case endBeforeStart
        case inFuture
        /// A date further ahead than the rule allows (an expected graduation).
        case tooFarAhead(years: Int)
        case unknown
        /// A rule of its own: the predicate after the field's name ("must be an email address" /
        /// "이메일 주소 형식이어야 합니다").
        case rule(english: String, korean: String)
    }

    public enum Expected: Sendable, Equatable { case text, number, boolean, list, object }

    public var path: String
    public var reason: Reason

    public init(_ path: String, _ reason: Reason) {
        self.path = path
        self.reason = reason
    }

    public static func from(_ error: any Error) -> FieldError? {
        switch error {
        case let error as FieldError: return error
        case let error as FieldErrors: return error.errors.first
        case let error as JSONCoding.UnknownKey: return FieldError(error.path, .unknown)
        case DecodingError.keyNotFound(let key, let context):
            return FieldError(JSONPath.describe(context.codingPath + [key]), .required)
        case DecodingError.valueNotFound(_, let context):
            return FieldError(JSONPath.describe(context.codingPath), .required)
        case DecodingError.typeMismatch(let type, let context):
            let expected: Expected
            switch type {
            case is String.Type: expected = .text
            case is Bool.Type: expected = .boolean
            case is Int.Type, is Int64.Type, is Int32.Type, is Double.Type: expected = .number
            case is [Any].Type: expected = .list
            default: expected = .object
            }
            return FieldError(JSONPath.describe(context.codingPath), .wrongType(expected: expected))
        case DecodingError.dataCorrupted(let context):
            return FieldError(JSONPath.describe(context.codingPath),
                              .rule(english: "has a value that is not allowed", korean: "허용되지 않는 값입니다"))
        default:
            return nil
        }
    }
}

/// Every mistake of a form at once, in the order it was read: a person fixes them all in one go
/// instead of learning them one save at a time.
public struct FieldErrors: Error, Sendable, Equatable {
    public var errors: [FieldError]
    public init(_ errors: [FieldError]) { self.errors = errors }

    /// The field errors an error stands for: its own list, or the one it is; nil for any other error.
    public static func from(_ error: any Error) -> [FieldError]? {
        if let many = error as? FieldErrors { return many.errors }
        return FieldError.from(error).map { [$0] }
    }
}

/// Collects the field errors met while reading a form, so that reading goes on past the first.
public final class FieldErrorCollector: @unchecked Sendable {
    public private(set) var errors: [FieldError] = []
    public init() {}

    /// The value `read` gives, or `fallback` when it fails with field errors (kept). Other errors are thrown.
    public func read<T>(_ fallback: T, _ read: () throws -> T) throws -> T {
        do {
            return try read()
        } catch {
            guard let found = FieldErrors.from(error) else { throw error }
            errors += found
            return fallback
        }
    }

    public func add(_ error: FieldError) { errors.append(error) }

    /// Throws everything collected, if anything was.
    public func finish() throws {
        if !errors.isEmpty { throw FieldErrors(errors) }
    }
}

extension APIError {
    /// The 400 for several fields: the first one's message and field, and every one in `errors`.
    public init(fields: [FieldError]) {
        guard let first = fields.first else {
            self = .badRequest("invalid_json", "The request could not be read.", korean: "요청을 읽을 수 없습니다.")
            return
        }
        self.init(field: first)
        issues = fields.map { APIError(field: $0).issues[0] }
    }

    /// The 400 for a field: `invalid_field` (or `unknown_field`), both languages, the path in `field`.
    public init(field error: FieldError) {
        let label = FieldLabels.label(error.path)
        let en: String, ko: String
        let subject = label.korean + Korean.topic(label.korean)
        switch error.reason {
        case .required:
            en = "\(label.english.capitalizedFirst) is required."
            ko = "\(label.korean)\(Korean.subject(label.korean)) 필요합니다."
        case .tooLong(let max):
            en = "\(label.english.capitalizedFirst) can be at most \(max) characters."
            ko = "\(subject) 최대 \(max)자까지 쓸 수 있습니다."
        case .tooMany(let max):
            en = "\(label.english.capitalizedFirst) can hold at most \(max) entries."
            ko = "\(subject) 최대 \(max)개까지 넣을 수 있습니다."
        case .wrongType(let expected):
            let (e, k): (String, String) = switch expected {
            case .text: ("text", "글자")
            case .number: ("a whole number", "숫자")
            case .boolean: ("true or false", "참 또는 거짓")
            case .list: ("a list", "목록")
            case .object: ("a group of fields", "항목 묶음")
            }
            en = "\(label.english.capitalizedFirst) must be \(e)."
            ko = "\(subject) \(k)\(Korean.copula(k)) 합니다."
        case .oneOf(let english, let korean):
            en = "\(label.english.capitalizedFirst) must be one of: \(english.joined(separator: ", "))."
            ko = "\(subject) \(korean.joined(separator: ", ")) 중 하나여야 합니다."
        case .endBeforeStart:
            en = "\(label.english.capitalizedFirst) cannot be before the start."
            ko = "\(subject) 시작보다 앞설 수 없습니다."
        case .inFuture:
            en = "\(label.english.capitalizedFirst) cannot be in the future."
            ko = "\(subject) 미래일 수 없습니다."
        case .tooFarAhead(let years):
            en = "\(label.english.capitalizedFirst) can be at most \(years) years ahead."
            ko = "\(subject) \(years)년 뒤까지만 쓸 수 있습니다."
        case .unknown:
            en = "\(label.english.capitalizedFirst) cannot be set here."
            ko = "\(subject) 여기서 설정할 수 없습니다."
        case .rule(let english, let korean):
            en = "\(label.english.capitalizedFirst) \(english)."
            ko = "\(subject) \(korean)."
        }
        self.init(status: 400, code: error.reason == .unknown ? "unknown_field" : "invalid_field", message: en, korean: ko,
                  field: error.path.isEmpty ? nil : error.path)
        issues = [Issue(field: field, message: en, korean: ko)]
    }
}

/// The names of the fields clients send, as people read them.
public enum FieldLabels {
    /// Field key → (English, Korean).
    static let fields: [String: (String, String)] = [
        "name": ("the name", "이름"), "email": ("the email address", "이메일"), "phone": ("the phone number", "전화번호"),
        "avatarURL": ("the profile picture address", "프로필 사진 주소"), "jobRole": ("the job role", "직무"),
        "education": ("the education list", "학력"), "workExperience": ("the work experience list", "경력"),
        "certificates": ("the certificate list", "자격증"), "links": ("the link list", "링크"),
        "schoolType": ("the school type", "학교 구분"), "schoolName": ("the school name", "학교명"), "major": ("the major", "전공"),
        "status": ("the graduation status", "졸업 상태"), "start": ("the start month", "시작 시기"), "end": ("the end month", "종료 시기"),
        "company": ("the company name", "회사명"), "title": ("the title", "제목"), "workType": ("the type of work", "근무 형태"),
        "employment": ("the employment status", "재직 상태"), "description": ("the description", "업무 내용"),
        "issuer": ("the issuer", "발급 기관"), "acquired": ("the month acquired", "취득 시기"), "url": ("the address", "주소"),
        "login": ("the user name", "아이디"), "confirm": ("the confirmation", "확인 문구"),
        "repositories": ("the repository list", "저장소 목록"), "request": ("the request", "요청 사항"),
        "template": ("the template", "템플릿"), "language": ("the language", "언어"), "resumeId": ("the resume", "이력서"),
        "id": ("the resume", "이력서"), "version": ("the resume version", "이력서 버전"), "path": ("the passage", "문장 위치"),
        "text": ("the text", "내용"), "action": ("the action", "동작"), "instruction": ("the request", "요청 내용"),
        "visibility": ("the visibility", "공개 여부"), "format": ("the format", "형식"), "body": ("the comment", "댓글"),
        "anchor": ("the part of the resume", "이력서 위치"), "commentId": ("the comment", "댓글"),
        "notificationId": ("the notification", "알림"), "techStack": ("the tech stack", "기술 스택"),
        "skills": ("the skills", "사용 기술"), "aboutMe": ("the introduction", "자기소개"), "bullets": ("the sentence", "문장"),
        "width": ("the thumbnail width", "미리보기 너비"), "before": ("the place in the list", "목록 위치"),
        "deleteAccount": ("the account deletion", "계정 삭제"), "date": ("the date", "날짜"),
        "concurrency": ("the number of charges at once", "동시 결제 수"),
    ]

    /// List key → (English entry name, Korean entry name).
    static let entries: [String: (String, String)] = [
        "education": ("education entry", "학력"), "workExperience": ("work experience entry", "경력"),
        "certificates": ("certificate", "자격증"), "links": ("link", "링크"), "repositories": ("repository", "저장소"),
        "projects": ("project", "프로젝트"), "bullets": ("sentence", "문장"),
    ]

    /// The field keys that have labels of their own.
    public static var knownFields: [String] { Array(fields.keys) }

    /// `education[0].end` → ("the end month of education entry 1", "학력 1번째 항목의 종료 시기").
    public static func label(_ path: String) -> (english: String, korean: String) {
        var english = "", korean = ""
        var context: [(String, String)] = []
        var segments = path.split(separator: ".").map(String.init)
        if segments.isEmpty { segments = [""] }
        for (i, segment) in segments.enumerated() {
            var key = segment
            var index: Int?
            // A position is `[n]` with the `]` after the `[` and 0 ≤ n < 1,000,000: a client's own key may
            // hold brackets in any order and any number (`"]["` and `"x[9223372036854775807]"` crashed here,
            // found by the profile fuzz target); anything else is a plain key.
            if let open = segment.firstIndex(of: "["), let close = segment[open...].firstIndex(of: "]"),
               let n = Int(segment[segment.index(after: open)..<close]), (0..<1_000_000).contains(n) {
                key = String(segment[..<open])
                index = n
            }
            if i == segments.count - 1 {
                let (e, k) = fields[key] ?? (key.isEmpty ? ("the request", "요청") : ("this field", "이 항목"))
                if let index {
                    let entry = entries[key] ?? ("entry", "항목")
                    english = "\(entry.0) \(index + 1)"
                    korean = "\(entry.1) \(index + 1)번째 항목"
                } else {
                    english = e
                    korean = k
                }
            } else if let index {
                let entry = entries[key] ?? ("entry", "항목")
                context.append(("\(entry.0) \(index + 1)", "\(entry.1) \(index + 1)번째 항목"))
            }
        }
        for (e, k) in context.reversed() {
            english += " of \(e)"
            korean = "\(k)의 \(korean)"
        }
        return (english, korean)
    }
}

/// Korean particles that follow a word's last sound: 은/는, 이/가, 을/를, 이에요/예요.
public enum Korean {
    /// Whether the word ends in a final consonant (batchim); a word ending in a Latin letter or a
    /// digit is read as it is pronounced in Korean for the common cases.
    public static func hasFinalConsonant(_ word: String) -> Bool {
        guard let last = word.unicodeScalars.last(where: { !" )]\"'.".unicodeScalars.contains($0) }) else { return false }
        let v = last.value
        if (0xAC00...0xD7A3).contains(v) { return (v - 0xAC00) % 28 != 0 }
        // Digits: 0 영, 1 일, 2 이, 3 삼, 4 사, 5 오, 6 육, 7 칠, 8 팔, 9 구.
        if let digit = Int(String(last)) { return [0, 1, 3, 6, 7, 8].contains(digit) }
        // An acronym is read letter by letter: L 엘, M 엠, N 엔, R 알 end in a consonant.
        let letters = word.unicodeScalars.filter { $0.properties.isAlphabetic }
        if !letters.isEmpty, letters.allSatisfy({ ("A"..."Z").contains($0) }) { return "LMNR".unicodeScalars.contains(last) }
        // Loanwords: a final l, m, n and -ng keep a consonant (엘, 엠, 엔, 스프링); others take a vowel (스, 트, 크…).
        return "lmnLMN".unicodeScalars.contains(last) || word.lowercased().hasSuffix("ng")
    }

    /// 은 or 는.
    public static func topic(_ word: String) -> String { hasFinalConsonant(word) ? "은" : "는" }
    /// 이 or 가.
    public static func subject(_ word: String) -> String { hasFinalConsonant(word) ? "이" : "가" }
    /// 을 or 를.
    public static func object(_ word: String) -> String { hasFinalConsonant(word) ? "을" : "를" }
    /// 이어야 or 여야 (for "…이어야 합니다").
    public static func copula(_ word: String) -> String { hasFinalConsonant(word) ? "이어야" : "여야" }
}

extension String {
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
