/// Values of the domain, with their Korean and English labels (MISSION.md, "Domain reference").
public protocol LabelledValue: RawRepresentable<String>, CaseIterable, Codable, Sendable, Hashable {
    var korean: String { get }
    var english: String { get }
}

extension LabelledValue {
    public func label(_ language: Language) -> String { language == .ko ? korean : english }
    public static var allRawValues: [String] { allCases.map(\.rawValue) }
}

public enum Language: String, Codable, Sendable, CaseIterable {
    case ko, en
}

public enum JobRole: String, LabelledValue {
    case backend = "BACKEND", frontend = "FRONTEND", infra = "INFRA", ai = "AI", game = "GAME"
    public var korean: String {
        switch self {
        case .backend: "백엔드"
        case .frontend: "프론트엔드"
        case .infra: "인프라"
        case .ai: "인공지능"
        case .game: "게임"
        }
    }
    public var english: String {
        switch self {
        case .backend: "Backend"
        case .frontend: "Frontend"
        case .infra: "Infrastructure"
        case .ai: "AI"
        case .game: "Game"
        }
    }
}

public enum SchoolType: String, LabelledValue {
    case privateEducation = "PRIVATE_EDUCATION", highSchool = "HIGH_SCHOOL"
    case associate = "UNIVERSITY_ASSOCIATE_DEGREE", bachelor = "UNIVERSITY_BACHELOR"
    case master = "GRADUATE_SCHOOL_MASTER", doctor = "GRADUATE_SCHOOL_DOCTOR"
    public var korean: String {
        switch self {
        case .privateEducation: "사설 교육"
        case .highSchool: "고등학교"
        case .associate: "대학교(전문학사)"
        case .bachelor: "대학교(학사)"
        case .master: "대학원(석사)"
        case .doctor: "대학원(박사)"
        }
    }
    public var english: String {
        switch self {
        case .privateEducation: "Private education"
        case .highSchool: "High school"
        case .associate: "University (associate)"
        case .bachelor: "University (bachelor's)"
        case .master: "Graduate school (master's)"
        case .doctor: "Graduate school (doctorate)"
        }
    }
}

public enum GraduationStatus: String, LabelledValue {
    case graduated = "GRADUATED", attending = "ATTENDING", dropOut = "DROP_OUT"
    public var korean: String {
        switch self {
        case .graduated: "졸업"
        case .attending: "재학중"
        case .dropOut: "중퇴"
        }
    }
    public var english: String {
        switch self {
        case .graduated: "Graduated"
        case .attending: "Attending"
        case .dropOut: "Dropped out"
        }
    }
}

public enum WorkType: String, LabelledValue {
    case intern = "INTERN", contract = "CONTRACT_WORKER", fullTime = "FULL_TIME"
    case privateBusiness = "PRIVATE_BUSINESS", freelancer = "FREELANCER"
    public var korean: String {
        switch self {
        case .intern: "인턴"
        case .contract: "계약직"
        case .fullTime: "정규직"
        case .privateBusiness: "개인사업"
        case .freelancer: "프리랜서"
        }
    }
    public var english: String {
        switch self {
        case .intern: "Intern"
        case .contract: "Contract"
        case .fullTime: "Full-time"
        case .privateBusiness: "Own business"
        case .freelancer: "Freelancer"
        }
    }
}

public enum EmploymentStatus: String, LabelledValue {
    case employed = "EMPLOYMENT", resigned = "RESIGNATION"
    public var korean: String { self == .employed ? "재직중" : "퇴사" }
    public var english: String { self == .employed ? "Current" : "Left" }
}

public enum Plan: String, Codable, Sendable, CaseIterable {
    case free = "FREE", pro = "PRO"
}

/// Whether a resume is on the hub.
public enum Visibility: String, Codable, Sendable, CaseIterable {
    case `public` = "PUBLIC", `private` = "PRIVATE"
}
