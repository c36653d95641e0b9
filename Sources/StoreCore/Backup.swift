import CSQLite
import FunctionCore

#if canImport(Glibc)
import Glibc
#endif

/// Backups of the one SQLite file, taken and restored with SQLite's online backup API
/// (`sqlite3_backup_*`), never by copying the file: a copy of a WAL database taken while a function
/// writes can miss the committed pages that are still in `-wal`, or catch a page half-written.
///
/// - `take` reads one consistent snapshot of the live file (a read transaction held on the source
///   for the whole copy; in WAL mode that blocks no writer) and copies it page by page into a new
///   file next to the destination, which is checked (`PRAGMA integrity_check`) and then renamed into
///   place: a backup file is complete or absent.
/// - `restore` checks the backup first (integrity, Gitfolio's schema, not newer than this build) and
///   copies it into the database through the same API, holding the write lock while it does, so
///   processes that have the file open see the old content or the new one, never a mixture (unlike
///   replacing the file under them, which would leave their `-wal` and `-shm` describing another file).
///
/// Both retry a step that finds the file busy or locked (a writer holds the lock; a checkpoint runs),
/// step by step, for up to `patience` seconds in all.
public enum Backup {
    public struct Report: Sendable {
        /// Pages copied and the page size.
        public var pages: Int
        public var pageSize: Int
        /// Steps that found the file busy and were tried again.
        public var busyRetries: Int
        public var bytes: Int { pages * pageSize }
    }

    /// Per-table row counts and a SHA-256 of every row in rowid order (tables without rowid: in
    /// primary-key order): two files with equal summaries hold the same data.
    public struct TableSummary: Sendable, Equatable, CustomStringConvertible {
        public var table: String
        public var rows: Int
        public var sha256: String
        public var description: String { "\(table): \(rows) rows, sha256 \(sha256.prefix(16))" }
    }

    /// Copies the database at `source` into a new file at `destination` (which must not exist).
    public static func take(from source: String, to destination: String, pagesPerStep: Int32 = 256,
                            patience: Double = 60) throws(StoreError) -> Report {
        guard access(destination, F_OK) != 0 else {
            throw .database(DatabaseFailure(kind: .other, message: "the backup file already exists; choose another name", path: destination))
        }
        var info = stat()
        guard stat(source, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else {
            throw .database(DatabaseFailure(kind: .missing, message: "no database file to back up", path: source))
        }
        let from = try SQLiteConnection(path: source, flags: SQLITE_OPEN_READWRITE)
        sqlite3_busy_timeout(from.handle, Database.busyTimeoutMilliseconds)
        let partial = destination + ".partial-\(getpid())"
        unlink(partial)
        do {
            let report: Report
            do {
                let to = try SQLiteConnection(path: partial, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                chmod(partial, 0o600)  // sessions, tokens (encrypted) and members' data: the operator's only
                // One snapshot: the read transaction stays open until the last page is copied, so
                // writers of other processes (who keep writing to the WAL) never make the copy restart.
                try from.execute("BEGIN")
                defer { try? from.execute("COMMIT") }
                _ = try from.integer("SELECT count(*) FROM sqlite_master")
                report = try copy(from: from, to: to, pagesPerStep: pagesPerStep, patience: patience)
                try to.executeScript("PRAGMA journal_mode = DELETE")
                let check = try to.text("PRAGMA integrity_check") ?? ""
                guard check == "ok" else {
                    throw StoreError.database(DatabaseFailure(kind: .corrupt, message: "the copy failed its integrity check: \(check.prefix(200))", path: partial))
                }
            }
            try syncFile(partial)
            guard rename(partial, destination) == 0 else {
                throw StoreError.database(DatabaseFailure(kind: .readOnly, message: "cannot rename the finished copy into place", path: destination))
            }
            return report
        } catch {
            unlink(partial)
            unlink(partial + "-journal")
            throw error as! StoreError  // every throw above is a StoreError
        }
    }

    /// Checks a backup file: SQLite's integrity check, Gitfolio's schema, and not newer than this
    /// build. Returns its summary.
    public static func verify(_ path: String) throws(StoreError) -> [TableSummary] {
        var info = stat()
        guard stat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_size > 0 else {
            throw .database(DatabaseFailure(kind: .missing, message: "no backup file (or an empty one)", path: path))
        }
        let connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        let check = try connection.text("PRAGMA integrity_check") ?? ""
        guard check == "ok" else {
            throw .database(DatabaseFailure(kind: .corrupt, message: "the backup fails its integrity check: \(check.prefix(300))", path: path))
        }
        let tables = Set(try connection.rows("SELECT name FROM sqlite_master WHERE type = 'table'").map { $0.text("name") })
        guard tables.contains("schema_migrations"), tables.contains("member") else {
            throw .database(DatabaseFailure(kind: .foreign, message: "an SQLite database, but not a Gitfolio backup", path: path))
        }
        let version = try connection.integer("PRAGMA user_version") ?? 0
        guard version <= Int64(Schema.migrations.count) else {
            throw .database(DatabaseFailure(kind: .tooNew,
                message: "made by a newer Gitfolio (schema \(version), this build knows \(Schema.migrations.count))", path: path))
        }
        return try summary(connection)
    }

    /// Copies the backup at `backup` over the database at `destination`: a new file when there is
    /// none; over an existing one only with `overwrite` (it may be in use: the copy takes its write
    /// lock, waiting for the writer of the moment). The backup is verified first.
    public static func restore(from backup: String, to destination: String, overwrite: Bool,
                               pagesPerStep: Int32 = 256, patience: Double = 60) throws(StoreError) -> Report {
        _ = try verify(backup)
        var info = stat()
        let exists = stat(destination, &info) == 0
        if exists && !overwrite {
            throw .database(DatabaseFailure(kind: .other,
                message: "a database is already there (it may be in use); pass --force to overwrite it with the backup", path: destination))
        }
        let from = try SQLiteConnection(path: backup, flags: SQLITE_OPEN_READONLY)
        if !exists {
            // A new file: written beside the destination, then renamed into place (in WAL mode, as
            // every Gitfolio file).
            let partial = destination + ".partial-\(getpid())"
            unlink(partial)
            do {
                let report: Report
                do {
                    let to = try SQLiteConnection(path: partial, flags: SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE)
                    chmod(partial, 0o600)
                    report = try copy(from: from, to: to, pagesPerStep: pagesPerStep, patience: patience)
                    guard try to.text("PRAGMA journal_mode = WAL") == "wal" else {
                        throw StoreError.database(DatabaseFailure(kind: .other, message: "could not turn on WAL mode", path: partial))
                    }
                }
                try syncFile(partial)
                guard rename(partial, destination) == 0 else {
                    throw StoreError.database(DatabaseFailure(kind: .readOnly, message: "cannot rename the restored file into place", path: destination))
                }
                return report
            } catch {
                for suffix in ["", "-wal", "-shm", "-journal"] { unlink(partial + suffix) }
                throw error as! StoreError
            }
        }
        let to = try SQLiteConnection(path: destination, flags: SQLITE_OPEN_READWRITE)
        sqlite3_busy_timeout(to.handle, Database.busyTimeoutMilliseconds)
        let report = try copy(from: from, to: to, pagesPerStep: pagesPerStep, patience: patience)
        let check = try to.text("PRAGMA integrity_check") ?? ""
        guard check == "ok" else {
            throw .database(DatabaseFailure(kind: .corrupt, message: "the restored database fails its integrity check: \(check.prefix(200))", path: destination))
        }
        return report
    }

    /// The summary of the database at `path` (opened read-only).
    public static func summary(of path: String) throws(StoreError) -> [TableSummary] {
        let connection = try SQLiteConnection(path: path, flags: SQLITE_OPEN_READONLY)
        sqlite3_busy_timeout(connection.handle, Database.busyTimeoutMilliseconds)
        try connection.execute("BEGIN")
        defer { try? connection.execute("COMMIT") }
        return try summary(connection)
    }

    static func summary(_ connection: SQLiteConnection) throws(StoreError) -> [TableSummary] {
        let tables = try connection.rows(
            "SELECT name, sql LIKE '%WITHOUT ROWID%' AS without FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        var out: [TableSummary] = []
        for table in tables {
            let name = table.text("name")
            let quoted = "\"" + name.replacingAll("\"", with: "\"\"") + "\""
            // A table without rowid is ordered by every column (its primary key is among them).
            let count = Int(try connection.integer("SELECT count(*) FROM \(quoted)") ?? 0)
            let order: String
            if table.bool("without") {
                let columns = try connection.rows("SELECT name FROM pragma_table_info(?)", [name]).map { $0.text("name") }
                order = (1...max(columns.count, 1)).map(String.init).joined(separator: ", ")
            } else {
                order = "rowid"
            }
            var bytes: [UInt8] = []
            for row in try connection.rows("SELECT * FROM \(quoted) ORDER BY \(order)") {
                for value in row.values {
                    switch value {
                    case .null: bytes += [0]
                    case .integer(let n): bytes += [1] + Array(String(n).utf8)
                    case .real(let d): bytes += [2] + Array("\(d)".utf8)
                    case .text(let s): bytes += [3] + Array(String(s.utf8.count).utf8) + [0x3A] + Array(s.utf8)
                    case .blob(let b): bytes += [4] + Array(String(b.count).utf8) + [0x3A] + b
                    }
                }
                bytes.append(0x0A)
            }
            out.append(TableSummary(table: name, rows: count, sha256: SHA256Digest.hex(bytes)))
        }
        return out
    }

    /// The page copy itself: steps of `pagesPerStep`; a step that finds either file busy or locked
    /// waits a little and is tried again.
    static func copy(from: SQLiteConnection, to: SQLiteConnection, pagesPerStep: Int32, patience: Double) throws(StoreError) -> Report {
        guard let backup = sqlite3_backup_init(to.handle, "main", from.handle, "main") else {
            throw to.failure(sqlite3_errcode(to.handle))
        }
        var retries = 0
        var waited = 0.0
        while true {
            let rc = sqlite3_backup_step(backup, pagesPerStep)
            if rc == SQLITE_DONE { break }
            if rc == SQLITE_OK { continue }
            let primary = rc & 0xFF
            if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) && waited < patience {
                retries += 1
                waited += 0.05
                usleep(50_000)
                continue
            }
            sqlite3_backup_finish(backup)
            throw StoreError.database(DatabaseFailure(code: rc, message: String(cString: sqlite3_errstr(rc)), path: to.path))
        }
        let report = Report(pages: Int(sqlite3_backup_pagecount(backup)), pageSize: Int(try from.integer("PRAGMA page_size") ?? 0),
                            busyRetries: retries)
        let rc = sqlite3_backup_finish(backup)
        guard rc == SQLITE_OK else { throw to.failure(rc) }
        return report
    }

    /// fsync, so that the rename publishes a file whose content is on disk.
    static func syncFile(_ path: String) throws(StoreError) {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .database(DatabaseFailure(kind: .readOnly, message: "cannot open the copy to sync it", path: path)) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw .database(DatabaseFailure(kind: .full, message: "cannot sync the copy to disk", path: path)) }
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
