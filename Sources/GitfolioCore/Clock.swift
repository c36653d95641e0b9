import Foundation

/// The one source of time, so that tests can fix it.
public protocol Clock: Sendable {
    func now() -> Date
}

public struct SystemClock: Clock {
    public init() {}
    public func now() -> Date { Date() }
}

public struct FixedClock: Clock {
    public var date: Date
    public init(_ date: Date) { self.date = date }
    public func now() -> Date { date }
}
