import Foundation

/// What a long-lived builder (the follower beside a CGI runner, `serve`, the hub benchmark) keeps between
/// catch-ups: the site's inputs, the hub's list order and the journal, each with the stamp (inode, size,
/// modification time) of the files it was read from. A catch-up stats the files and reads again only
/// what changed on disk — so a template edited while the follower runs is picked up, and another
/// process's build (a cron `build --changes`) invalidates what it rewrote. Copies of a builder share it.
final class BuildCache: @unchecked Sendable {
    struct Stamp: Equatable {
        var entries: [String: [Int]]
        init(_ paths: [String]) {
            var entries: [String: [Int]] = [:]
            for path in paths {
                var info = stat()
                entries[path] = stat(path, &info) == 0
                    ? [Int(info.st_ino), Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec)]
                    : []
            }
            self.entries = entries
        }
    }

    private let lock = NSLock()
    private var values: [String: (stamp: Stamp, value: Any)] = [:]

    /// The value read by `load` from `paths`, or the one kept from an earlier call while none of the
    /// files changed.
    func value<T>(_ key: String, paths: [String], load: () throws -> T) rethrows -> T {
        let stamp = Stamp(paths)
        if let kept = lock.withLock({ values[key] }), kept.stamp == stamp, let value = kept.value as? T { return value }
        let value = try load()
        lock.withLock { values[key] = (stamp, value) }
        return value
    }

    /// Keeps `value` as what `paths` now hold (after this process wrote them).
    func store<T>(_ key: String, paths: [String], _ value: T) {
        let stamp = Stamp(paths)
        lock.withLock { values[key] = (stamp, value) }
    }

    /// Every regular file under `directories`, for a stamp of a tree (the site's templates and strings).
    static func files(under directories: [URL]) -> [String] {
        var paths: [String] = []
        for directory in directories {
            guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { continue }
            for case let url as URL in walker { paths.append(url.path) }
        }
        return paths.sorted()
    }
}
