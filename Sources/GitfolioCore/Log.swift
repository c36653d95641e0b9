import Foundation

/// Logging to standard error only: standard output belongs to the function's response.
public struct Log: Sendable {
    public enum Level: Int, Sendable, Comparable {
        case debug, info, warning, error
        public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }
    }

    public var label: String
    public var minimum: Level

    public init(label: String, minimum: Level? = nil) {
        self.label = label
        let env = ProcessInfo.processInfo.environment["GITFOLIO_LOG_LEVEL"]?.lowercased()
        self.minimum = minimum ?? {
            switch env {
            case "debug": return .debug
            case "warning": return .warning
            case "error": return .error
            default: return .info
            }
        }()
    }

    public func debug(_ message: @autoclosure () -> String) { write(.debug, message) }
    public func info(_ message: @autoclosure () -> String) { write(.info, message) }
    public func warning(_ message: @autoclosure () -> String) { write(.warning, message) }
    public func error(_ message: @autoclosure () -> String) { write(.error, message) }

    private func write(_ level: Level, _ message: () -> String) {
        guard level >= minimum else { return }
        let line = "[\(label)] \(level): \(message())\n"
        FileHandle.standardError.write(Data(line.utf8))
    }
}
