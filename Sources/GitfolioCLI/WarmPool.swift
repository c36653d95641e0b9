import Foundation
import GitfolioCore
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

#if canImport(Glibc)
import Glibc
#endif

/// One function process in warm mode: an event line in, a response line out, in order. Its pipes
/// are non-blocking NIO channels, so waiting for an answer holds no thread.
final class WarmWorker: Sendable {
    let process: Process
    private let channel: any Channel
    private let lines: LineExchange

    private init(process: Process, channel: any Channel, lines: LineExchange) {
        self.process = process
        self.channel = channel
        self.lines = lines
    }

    static func start(executable: URL, environment: [String: String], maxLineBytes: Int,
                      group: any EventLoopGroup) async throws -> WarmWorker {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--warm"]
        process.environment = environment
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.run()
        // NIO takes its own copies of our ends; Foundation's are closed at once.
        let input = dup(stdout.fileHandleForReading.fileDescriptor)
        let output = dup(stdin.fileHandleForWriting.fileDescriptor)
        try? stdout.fileHandleForReading.close()
        try? stdin.fileHandleForWriting.close()
        let lines = LineExchange(maxLineBytes: maxLineBytes)
        do {
            let channel = try await NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(lines) }
                }
                .takingOwnershipOfDescriptors(input: input, output: output).get()
            return WarmWorker(process: process, channel: channel, lines: lines)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Sends one event and waits for its response line; nil when the process died or answered
    /// a line over the limit.
    func exchange(_ event: [UInt8]) async -> [UInt8]? {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        let lines = self.lines, channel = self.channel
        channel.eventLoop.execute { lines.send(event, promise: promise, channel: channel) }
        return try? await promise.futureResult.get()
    }

    func terminate() {
        if process.isRunning { process.terminate() }
        channel.close(promise: nil)
    }
}

/// The handler on a worker's pipes: writes events, matches each response line to the oldest
/// waiting event, and fails every waiting event when the process goes away.
final class LineExchange: ChannelInboundHandler, @unchecked Sendable {
    // @unchecked: every member is used only on the channel's event loop.
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let maxLineBytes: Int
    private var buffer = ByteBuffer()
    private var waiting = CircularBuffer<EventLoopPromise<[UInt8]>>()
    private var open = true

    init(maxLineBytes: Int) { self.maxLineBytes = maxLineBytes }

    struct Gone: Error {}

    func send(_ event: [UInt8], promise: EventLoopPromise<[UInt8]>, channel: any Channel) {
        guard open else { promise.fail(Gone()); return }
        waiting.append(promise)
        var out = channel.allocator.buffer(capacity: event.count + 1)
        out.writeBytes(event)
        out.writeInteger(UInt8(ascii: "\n"))
        channel.writeAndFlush(out, promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        while let newline = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer.readBytes(length: newline - buffer.readerIndex) ?? []
            buffer.moveReaderIndex(forwardBy: 1)
            if let promise = waiting.popFirst() { promise.succeed(line) }
        }
        if buffer.readableBytes > maxLineBytes {
            failAll()
            context.close(promise: nil)
        }
        buffer.discardReadBytes()
    }

    func channelInactive(context: ChannelHandlerContext) {
        failAll()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failAll()
        context.close(promise: nil)
    }

    private func failAll() {
        open = false
        while let promise = waiting.popFirst() { promise.fail(Gone()) }
    }
}

/// A small pool of warm processes for one function; a process that dies is replaced.
final class FunctionPool: Sendable {
    let name: String
    let executable: URL
    let environment: [String: String]
    let size: Int
    private let maxLineBytes: Int
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let log = Log(label: "serve")

    private struct State {
        var idle: [WarmWorker] = []
        var running = 0
        var waiters: [CheckedContinuation<WarmWorker?, Never>] = []
    }

    init(name: String, executable: URL, environment: [String: String], size: Int, maxLineBytes: Int,
         group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.name = name
        self.executable = executable
        self.environment = environment
        self.size = max(1, size)
        self.maxLineBytes = maxLineBytes
        self.group = group
    }

    /// Runs one event through a warm process of this function: its response line, or why not.
    func call(_ event: [UInt8]) async -> Result<[UInt8], FunctionPoolError> {
        guard let worker = await acquire() else { return .failure(.unavailable) }
        guard let line = await worker.exchange(event) else {
            log.error("\(name) worker (pid \(worker.process.processIdentifier)) died or answered garbage; restarting it")
            await replace(worker)
            return .failure(.crashed)
        }
        release(worker)
        return .success(line)
    }

    private enum Next { case worker(WarmWorker), start, wait }

    private func acquire() async -> WarmWorker? {
        let next: Next = state.withLockedValue { state in
            if let worker = state.idle.popLast() { return .worker(worker) }
            if state.running < size { state.running += 1; return .start }
            return .wait
        }
        switch next {
        case .worker(let worker): return worker
        case .start: return await startWorker()
        case .wait:
            return await withCheckedContinuation { continuation in
                let ready: WarmWorker?? = state.withLockedValue { state in
                    // A worker may have come back between the two locks.
                    if let worker = state.idle.popLast() { return .some(worker) }
                    state.waiters.append(continuation)
                    return .none
                }
                if case .some(let worker) = ready { continuation.resume(returning: worker) }
            }
        }
    }

    private func startWorker() async -> WarmWorker? {
        do {
            return try await WarmWorker.start(executable: executable, environment: environment, maxLineBytes: maxLineBytes, group: group)
        } catch {
            log.error("\(name) could not be started: \(error)")
            let waiter: CheckedContinuation<WarmWorker?, Never>? = state.withLockedValue { state in
                state.running -= 1
                return state.waiters.isEmpty ? nil : state.waiters.removeFirst()
            }
            waiter?.resume(returning: nil)
            return nil
        }
    }

    private func release(_ worker: WarmWorker) {
        let waiter: CheckedContinuation<WarmWorker?, Never>? = state.withLockedValue { state in
            if state.waiters.isEmpty { state.idle.append(worker); return nil }
            return state.waiters.removeFirst()
        }
        waiter?.resume(returning: worker)
    }

    private func replace(_ worker: WarmWorker) async {
        worker.terminate()
        let restart: Bool = state.withLockedValue { state in
            if state.waiters.isEmpty { state.running -= 1; return false }
            return true
        }
        guard restart, let fresh = await startWorker() else { return }
        release(fresh)
    }

    func shutdown() {
        let idle = state.withLockedValue { state in
            defer { state.idle.removeAll() }
            return state.idle
        }
        for worker in idle { worker.terminate() }
    }
}

enum FunctionPoolError: Error { case unavailable, crashed }
