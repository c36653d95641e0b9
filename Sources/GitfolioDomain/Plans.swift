/// Every plan limit, in one table.
public struct PlanLimits: Sendable, Equatable {
    /// AI uses (generation and revision together) per Asia/Seoul day.
    public var aiUsesPerDay: Int
    /// Whether the daily number is a hard product limit (FREE) or a fair-use cap (PRO).
    public var isFairUseCap: Bool
    /// Resumes a member may keep.
    public var resumes: Int
    /// Repositories one generation may use.
    public var repositoriesPerGeneration: Int
    /// What the plan costs a month, in KRW (0: free).
    public var monthlyPriceKRW: Int
    /// When a monthly charge fails, how many following nights the nightly batch tries again before the
    /// plan ends (the member keeps the plan meanwhile, and is told after the last failure).
    public var failedChargeRetries: Int
}

public enum Plans {
    public static func limits(_ plan: Plan) -> PlanLimits {
        switch plan {
        case .free: PlanLimits(aiUsesPerDay: 3, isFairUseCap: false, resumes: 10, repositoriesPerGeneration: 10,
                               monthlyPriceKRW: 0, failedChargeRetries: 0)
        case .pro: PlanLimits(aiUsesPerDay: 200, isFairUseCap: true, resumes: 100, repositoriesPerGeneration: 30,
                              monthlyPriceKRW: 19_900, failedChargeRetries: 3)
        }
    }

    /// PRO costs 19,900 KRW a month.
    public static var proMonthlyPriceKRW: Int { limits(.pro).monthlyPriceKRW }

    /// The quota day of an instant (seconds since 1970): its date in Asia/Seoul, `YYYY-MM-DD`.
    public static func day(ofEpoch seconds: Int64) -> String { SeoulCalendar.date(ofEpoch: seconds).iso }
}

/// A calendar date.
public struct CivilDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// `YYYY-MM-DD`.
    public init?(iso: String) {
        let parts = iso.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1...12).contains(m), (1...CivilDate.daysIn(year: y, month: m)).contains(d) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public var iso: String {
        func pad(_ n: Int, _ width: Int) -> String { String(repeating: "0", count: max(0, width - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public var description: String { iso }

    public static func < (a: CivilDate, b: CivilDate) -> Bool { (a.year, a.month, a.day) < (b.year, b.month, b.day) }

    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    public var daysSinceEpoch: Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public init(daysSinceEpoch days: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        self.init(year: Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), month: Int(m), day: Int(d))
    }

    public func adding(days: Int) -> CivilDate { CivilDate(daysSinceEpoch: daysSinceEpoch + Int64(days)) }

    /// The same day `months` later, anchored on `anchorDay` (the day a subscription started): a month
    /// without that day ends on its last day (Jan 31 → Feb 28 or 29 → Mar 31).
    public func adding(months: Int, anchorDay: Int? = nil) -> CivilDate {
        let total = year * 12 + (month - 1) + months
        let y = total / 12, m = total % 12 + 1
        return CivilDate(year: y, month: m, day: min(anchorDay ?? day, CivilDate.daysIn(year: y, month: m)))
    }
}

/// Asia/Seoul time without a time-zone database: Korea has kept UTC+9 without daylight saving
/// since 1988, so the offset is fixed (a test checks it against the system's tz data).
public enum SeoulCalendar {
    public static let offsetSeconds: Int64 = 9 * 3600

    /// The Seoul date of an instant (seconds since 1970).
    public static func date(ofEpoch seconds: Int64) -> CivilDate {
        let local = seconds + offsetSeconds
        return CivilDate(daysSinceEpoch: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }

    /// The instant a Seoul date begins (its midnight), in seconds since 1970.
    public static func startOfDay(_ date: CivilDate) -> Int64 { date.daysSinceEpoch * 86_400 - offsetSeconds }
}
