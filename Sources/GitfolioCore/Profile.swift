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
    /// every failure is a field error naming the field, and all of a form's mistakes are reported at
    /// once (`APIError.issues`). `today` (Asia/Seoul) bounds the dates.
    public static func parse(_ document: JSONValue, today: CivilDate) throws -> Profile {
        guard case .object = document else {
            throw APIError.badRequest("invalid_json", "The profile must be a JSON object.", korean: "프로필은 JSON 객체여야 합니다.")
        }
        do {
            let input = try document.decode(ProfileInput.self, options: .init(rejectUnknownKeys: true))
            let errors = input.errors + input.dateErrors(today: today)
            if !errors.isEmpty { throw APIError(fields: errors) }
            return input.profile
        } catch let error as APIError {
            throw error
        } catch {
            guard let fields = FieldErrors.from(error) else { throw APIError.badRequest("invalid_json", "The profile could not be read.") }
            throw APIError(fields: fields)
        }
    }
}

/// A profile as a client sends it, read field by field with the profile's rules. Reading goes on
/// past a mistake: `errors` holds every one, and the entries of a list that had one are left out
/// (`positions` keeps where each kept entry was in the client's list, for the date rules' paths).
struct ProfileInput: Decodable {
    var profile: Profile
    var errors: [FieldError]
    var positions: [String: [Int]] = [:]

    enum CodingKeys: String, CodingKey {
        case name, email, phone, avatarURL, jobRole, education, workExperience, certificates, links
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let found = FieldErrorCollector()
        profile = Profile()
        profile.name = try found.read("") { try c.text(.name, max: 50) }
        profile.email = try found.read("") {
            let email = try c.text(.email, max: 254)
            if !email.isEmpty, !Profile.isEmailAddress(email) {
                throw FieldError(c.path(.email), .rule(english: "must be an email address such as name@example.com",
                                                       korean: "name@example.com 같은 이메일 주소여야 합니다"))
            }
            return email
        }
        profile.phone = try found.read("") {
            let phone = try c.text(.phone, max: 20)
            if !phone.isEmpty, !Profile.isPhoneNumber(phone) {
                throw FieldError(c.path(.phone), .rule(english: "may hold only digits, spaces, +, - and brackets",
                                                       korean: "숫자, 공백, +, -, 괄호만 쓸 수 있습니다"))
            }
            return phone
        }
        profile.avatarURL = try found.read("") { try c.webAddress(.avatarURL) }
        profile.jobRole = try found.read(nil) { try c.choice(JobRole.self, .jobRole) }
        let education = try c.entries(EducationInput.self, .education, max: Profile.maxListItems, collector: found)
        let work = try c.entries(WorkInput.self, .workExperience, max: Profile.maxListItems, collector: found)
        let certificates = try c.entries(CertificateInput.self, .certificates, max: Profile.maxListItems, collector: found)
        let links = try c.entries(LinkInput.self, .links, max: Profile.maxListItems, collector: found)
        profile.education = education.map(\.value.value)
        profile.workExperience = work.map(\.value.value)
        profile.certificates = certificates.map(\.value.value)
        profile.links = links.map(\.value.value)
        positions = ["education": education.map(\.position), "workExperience": work.map(\.position),
                     "certificates": certificates.map(\.position)]
        errors = found.errors
    }

    /// The rules that need today's date: a graduation or a past job cannot end in the future, a
    /// current job has no end, studies end at most eight years ahead.
    func dateErrors(today: CivilDate) -> [FieldError] {
        let thisMonth = String(format: "%04d.%02d", today.year, today.month)
        let inEightYears = String(format: "%04d.%02d", today.year + 8, today.month)
        var errors: [FieldError] = []
        for (e, i) in zip(profile.education, positions["education"] ?? []) {
            if let start = e.start, start > thisMonth { errors.append(FieldError("education[\(i)].start", .inFuture)) }
            if let end = e.end, e.status == .attending, end > inEightYears {
                errors.append(FieldError("education[\(i)].end", .tooFarAhead(years: 8)))
            } else if let end = e.end, e.status != .attending, end > thisMonth {
                errors.append(FieldError("education[\(i)].end", .rule(
                    english: "cannot be in the future for a school you finished; if you are still studying, choose Attending",
                    korean: "마친 학교라면 미래일 수 없습니다. 아직 다니고 있다면 졸업 여부를 재학중으로 고르세요")))
            }
        }
        for (w, i) in zip(profile.workExperience, positions["workExperience"] ?? []) {
            if let start = w.start, start > thisMonth { errors.append(FieldError("workExperience[\(i)].start", .inFuture)) }
            if w.employment == .employed, w.end != nil {
                errors.append(FieldError("workExperience[\(i)].end", .rule(english: "must be empty for a job you still have",
                                                                          korean: "재직 중인 회사에는 비워 두어야 합니다")))
            } else if let end = w.end, end > thisMonth {
                errors.append(FieldError("workExperience[\(i)].end", .inFuture))
            }
        }
        for (c, i) in zip(profile.certificates, positions["certificates"] ?? []) {
            if let acquired = c.acquired, acquired > thisMonth { errors.append(FieldError("certificates[\(i)].acquired", .inFuture)) }
        }
        return errors
    }
}

/// A period's end must not come before its start.
private func period<K>(_ c: KeyedDecodingContainer<K>, start: K, end: K, collector: FieldErrorCollector) throws -> (String?, String?) {
    let s = try collector.read(nil) { try c.month(start) }, e = try collector.read(nil) { try c.month(end) }
    if let s, let e, s > e { collector.add(FieldError(c.path(end), .endBeforeStart)) }
    return (s, e)
}

struct EducationInput: Decodable {
    var value: Education
    enum CodingKeys: String, CodingKey { case schoolType, schoolName, major, status, start, end }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let found = FieldErrorCollector()
        let type = try found.read(nil) { try c.choice(SchoolType.self, .schoolType, required: true) }
        let name = try found.read("") { try c.text(.schoolName, max: 100, required: true) }
        let major = try found.read("") { try c.text(.major, max: 100) }
        let status = try found.read(nil) { try c.choice(GraduationStatus.self, .status, required: true) }
        let (start, end) = try period(c, start: .start, end: .end, collector: found)
        try found.finish()
        value = Education(schoolType: type!, schoolName: name, major: major, status: status!, start: start, end: end)
    }
}

struct WorkInput: Decodable {
    var value: WorkExperience
    enum CodingKeys: String, CodingKey { case company, title, workType, employment, start, end, description }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let found = FieldErrorCollector()
        let company = try found.read("") { try c.text(.company, max: 100, required: true) }
        let title = try found.read("") { try c.text(.title, max: 100) }
        let type = try found.read(nil) { try c.choice(WorkType.self, .workType, required: true) }
        let employment = try found.read(nil) { try c.choice(EmploymentStatus.self, .employment, required: true) }
        let (start, end) = try period(c, start: .start, end: .end, collector: found)
        let description = try found.read("") { try c.text(.description, max: 2000) }
        try found.finish()
        value = WorkExperience(company: company, title: title, workType: type!, employment: employment!, start: start, end: end,
                               description: description)
    }
}

struct CertificateInput: Decodable {
    var value: Certificate
    enum CodingKeys: String, CodingKey { case name, issuer, acquired }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let found = FieldErrorCollector()
        let name = try found.read("") { try c.text(.name, max: 100, required: true) }
        let issuer = try found.read("") { try c.text(.issuer, max: 100) }
        let acquired = try found.read(nil) { try c.month(.acquired) }
        try found.finish()
        value = Certificate(name: name, issuer: issuer, acquired: acquired)
    }
}

struct LinkInput: Decodable {
    var value: ProfileLink
    enum CodingKeys: String, CodingKey { case title, url }
    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let found = FieldErrorCollector()
        let title = try found.read("") { try c.text(.title, max: 100) }
        let url = try found.read("") { try c.webAddress(.url, required: true) }
        try found.finish()
        value = ProfileLink(title: title, url: url)
    }
}
