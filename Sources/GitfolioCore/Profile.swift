import Foundation

/// The My page profile: what a member tells about themselves beyond their GitHub data.
public struct Profile: Codable, Sendable, Equatable {
    public var name: String
    public var email: String
    public var phone: String
    public var avatarURL: String
    public var jobRole: JobRole?
    public var education: [Education]
    public var workExperience: [WorkExperience]
    public var certificates: [Certificate]
    public var links: [ProfileLink]

    public init(
        name: String = "", email: String = "", phone: String = "", avatarURL: String = "",
        jobRole: JobRole? = nil, education: [Education] = [], workExperience: [WorkExperience] = [],
        certificates: [Certificate] = [], links: [ProfileLink] = []
    ) {
        self.name = name
        self.email = email
        self.phone = phone
        self.avatarURL = avatarURL
        self.jobRole = jobRole
        self.education = education
        self.workExperience = workExperience
        self.certificates = certificates
        self.links = links
    }
}

public struct Education: Codable, Sendable, Equatable {
    public var schoolType: SchoolType
    public var schoolName: String
    public var major: String
    public var status: GraduationStatus
    public var start: String?
    public var end: String?
    public init(schoolType: SchoolType, schoolName: String, major: String = "", status: GraduationStatus,
                start: String? = nil, end: String? = nil) {
        self.schoolType = schoolType
        self.schoolName = schoolName
        self.major = major
        self.status = status
        self.start = start
        self.end = end
    }
}

public struct WorkExperience: Codable, Sendable, Equatable {
    public var company: String
    public var title: String
    public var workType: WorkType
    public var employment: EmploymentStatus
    public var start: String?
    public var end: String?
    public var description: String
    public init(company: String, title: String = "", workType: WorkType, employment: EmploymentStatus,
                start: String? = nil, end: String? = nil, description: String = "") {
        self.company = company
        self.title = title
        self.workType = workType
        self.employment = employment
        self.start = start
        self.end = end
        self.description = description
    }
}

public struct Certificate: Codable, Sendable, Equatable {
    public var name: String
    public var issuer: String
    public var acquired: String?
    public init(name: String, issuer: String = "", acquired: String? = nil) {
        self.name = name
        self.issuer = issuer
        self.acquired = acquired
    }
}

public struct ProfileLink: Codable, Sendable, Equatable {
    public var title: String
    public var url: String
    public init(title: String, url: String) {
        self.title = title
        self.url = url
    }
}

// MARK: - Parsing client input

extension Profile {
    public static let maxListItems = 20

    /// The forms the profile accepts, for every place that takes an email or a phone number.
    public static func isEmailAddress(_ s: String) -> Bool {
        s.range(of: #"^[^@\s]+@[^@\s]+\.[^@\s]+$"#, options: .regularExpression) != nil
    }

    public static func isPhoneNumber(_ s: String) -> Bool {
        s.range(of: #"^\+?[0-9(][0-9 ()\-]{5,19}$"#, options: .regularExpression) != nil
    }

    /// Parses and validates a profile sent by a client. Unknown fields are refused, so a client
    /// cannot smuggle in fields it may not set (an owner id, a plan); every message names the field.
    public static func parse(json data: Data) throws -> Profile {
        let object = try JSONFields.object(from: data)
        try object.allowOnly(["name", "email", "phone", "avatarURL", "jobRole", "education", "workExperience",
                              "certificates", "links"])
        var profile = Profile()
        profile.name = try object.string("name", max: 50)
        profile.email = try object.string("email", max: 254)
        if !profile.email.isEmpty, !Profile.isEmailAddress(profile.email) {
            throw object.invalid("email", "is not an email address", "은(는) 이메일 주소 형식이 아닙니다")
        }
        profile.phone = try object.string("phone", max: 20)
        if !profile.phone.isEmpty, !Profile.isPhoneNumber(profile.phone) {
            throw object.invalid("phone", "may hold only digits, spaces, '+', '-' and parentheses", "에는 숫자, 공백, '+', '-', 괄호만 쓸 수 있습니다")
        }
        profile.avatarURL = try object.url("avatarURL", required: false)
        profile.jobRole = try object.enumValue("jobRole", JobRole.self, required: false)
        profile.education = try object.list("education", max: maxListItems).map { item in
            try item.allowOnly(["schoolType", "schoolName", "major", "status", "start", "end"])
            let (start, end) = try item.period()
            return Education(
                schoolType: try item.enumValue("schoolType", SchoolType.self, required: true)!,
                schoolName: try item.string("schoolName", max: 100, required: true),
                major: try item.string("major", max: 100),
                status: try item.enumValue("status", GraduationStatus.self, required: true)!,
                start: start, end: end)
        }
        profile.workExperience = try object.list("workExperience", max: maxListItems).map { item in
            try item.allowOnly(["company", "title", "workType", "employment", "start", "end", "description"])
            let (start, end) = try item.period()
            return WorkExperience(
                company: try item.string("company", max: 100, required: true),
                title: try item.string("title", max: 100),
                workType: try item.enumValue("workType", WorkType.self, required: true)!,
                employment: try item.enumValue("employment", EmploymentStatus.self, required: true)!,
                start: start, end: end,
                description: try item.string("description", max: 2000))
        }
        profile.certificates = try object.list("certificates", max: maxListItems).map { item in
            try item.allowOnly(["name", "issuer", "acquired"])
            return Certificate(
                name: try item.string("name", max: 100, required: true),
                issuer: try item.string("issuer", max: 100),
                acquired: try item.month("acquired"))
        }
        profile.links = try object.list("links", max: maxListItems).map { item in
            try item.allowOnly(["title", "url"])
            return ProfileLink(title: try item.string("title", max: 100), url: try item.url("url", required: true))
        }
        return profile
    }
}

/// A JSON object read field by field, with errors that name the field's path.
public struct JSONFields {
    public let values: [String: Any]
    public let path: String

    public init(values: [String: Any], path: String) {
        self.values = values
        self.path = path
    }

    public static func object(from data: Data) throws -> JSONFields {
        guard !data.isEmpty else { throw APIError.badRequest("invalid_json", "The request body is empty; send a JSON object.") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw APIError.badRequest("invalid_json", "The request body is not valid JSON.")
        }
        guard let dict = parsed as? [String: Any] else {
            throw APIError.badRequest("invalid_json", "The request body must be a JSON object.")
        }
        return JSONFields(values: dict, path: "")
    }

    func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A field error in English and Korean: `education[0].end must not be before start. /
    /// 학력 1번째 항목의 종료은(는) 시작보다 앞설 수 없습니다.`
    public func invalid(_ key: String, _ reason: String, _ koreanReason: String) -> APIError {
        APIError(status: 400, code: "invalid_field",
                 message: "\(name(key)) \(reason). / \(FieldNames.korean(name(key)))\(koreanReason).", field: name(key))
    }

    public func allowOnly(_ keys: Set<String>) throws {
        if let unknown = values.keys.sorted().first(where: { !keys.contains($0) }) {
            throw APIError(status: 400, code: "unknown_field",
                           message: "\(name(unknown)) is not a field that can be set here. / \(name(unknown))은(는) 여기서 설정할 수 없는 항목입니다.",
                           field: name(unknown))
        }
    }

    public func has(_ key: String) -> Bool { values[key] != nil && !(values[key] is NSNull) }

    public func string(_ key: String, max: Int, required: Bool = false) throws -> String {
        guard let raw = values[key], !(raw is NSNull) else {
            if required { throw invalid(key, "is required", "은(는) 필수입니다") }
            return ""
        }
        guard let value = raw as? String else { throw invalid(key, "must be a string", "은(는) 문자열이어야 합니다") }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw invalid(key, "is required", "은(는) 필수입니다") }
        if trimmed.count > max { throw invalid(key, "must be at most \(max) characters", "은(는) 최대 \(max)자까지 쓸 수 있습니다") }
        if trimmed.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\n" && $0 != "\t" }) {
            throw invalid(key, "contains control characters", "에 제어 문자가 있습니다")
        }
        return trimmed
    }

    public func enumValue<E: LabelledValue>(_ key: String, _ type: E.Type, required: Bool) throws -> E? {
        let raw = try string(key, max: 64, required: required)
        if raw.isEmpty { return nil }
        guard let value = E(rawValue: raw) else {
            throw invalid(key, "must be one of \(E.allRawValues.joined(separator: ", "))", "은(는) 다음 중 하나여야 합니다: \(E.allCases.map(\.korean).joined(separator: ", "))")
        }
        return value
    }

    public func month(_ key: String) throws -> String? {
        let raw = try string(key, max: 7)
        if raw.isEmpty { return nil }
        guard raw.range(of: #"^(19|20)[0-9]{2}\.(0[1-9]|1[0-2])$"#, options: .regularExpression) != nil else {
            throw invalid(key, "must be a month written YYYY.MM, such as 2024.03", "은(는) 2024.03처럼 YYYY.MM 형식이어야 합니다")
        }
        return raw
    }

    func period() throws -> (String?, String?) {
        let start = try month("start"), end = try month("end")
        if let start, let end, start > end { throw invalid("end", "must not be before start", "은(는) 시작보다 앞설 수 없습니다") }
        return (start, end)
    }

    public func url(_ key: String, required: Bool) throws -> String {
        let raw = try string(key, max: 500, required: required)
        if raw.isEmpty { return "" }
        guard let url = URL(string: raw), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else { throw invalid(key, "must be an http:// or https:// address", "은(는) http:// 또는 https:// 주소여야 합니다") }
        return raw
    }

    public func list(_ key: String, max: Int) throws -> [JSONFields] {
        guard let raw = values[key], !(raw is NSNull) else { return [] }
        guard let array = raw as? [Any] else { throw invalid(key, "must be a list", "은(는) 목록이어야 합니다") }
        if array.count > max { throw invalid(key, "may hold at most \(max) entries", "은(는) 최대 \(max)개까지 쓸 수 있습니다") }
        return try array.enumerated().map { index, element in
            guard let dict = element as? [String: Any] else { throw invalid("\(key)[\(index)]", "must be an object", "은(는) 객체여야 합니다") }
            return JSONFields(values: dict, path: name("\(key)[\(index)]"))
        }
    }
}

/// Korean names of the fields clients send, for error messages: `education[0].end` → `학력 1번째 항목의 종료`.
public enum FieldNames {
    static let korean: [String: String] = [
        "name": "이름", "email": "이메일", "phone": "전화번호", "avatarURL": "프로필 이미지 URL", "jobRole": "직무",
        "education": "학력", "workExperience": "경력", "certificates": "자격증", "links": "링크",
        "schoolType": "학교 구분", "schoolName": "학교명", "major": "전공", "status": "졸업 여부", "start": "시작",
        "end": "종료", "company": "회사명", "title": "제목", "workType": "근무 형태", "employment": "재직 여부",
        "description": "업무 내용", "issuer": "발급 기관", "acquired": "취득 시기", "url": "URL", "login": "아이디", "confirm": "확인",
    ]

    public static func korean(_ path: String) -> String {
        path.split(separator: ".").map { part -> String in
            if let open = part.firstIndex(of: "["), let close = part.firstIndex(of: "]"),
               let index = Int(part[part.index(after: open)..<close]) {
                let key = String(part[..<open])
                return "\(korean[key] ?? key) \(index + 1)번째 항목"
            }
            return korean[String(part)] ?? String(part)
        }.joined(separator: "의 ")
    }
}
