import Foundation
import GitfolioCore
#if canImport(Glibc)
import Glibc
#endif

/// Where the built executables are: beside the test bundle, or `GITFOLIO_BIN_DIR`.
public enum Built {
    public static var directory: URL {
        if let dir = ProcessInfo.processInfo.environment["GITFOLIO_BIN_DIR"], !dir.isEmpty {
            return URL(fileURLWithPath: dir)
        }
        let exe = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        var dir = exe.deletingLastPathComponent()
        // On some platforms the bundle is a directory: .../debug/X.xctest/Contents/MacOS/X
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("gitfolio").path), dir.pathComponents.count > 2 {
            dir = dir.deletingLastPathComponent()
        }
        return dir
    }

    public static func executable(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The repository root (for site/ and content/).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }
}

/// A fresh temporary folder, removed by `remove()`.
public struct TempDir: Sendable {
    public let url: URL
    public init(_ label: String = "gitfolio-test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// The result of running an executable to completion.
public struct RunResult: Sendable {
    public var status: Int32
    public var stdout: Data
    public var stderr: Data
    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
}

/// Runs an executable with `input` on stdin, as a runner would.
public func runProcess(_ executable: URL, arguments: [String] = [], environment: [String: String], input: Data) throws -> RunResult {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.environment = environment
    let stdin = ChildProcesses.pipe(), stdout = ChildProcesses.pipe(), stderr = ChildProcesses.pipe()
    process.standardInput = stdin
    process.standardOutput = stdout
    process.standardError = stderr
    try process.runAlone()
    // A process may answer and exit before reading all of its input (an event over the size limit,
    // a CGI body longer than CONTENT_LENGTH): the rest of the write fails with EPIPE, which must not
    // be a SIGPIPE that kills the test process.
    signal(SIGPIPE, SIG_IGN)
    let writer = Thread {
        try? stdin.fileHandleForWriting.write(contentsOf: input)
        try? stdin.fileHandleForWriting.close()
    }
    writer.start()
    let errData = LockedData()
    let errReader = Thread { errData.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
    errReader.start()
    let out = stdout.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !errReader.isFinished { usleep(1000) }
    return RunResult(status: process.terminationStatus, stdout: out, stderr: errData.get())
}

final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ d: Data) { lock.lock(); data = d; lock.unlock() }
    func get() -> Data { lock.lock(); defer { lock.unlock() }; return data }
}

/// A TCP port that was free a moment ago (for servers that cannot be told to pick one).
public func freePort() -> UInt16 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
    return UInt16(bigEndian: addr.sin_port)
}

/// Waits until something accepts TCP connections on the port.
public func waitForPort(_ port: UInt16, timeout: TimeInterval = 20) async throws {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        close(fd)
        if rc == 0 { return }
        try await Task.sleep(nanoseconds: 50_000_000)
    }
    throw URLError(.cannotConnectToHost)
}

/// Runs blocking work on its own thread and awaits it, so async tests never block the two threads
/// of the cooperative pool, where the in-process fakes (`LoopbackServer`) answer.
public func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// `runProcess` for async tests: the process may call back into fakes served by this test process.
public func runProcessAsync(_ executable: URL, arguments: [String] = [], environment: [String: String], input: Data) async throws -> RunResult {
    try await offPool { try runProcess(executable, arguments: arguments, environment: environment, input: input) }
}
