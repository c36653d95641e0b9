import Foundation
import GitfolioCore

#if canImport(Glibc)
import Glibc
#endif

/// One function process in warm mode: a request line in, a response line out.
final class WarmWorker: @unchecked Sendable {
    let process: Process
    private let input: FileHandle
    private let reader: ByteReader
    private let queue: DispatchQueue

    init(executable: URL, environment: [String: String]) throws {
        process = Process()
        process.executableURL = executable
        process.arguments = ["--warm"]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        input = stdin.fileHandleForWriting
        reader = ByteReader(fd: stdout.fileHandleForReading.fileDescriptor)
        queue = DispatchQueue(label: "gitfolio.worker.\(executable.lastPathComponent)")
    }

    /// Sends one event and waits for its response; nil when the process has died.
    /// Blocking pipe I/O runs on the worker's own queue, never on the concurrency pool.
    func exchange(_ event: [UInt8]) async -> [UInt8]? {
        await withCheckedContinuation { continuation in
            queue.async { [self] in
                writeAll(event + [0x0A], to: input.fileDescriptor)
                switch reader.nextLine(limit: FunctionLimits.maxEventBytes * 2) {
                case .line(let line): continuation.resume(returning: line)
                case .tooLong, .end: continuation.resume(returning: nil)
                }
            }
        }
    }

    func terminate() {
        if process.isRunning { process.terminate() }
        try? input.close()
    }
}

/// A small pool of warm processes for one function; a process that dies is replaced.
actor FunctionPool {
    let name: String
    let executable: URL
    let environment: [String: String]
    let size: Int
    private var idle: [WarmWorker] = []
    private var running = 0
    private var waiters: [CheckedContinuation<WarmWorker, any Error>] = []
    private let log = Log(label: "serve")

    init(name: String, executable: URL, environment: [String: String], size: Int) {
        self.name = name
        self.executable = executable
        self.environment = environment
        self.size = max(1, size)
    }

    /// Runs one event through a warm process of this function.
    func call(_ event: [UInt8]) async -> FunctionResponse {
        let worker: WarmWorker
        do {
            worker = try await acquire()
        } catch {
            return .error(.unavailable("function_unavailable", "The \(name) function could not be started.", retryAfter: 5))
        }
        guard let line = await worker.exchange(event),
              let response = try? FunctionResponse.parse(event: line)
        else {
            log.error("\(name) worker (pid \(worker.process.processIdentifier)) died or answered garbage; restarting it")
            replace(worker)
            return .error(.upstream("function_crashed", "The \(name) function failed while answering; please try again."))
        }
        release(worker)
        return response
    }

    private func acquire() async throws -> WarmWorker {
        if let worker = idle.popLast() { return worker }
        if running < size {
            running += 1
            do { return try WarmWorker(executable: executable, environment: environment) } catch {
                running -= 1
                throw error
            }
        }
        return try await withCheckedThrowingContinuation { waiters.append($0) }
    }

    private func release(_ worker: WarmWorker) {
        if waiters.isEmpty { idle.append(worker) } else { waiters.removeFirst().resume(returning: worker) }
    }

    private func replace(_ worker: WarmWorker) {
        worker.terminate()
        running -= 1
        guard !waiters.isEmpty else { return }
        running += 1
        do {
            release(try WarmWorker(executable: executable, environment: environment))
        } catch {
            running -= 1
            waiters.removeFirst().resume(throwing: error)
        }
    }

    func shutdown() {
        for worker in idle { worker.terminate() }
        idle.removeAll()
    }
}
