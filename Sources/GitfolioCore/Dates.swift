import Foundation

extension Plans {
    /// The quota day of an instant: its date in Asia/Seoul, `YYYY-MM-DD`.
    public static func day(of date: Date) -> String { day(ofEpoch: Int64(date.timeIntervalSince1970.rounded(.down))) }
}

extension SeoulCalendar {
    public static func date(of date: Date) -> CivilDate { self.date(ofEpoch: Int64(date.timeIntervalSince1970.rounded(.down))) }
}
