import CSQLite
import Foundation
@testable import StoreCore

/// A deterministic race between connections to one SQLite file, without sleeps.
///
/// A third connection holds the write lock; each racing connection gets a busy handler that says
/// when it starts waiting for a lock. Once every racer waits, the holder lets go, and the racers
/// proceed in whatever order SQLite grants the lock. A store operation that reads and then writes
/// outside one write transaction has by then read what the other racer is about to change, so a
/// non-atomic version loses an update every time, not in six runs of fifteen.
final class LockBarrier: @unchecked Sendable {
    private let waiting = DispatchSemaphore(value: 0)
    private let release = DispatchSemaphore(value: 0)
    private let holding = DispatchSemaphore(value: 0)
    private let holderDone = DispatchSemaphore(value: 0)
    private var signals: [Signal] = []

    /// Called by SQLite on each retry of a busy lock: signals on the first, then waits 1 ms a try,
    /// up to the store's busy timeout.
    final class Signal {
        let barrier: LockBarrier
        init(_ barrier: LockBarrier) { self.barrier = barrier }
    }

    /// Takes the write lock on `path` from a connection of its own, until `release()`.
    init(holding path: String) throws {
        let holder = try Database(path: path)
        let holding = self.holding, release = self.release, done = self.holderDone
        Thread {
            try? holder.write { _ in
                holding.signal()
                release.wait()
            }
            done.signal()
        }.start()
        holding.wait()
    }

    /// Makes `database` report its waits for a lock to this barrier.
    func watch(_ database: Database) throws {
        let signal = Signal(self)
        signals.append(signal)
        try database.statement { connection in
            sqlite3_busy_handler(connection.handle, { context, tries in
                let signal = Unmanaged<Signal>.fromOpaque(context!).takeUnretainedValue()
                if tries == 0 { signal.barrier.waiting.signal() }
                guard tries < Database.busyTimeoutMilliseconds else { return 0 }
                usleep(1000)
                return 1
            }, Unmanaged.passUnretained(signal).toOpaque())
        }
    }

    /// Runs each racer on its own thread, lets the lock go once all of them wait for it, and
    /// returns their results in order. Throws if a racer never came to wait within 20 s.
    func race<T: Sendable>(_ racers: [@Sendable () throws -> T]) throws -> [Result<T, any Error>] {
        let results = Results<T>(count: racers.count)
        let finished = DispatchSemaphore(value: 0)
        for (i, racer) in racers.enumerated() {
            Thread {
                results.set(i, Result { try racer() })
                finished.signal()
            }.start()
        }
        var arrived = 0
        for _ in racers where waiting.wait(timeout: .now() + 20) == .success { arrived += 1 }
        release.signal()
        holderDone.wait()
        for _ in racers { finished.wait() }
        guard arrived == racers.count else { throw Stalled(arrived: arrived) }
        return results.all
    }

    struct Stalled: Error { var arrived: Int }

    final class Results<T>: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [Result<T, any Error>?]
        init(count: Int) { values = Array(repeating: nil, count: count) }
        func set(_ i: Int, _ value: Result<T, any Error>) { lock.withLock { values[i] = value } }
        var all: [Result<T, any Error>] { lock.withLock { values.map { $0! } } }
    }
}
