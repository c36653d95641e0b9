import NIOCore
import NIOPosix

/// A task executor on one NIO event-loop thread of its own. Responders given one
/// (`HTTPServerConfiguration.responderExecutor`) run there instead of on Swift's shared
/// cooperative pool, so they answer even while other work keeps that pool busy (a test process
/// whose tests block its two threads, with fake servers in the same process).
@available(macOS 15.0, *)
public final class EventLoopExecutor: TaskExecutor {
    private let group: MultiThreadedEventLoopGroup
    private let loop: any EventLoop

    public init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        loop = group.next()
    }

    public func enqueue(_ job: UnownedJob) {
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
