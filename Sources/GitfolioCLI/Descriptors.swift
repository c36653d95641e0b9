#if canImport(Glibc)
import Glibc
#endif

/// The process's file descriptors: closing what it inherited, and how many it may still open.
///
/// `gitfolio serve` starts function processes with Foundation's `Process`, which on Linux closes every
/// descriptor above 2 in the child one by one. glibc refuses to close a descriptor numbered at or past
/// the soft limit (`posix_spawn_file_actions_addclose`: EBADF), so a single inherited descriptor past
/// the limit made every start fail; inherited descriptors below it count against the reserve the
/// connection cap keeps for everything but connections.
public enum Descriptors {
    /// Closes the descriptors above 2 that the process inherited, except sockets, and moves a socket
    /// numbered at or past the soft limit below it. Only for the very start of the process, before
    /// anything of its own is open (the runtime opens its event descriptors lazily, on the first
    /// `await`): everything above 2 then was inherited (a test runner's pipes, a shell's redirections).
    ///
    /// Sockets stay: a parent on Foundation's `Process` (the test runner, for one) gives its child one
    /// end of a socket pair and learns that the child exited when that end closes, then waits for it
    /// with a blocking `waitpid` on the thread that watches all its children. Closing that end made the
    /// parent wait for serve there at once, and every other child of it go unreaped until serve
    /// exited: the whole suite stalled. Returns how many it closed.
    @discardableResult
    public static func closeInherited() -> Int {
        let inherited: [Int32]
        if let open = openNow() {
            inherited = open.filter { $0 > 2 }
        } else {
            // No /proc: every number up to the limit (closing one that is not open does nothing).
            inherited = Array(3..<Int32(min(getdtablesize(), 65_536)))
        }
        let limit = getdtablesize()
        var closed = 0
        for fd in inherited {
            var status = stat()
            guard fstat(fd, &status) == 0 else { continue }
            if status.st_mode & S_IFMT == S_IFSOCK {
                if fd >= limit, fcntl(fd, F_DUPFD, 3) >= 0 { close(fd) }
                continue
            }
            if close(fd) == 0 { closed += 1 }
        }
        return closed
    }

    /// The descriptors open now (from `/proc/self/fd`), or nil where that cannot be read.
    static func openNow() -> [Int32]? {
        guard let directory = opendir("/proc/self/fd") else { return nil }
        defer { closedir(directory) }
        let own = dirfd(directory)
        var result: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd != own { result.append(fd) }
        }
        return result
    }

    /// How many more descriptors the process may open now (the soft limit less those open), or nil
    /// when that cannot be told.
    static func available() -> Int? {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,
              let open = openNow() else { return nil }
        return Int(clamping: limit.rlim_cur) - open.count
    }
}
