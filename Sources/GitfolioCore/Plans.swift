import Foundation

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
}

public enum Plans {
    public static func limits(_ plan: Plan) -> PlanLimits {
        switch plan {
        case .free: PlanLimits(aiUsesPerDay: 3, isFairUseCap: false, resumes: 10, repositoriesPerGeneration: 10)
        case .pro: PlanLimits(aiUsesPerDay: 200, isFairUseCap: true, resumes: 100, repositoriesPerGeneration: 30)
        }
    }

    /// PRO costs 19,900 KRW a month.
    public static let proMonthlyPriceKRW = 19_900

    public static let timeZone = TimeZone(identifier: "Asia/Seoul")!

    /// The quota day of an instant: its date in Asia/Seoul, `YYYY-MM-DD`.
    public static func day(of date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)
    }
}
