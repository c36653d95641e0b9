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

    var eventLoop: any EventLoop { channel.eventLoop }

    private init(process: Process, channel: any Channel, lines: LineExchange) {
        self.process = process
        self.channel = channel
        self.lines = lines
    }

    /// Descriptors a start needs free: its two pipes and Foundation's socket pair while it starts
    /// (six), with room for connections accepted meanwhile.
    static let descriptorsToStart = 16

    struct OutOfDescriptors: Error, CustomStringConvertible {
        let available: Int
        var description: String { "too few file descriptors left to start a process (\(available) free)" }
    }

    /// Starts the process and wraps its pipes; blocks while the process starts, so call it off the event loops.
    /// Throws, never traps, when descriptors run out: before starting (too few free; Foundation's `Process`
    /// does not check its own socket pair), and when a copy of a pipe's end cannot be made.
    static func start(executable: URL, environment: [String: String], maxLineBytes: Int,
                      group: any EventLoopGroup) throws -> WarmWorker {
        if let available = Descriptors.available(), available < descriptorsToStart {
            throw OutOfDescriptors(available: available)
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = ["--warm"]
        process.environment = environment
        let stdin = ChildProcesses.pipe(), stdout = ChildProcesses.pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.standardError
        try process.runAlone()
        // NIO takes its own copies of our ends; Foundation's are closed at once. The copies are
        // close-on-exec like the originals (see ChildProcesses): made outside its lock, a plain `dup`
        // could be inherited by a worker another pool starts at that moment.
        let input = fcntl(stdout.fileHandleForReading.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        let output = fcntl(stdin.fileHandleForWriting.fileDescriptor, F_DUPFD_CLOEXEC, 0)
        try? stdout.fileHandleForReading.close()
        try? stdin.fileHandleForWriting.close()
        guard input >= 0, output >= 0 else {
            // NIO traps on a negative descriptor: refuse here instead.
            if input >= 0 { close(input) }
            if output >= 0 { close(output) }
            process.terminate()
            throw OutOfDescriptors(available: 0)
        }
        let lines = LineExchange(maxLineBytes: maxLineBytes)
        do {
            let channel = try NIOPipeBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(lines) }
                }
                .takingOwnershipOfDescriptors(input: input, output: output).wait()
            return WarmWorker(process: process, channel: channel, lines: lines)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Sends one event; `answer` gets its response line, or nil when the process died or answered
    /// a line over the limit. `answer` runs on the worker's event loop.
    func exchange(_ event: [UInt8], answer: @escaping @Sendable ([UInt8]?) -> Void) {
        let promise = channel.eventLoop.makePromise(of: [UInt8].self)
        promise.futureResult.whenComplete { answer(try? $0.get()) }
        let lines = self.lines, channel = self.channel
        if channel.eventLoop.inEventLoop {
            lines.send(event, promise: promise, channel: channel)
        } else {
            channel.eventLoop.execute { lines.send(event, promise: promise, channel: channel) }
        }
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
            guard let promise = waiting.popFirst() else {
                // A line nobody asked for: the process writes something besides its answers.
                failAll()
                context.close(promise: nil)
                return
            }
            promise.succeed(line)
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

/// A small pool of warm processes for one function. A request goes to an idle process, else
/// starts one (up to `size`), else joins the line of a process whose recent answers came within
/// `quick` (at most `maxInLine` events each: a warm process answers its events in order), else
/// waits for the first process to be free. A process that dies fails its events and is replaced.
/// All of it runs on event loops and one lock, with no task or thread per request.
final class FunctionPool: Sendable {
    let name: String
    let executable: URL
    let environment: [String: String]
    let size: Int
    private let maxLineBytes: Int
    private let group: any EventLoopGroup
    private let state = NIOLockedValueBox(State())
    private let log = Log(label: "serve")

    /// Events one process may hold at once, and how fast its answers must have been for it to get more than one.
    static let maxInLine = 8
    static let quick: Double = 0.005

    typealias Completion = @Sendable (Result<[UInt8], FunctionPoolError>) -> Void
    private typealias Waiting = (event: [UInt8], completion: Completion)

    private struct State {
        var workers: [WarmWorker] = []
        /// Per process: events sent and not answered, and a moving average of its answers' seconds.
        var inFlight: [ObjectIdentifier: Int] = [:]
        var seconds: [ObjectIdentifier: Double] = [:]
        var starting = 0
        var waiting = CircularBuffer<Waiting>()

        /// The process to send an event to now, if any may take it: an idle one (on `loop` first,
        /// so the answer needs no hop to another thread), else, unless a process is starting, the
        /// least busy quick one.
        mutating func pick(on loop: (any EventLoop)?, pipelining: Bool) -> WarmWorker? {
            func take(_ worker: WarmWorker) -> WarmWorker {
                inFlight[ObjectIdentifier(worker)]! += 1
                return worker
            }
            let idle = workers.filter { inFlight[ObjectIdentifier($0)]! == 0 }
            if let worker = idle.first(where: { $0.eventLoop === loop }) ?? idle.first { return take(worker) }
            guard pipelining, starting == 0 else { return nil }
            let open = workers.filter {
                inFlight[ObjectIdentifier($0)]! < FunctionPool.maxInLine && seconds[ObjectIdentifier($0)]! < FunctionPool.quick
            }
            let least = open.min { inFlight[ObjectIdentifier($0)]! < inFlight[ObjectIdentifier($1)]! }
            if let worker = open.first(where: { $0.eventLoop === loop && inFlight[ObjectIdentifier($0)]! <= inFlight[ObjectIdentifier(least!)]! + 1 })
                ?? least {
                return take(worker)
            }
            return nil
        }
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

    private enum Next { case worker(WarmWorker), start, wait }

    /// Runs one event through a warm process of this function; `completion` gets its response
    /// line, or why not, on some event loop.
    func call(_ event: [UInt8], completion: @escaping Completion) {
        let loop = MultiThreadedEventLoopGroup.currentEventLoop
        let next: Next = state.withLockedValue { state in
            if let worker = state.pick(on: loop, pipelining: false) { return .worker(worker) }
            if state.workers.count + state.starting < size { state.starting += 1; return .start }
            if let worker = state.pick(on: loop, pipelining: true) { return .worker(worker) }
            state.waiting.append((event, completion))
            return .wait
        }
        switch next {
        case .worker(let worker): dispatch(event, to: worker, completion: completion)
        case .start: startWorker(for: event, on: loop, completion: completion)
        case .wait: break
        }
    }

    private func dispatch(_ event: [UInt8], to worker: WarmWorker, completion: @escaping Completion) {
        let sent = NIODeadline.now()
        worker.exchange(event) { [self] line in
            // A line that is not a JSON object means the process wrote something else to stdout: its
            // answers could no longer be matched to their events, so it is replaced.
            guard let line, line.first == UInt8(ascii: "{"), line.last(where: { $0 != 13 }) == UInt8(ascii: "}") else {
                completion(.failure(.crashed))
                remove(worker)
                return
            }
            completion(.success(line))
            answered(worker, seconds: Double((NIODeadline.now() - sent).nanoseconds) / 1e9)
        }
    }

    /// A process answered: the next waiting event goes out if a process may take it.
    private func answered(_ worker: WarmWorker, seconds: Double) {
        let id = ObjectIdentifier(worker)
        let next: (Waiting, WarmWorker)? = state.withLockedValue { state in
            guard state.inFlight[id] != nil else { return nil }
            state.inFlight[id]! -= 1
            state.seconds[id] = state.seconds[id]! * 0.8 + seconds * 0.2
            // The least busy process takes the next waiting event, which may be another one.
            guard !state.waiting.isEmpty, let picked = state.pick(on: worker.eventLoop, pipelining: true) else { return nil }
            return (state.waiting.removeFirst(), picked)
        }
        if let (waiting, picked) = next { dispatch(waiting.event, to: picked, completion: waiting.completion) }
    }

    /// Starts a process (off the event loops: spawning blocks) with its pipes on `loop`, and gives it `event`.
    private func startWorker(for event: [UInt8], on loop: (any EventLoop)?, completion: @escaping Completion) {
        DispatchQueue.global().async { [self] in
            do {
                let worker = try WarmWorker.start(executable: executable, environment: environment, maxLineBytes: maxLineBytes,
                                                  group: loop ?? group.next())
                state.withLockedValue { state in
                    state.starting -= 1
                    state.workers.append(worker)
                    state.inFlight[ObjectIdentifier(worker)] = 1
                    state.seconds[ObjectIdentifier(worker)] = FunctionPool.quick  // not quick until it has answered quickly
                }
                dispatch(event, to: worker, completion: completion)
            } catch {
                log.error("\(name) could not be started: \(error)")
                // With no process left, nothing would ever take the waiting events: refuse them too.
                let refused: [Completion] = state.withLockedValue { state in
                    state.starting -= 1
                    guard state.workers.isEmpty && state.starting == 0 else { return [] }
                    defer { state.waiting.removeAll() }
                    return state.waiting.map(\.completion)
                }
                completion(.failure(.unavailable))
                for other in refused { other(.failure(.unavailable)) }
            }
        }
    }

    /// A process died (each of its events reports it): it leaves the pool once, and a new one
    /// starts if events are waiting.
    private func remove(_ worker: WarmWorker) {
        let (removed, next): (Bool, Waiting?) = state.withLockedValue { state in
            guard let index = state.workers.firstIndex(where: { $0 === worker }) else { return (false, nil) }
            state.workers.remove(at: index)
            state.inFlight[ObjectIdentifier(worker)] = nil
            state.seconds[ObjectIdentifier(worker)] = nil
            guard let next = state.waiting.popFirst() else { return (true, nil) }
            state.starting += 1
            return (true, next)
        }
        guard removed else { return }
        log.error("\(name) worker (pid \(worker.process.processIdentifier)) died or answered garbage; restarting it")
        worker.terminate()
        if let next { startWorker(for: next.event, on: nil, completion: next.completion) }
    }

    func shutdown() {
        let workers = state.withLockedValue { state in
            defer { state.workers.removeAll() }
            return state.workers
        }
        for worker in workers { worker.terminate() }
    }
}

enum FunctionPoolError: Error { case unavailable, crashed }
