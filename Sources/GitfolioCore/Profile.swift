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

    /// Parses and validates a profile a client sent (`PUT /api/me`, a JSON Resume import). Unknown
    /// fields are refused, so a client cannot smuggle in fields it may not set (an owner id, a plan);
    /// every failure is a field error naming the field. `today` (Asia/Seoul) bounds the dates.
    public static func parse(_ document: JSONValue, today: CivilDate) throws -> Profile {
        guard case .object = document else {
            throw APIError.badRequest("invalid_json", "The profile must be a JSON object.", korean: "프로필은 JSON 객체여야 합니다.")
        }
        do {
            return try document.decode(ProfileInput.self, options: .init(rejectUnknownKeys: true)).profile(today: today)
        } catch let error as FieldError {
            throw APIError(field: error)
        } catch let error as APIError {
            throw error
        } catch {
            guard let field = FieldError.from(error) else { throw APIError.badRequest("invalid_json", "The profile could not be read.") }
            throw APIError(field: field)
        }
    }
}

/// A profile as a client sends it, read field by field with the profile's rules.
struct ProfileInput: Decodable {
    var profile: Profile

    enum CodingKeys: String, CodingKey {
        case name, email, phone, avatarURL, jobRole, education, workExperience, certificates, links
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        profile = Profile()
        profile.name = try c.text(.name, max: 50)
        profile.email = try c.text(.email, max: 254)
        if !profile.email.isEmpty, !Profile.isEmailAddress(profile.email) {
            throw FieldError(c.path(.email), .rule(english: "must be an email address such as name@example.com",
                                                   korean: "name@example.com 같은 이메일 주소여야 합니다"))
        }
        profile.phone = try c.text(.phone, max: 20)
        if !profile.phone.isEmpty, !Profile.isPhoneNumber(profile.phone) {
            throw FieldError(c.path(.phone), .rule(english: "may hold only digits, spaces, +, - and brackets",
                                                   korean: "숫자, 공백, +, -, 괄호만 쓸 수 있습니다"))
        }
        profile.avatarURL = try c.webAddress(.avatarURL)
        profile.jobRole = try c.choice(JobRole.self, .jobRole)
        profile.education = try c.list(EducationInput.self, .education, max: Profile.maxListItems).map(\.value)
        profile.workExperience = try c.list(WorkInput.self, .workExperience, max: Profile.maxListItems).map(\.value)
        profile.certificates = try c.list(CertificateInput.self, .certificates, max: Profile.maxListItems).map(\.value)
        profile.links = try c.list(LinkInput.self, .links, max: Profile.maxListItems).map(\.value)
    }

    /// The rules that need today's date: a graduation or a past job cannot end in the future, a
    /// current job has no end, studies end at most eight years ahead.
    func profile(today: CivilDate) throws -> Profile {
        let thisMonth = String(format: "%04d.%02d", today.year, today.month)
        let inEightYears = String(format: "%04d.%02d", today.year + 8, today.month)
        for (i, e) in profile.education.enumerated() {
            if let start = e.start, start > thisMonth { throw FieldError("education[\(i)].start", .inFuture) }
            if let end = e.end, e.status != .attending, end > thisMonth { throw FieldError("education[\(i)].end", .inFuture) }
            if let end = e.end, end > inEightYears { throw FieldError("education[\(i)].end", .inFuture) }
        }
        for (i, w) in profile.workExperience.enumerated() {
            if let start = w.start, start > thisMonth { throw FieldError("workExperience[\(i)].start", .inFuture) }
            if w.employment == .employed, w.end != nil {
                throw FieldError("workExperience[\(i)].end", .rule(english: "must be empty for a job you still have",
                                                                   korean: "재직 중인 회사에는 비워 두어야 합니다"))
            }
            if let end = w.end, end > thisMonth { throw FieldError("workExperience[\(i)].end", .inFuture) }
        }
        for (i, c) in profile.certificates.enumerated() {
            if let acquired = c.acquired, acquired > thisMonth { throw FieldError("certificates[\(i)].acquired", .inFuture) }
        }
        return profile
    }
}

/// A period's end must not come before its start.
private func period<K>(_ c: KeyedDecodingContainer<K>, start: K, end: K) throws -> (String?, String?) {
    let s = try c.month(start), e = try c.month(end)
    if let s, let e, s > e { throw FieldError(c.path(end), .endBeforeStart) }
    return (s, e)
}

struct EducationInput: Decodable {
    var value: Education
    enum CodingKeys: String, CodingKey { case schoolType, schoolName, major, status, start, end }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let (start, end) = try period(c, start: .start, end: .end)
        let type = try c.choice(SchoolType.self, .schoolType, required: true)!
        let status = try c.choice(GraduationStatus.self, .status, required: true)!
        value = Education(schoolType: type, schoolName: try c.text(.schoolName, max: 100, required: true),
                          major: try c.text(.major, max: 100), status: status, start: start, end: end)
    }
}

struct WorkInput: Decodable {
    var value: WorkExperience
    enum CodingKeys: String, CodingKey { case company, title, workType, employment, start, end, description }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let (start, end) = try period(c, start: .start, end: .end)
        let type = try c.choice(WorkType.self, .workType, required: true)!
        let employment = try c.choice(EmploymentStatus.self, .employment, required: true)!
        value = WorkExperience(company: try c.text(.company, max: 100, required: true), title: try c.text(.title, max: 100),
                               workType: type, employment: employment, start: start, end: end,
                               description: try c.text(.description, max: 2000))
    }
}

struct CertificateInput: Decodable {
    var value: Certificate
    enum CodingKeys: String, CodingKey { case name, issuer, acquired }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = Certificate(name: try c.text(.name, max: 100, required: true), issuer: try c.text(.issuer, max: 100),
                            acquired: try c.month(.acquired))
    }
}

struct LinkInput: Decodable {
    var value: ProfileLink
    enum CodingKeys: String, CodingKey { case title, url }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = ProfileLink(title: try c.text(.title, max: 100), url: try c.webAddress(.url, required: true))
    }
}
