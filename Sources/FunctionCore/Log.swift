#if canImport(Glibc)
import Glibc
#endif

/// Logging to standard error only: standard output belongs to the function's response. Messages
/// never carry secrets (keys, tokens, cookies) or request bodies.
public struct Log: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

        /// `debug`, `info`, `warning` or `error`; anything else is `info`.
        public init(name: String?) {
            switch name?.lowercased() {
            case "debug": self = .debug
            case "warning": self = .warning
            case "error": self = .error
            default: self = .info
            }
        }
    }

    public var label: String
    public var minimum: Level

    public init(label: String, minimum: Level = .info) {
        self.label = label
        self.minimum = minimum
    }

    public func debug(_ message: @autoclosure () -> String) { write(.debug, message) }
    public func info(_ message: @autoclosure () -> String) { write(.info, message) }
    public func warning(_ message: @autoclosure () -> String) { write(.warning, message) }
    public func error(_ message: @autoclosure () -> String) { write(.error, message) }

    private func write(_ level: Level, _ message: () -> String) {
        guard level >= minimum else { return }
        writeAll(Array("[\(label)] \(level): \(message())\n".utf8), to: 2)
    }
}
