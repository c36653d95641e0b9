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
    /// that says what git said. `input`, when given, is git's standard input (`--stdin`).
    public func run(_ arguments: [String], input: Data? = nil) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["-C", repository.path] + arguments
        var env = ProcessInfo.processInfo.environment
        env["GIT_PAGER"] = "cat"
        env["LC_ALL"] = "C"
        process.environment = env
        let out = ChildProcesses.pipe(), err = ChildProcesses.pipe()
        process.standardOutput = out
        process.standardError = err
        let stdin = input.map { _ in ChildProcesses.pipe() }
        if let stdin { process.standardInput = stdin }
        do { try process.runAlone() } catch {
            throw APIError.internal("git could not be run (\(executable)); install git.")
        }
        if let stdin, let input {
            // Written from another thread, so that git's output can never block the writing.
            let writer = stdin.fileHandleForWriting
            Thread.detachNewThread {
                try? writer.write(contentsOf: input)
                try? writer.close()
            }
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

/// Runs the jobs at the same time, each on a thread of its own, and `meanwhile` on this one; returns
/// the jobs' results in order and `meanwhile`'s value once all have finished.
func concurrently<T: Sendable, U>(_ jobs: [@Sendable () throws -> T], meanwhile: () throws -> U) throws -> ([Result<T, any Error>], U) {
    let results = Results<T>(count: jobs.count)
    let group = DispatchGroup()
    for (i, job) in jobs.enumerated() {
        // Threads of their own, not Dispatch's pool: the jobs block on pipes, and the pool (as many
        // threads as cores) adds a thread only after a delay, which serialised four git commands.
        group.enter()
        Thread.detachNewThread {
            results.set(i, Result { try job() })
            group.leave()
        }
    }
    defer { group.wait() }
    let value = try meanwhile()
    group.wait()
    return (results.values.map { $0! }, value)
}

/// ``concurrently(_:meanwhile:)`` with nothing to do meanwhile.
func concurrently<T: Sendable>(_ jobs: [@Sendable () throws -> T]) -> [Result<T, any Error>] {
    // `meanwhile` cannot throw here.
    (try? concurrently(jobs, meanwhile: {}))?.0 ?? []
}

private final class Results<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<T, any Error>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func set(_ i: Int, _ value: Result<T, any Error>) {
        lock.lock(); defer { lock.unlock() }
        slots[i] = value
    }
    var values: [Result<T, any Error>?] {
        lock.lock(); defer { lock.unlock() }
        return slots
    }
}

/// Reads a pipe in the background so that a chatty stderr cannot block the process.
final class ErrorCollector: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        // A thread of its own (see ``concurrently(_:meanwhile:)``): the read blocks until git exits.
        Thread.detachNewThread {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    var text: String {
        done.wait()
        return String(decoding: data, as: UTF8.self)
    }
}
