import Foundation

/// Child processes are started one at a time in a Gitfolio process (serve's warm pools, the git
/// analysis, the test runner).
///
/// On Linux, Foundation's `Process` gives each child one end of a socket pair that is not
/// close-on-exec, and learns that the child exited only when every copy of that end is closed. A start
/// closes the parent's other descriptors in the child, but lists them from `/proc/self/fd` before it
/// spawns: a socket pair that a start on another thread makes in between is inherited by this child,
/// and the other child's exit goes unseen (its `waitUntilExit` blocks, its zombie stays) until this
/// child exits too. In the test runner that held the whole suite for good: a `git` run waited on a
/// `gitfolio serve` started in the same instant, whose test could stop it only after the blocked
/// threads moved on. Starting one at a time leaves no other socket pair in flight during a spawn.
///
/// Foundation's `Pipe` is not close-on-exec either, so a pipe made while another thread starts a child
/// is inherited the same way (and the reader of its output waits for that child's end too): pipes for a
/// child come from `pipe()`, made close-on-exec while no start is under way. (A start gives the child
/// its own ends with `dup2`, which clears the flag on the copy.)
public enum ChildProcesses {
    private static let lock = NSLock()

    /// Runs `start` (a `Process.run()`, a `posix_spawn`) while no other start in this process is under way.
    public static func starting<T>(_ start: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try start()
    }

    /// A `Pipe` whose two ends are close-on-exec, made while no start is under way.
    public static func pipe() -> Pipe {
        starting {
            let pipe = Pipe()
            for fd in [pipe.fileHandleForReading.fileDescriptor, pipe.fileHandleForWriting.fileDescriptor] {
                _ = fcntl(fd, F_SETFD, fcntl(fd, F_GETFD) | FD_CLOEXEC)
            }
            return pipe
        }
    }
}

extension Process {
    /// `run()`, one start at a time (see `ChildProcesses`).
    public func runAlone() throws {
        try ChildProcesses.starting { try run() }
    }
}
