import Foundation
import GitfolioCore

/// Runs the `git` command on a repository on disk.
public struct Git: Sendable {
    public var repository: URL
    public var executable: String

    public init(repository: URL, executable: String = Git.defaultExecutable) {
        self.repository = repository
        self.executable = executable
    }

    /// `git` from PATH, else /usr/bin/git.
    public static var defaultExecutable: String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/git") {
            return "\(dir)/git"
        }
        return "/usr/bin/git"
    }

    /// Runs `git -C <repository> <arguments>` and returns standard output; a failure is an error
    /// that says what git said.
    public func run(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-C", repository.path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["GIT_PAGER"] = "cat"
        env["LC_ALL"] = "C"
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            throw APIError.internal("git could not be run (\(executable)); install git.")
        }
        let errors = ErrorCollector(err.fileHandleForReading)
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = errors.text.trimmingCharacters(in: .whitespacesAndNewlines)
            throw APIError.badRequest("git_failed", "git \(arguments.first ?? "") failed in \(repository.path): \(message.prefix(300))")
        }
        return data
    }
}

/// Reads a pipe in the background so that a chatty stderr cannot block the process.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    var text: String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
