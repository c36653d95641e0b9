import CSQLite
import FunctionCore

#if canImport(Glibc)
import Glibc
#endif

/// Gitfolio's SQLite file: one connection, its checks, its migrations and its transactions.
///
/// Every process (a function, `serve`, the site builder, the nightly batch) opens the file through
/// here. It is in WAL mode, so readers and the one writer of different processes do not block each
/// other; writes take the write lock at their start (`BEGIN IMMEDIATE`) and wait up to the busy
/// timeout for it, so a read-then-write can never fail half-way on a lock upgrade. Within a process
/// the connection is used by one caller at a time.
public final class Database: @unchecked Sendable {
    public let path: String
    private let connection: SQLiteConnection
    private var mutex = pthread_mutex_t()

    public static let busyTimeoutMilliseconds: Int32 = 5000

    public enum OpenMode: Sendable {
        /// The file must exist (a function: `gitfolio migrate` or `serve` made it).
        case existing
        /// Create the file (and its folder) if there is none (`serve`, `migrate`, tests).
        case createIfMissing
    }

    /// Opens the file and brings its schema up to date. Refuses, with a message for the operator, a
    /// missing file (unless creating), an empty file, a file that is not SQLite, an SQLite file that
    /// is not Gitfolio's, and one made by a newer Gitfolio.
    public init(path: String, mode: OpenMode = .existing, busyTimeout: Int32 = Database.busyTimeoutMilliseconds) throws(StoreError) {
        self.path = path
        var info = stat()
        if stat(path, &info) == 0 {
            guard (info.st_mode & S_IFMT) == S_IFREG else {
                throw .database(DatabaseFailure(kind: .notADatabase, message: "not a regular file", path: path))
            }
            guard info.st_size > 0 else {
                throw .database(DatabaseFailure(kind: .emptyFile,
                    message: "the file is empty; remove it to start a new database, or restore a backup", path: path))
            }
        } else {
            guard mode == .createIfMissing else {
                throw .database(DatabaseFailure(kind: .missing, message: "no database file; run `gitfolio migrate` first", path: path))
            }
            try Database.makeDirectories(for: path)
        }
        let flags = SQLITE_OPEN_READWRITE | (mode == .createIfMissing ? SQLITE_OPEN_CREATE : 0)
        connection = try SQLiteConnection(path: path, flags: flags)
        pthread_mutex_init(&mutex, nil)
        sqlite3_busy_timeout(connection.handle, busyTimeout)
        try connection.executeScript("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL")
        try migrate()
    }

    deinit { pthread_mutex_destroy(&mutex) }

    // MARK: Transactions

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    /// One consistent read (a deferred transaction).
    public func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try locked { try transaction("BEGIN", body) }
    }

    /// One statement on its own (SQLite runs it in its own implicit transaction, consistent by
    /// itself): no BEGIN and COMMIT around it. For the single-query reads on the hottest paths.
    public func statement<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try locked { try body(connection) }
    }

    /// One write transaction, holding the write lock from its start; rolled back if `body` throws.
    public func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T {
        try locked { try transaction("BEGIN IMMEDIATE", body) }
    }

    private func transaction<T>(_ begin: String, _ body: (SQLiteConnection) throws -> T) throws -> T {
        try connection.execute(begin)
        do {
            let result = try body(connection)
            try connection.execute("COMMIT")
            return result
        } catch {
            if connection.isInTransaction { try? connection.execute("ROLLBACK") }
            throw error
        }
    }

    // MARK: Migrations

    /// Applies the migrations this file lacks, in one write transaction. The schema version is kept
    /// in `PRAGMA user_version` (read from the file header, so an up-to-date file costs one read) and
    /// each applied migration in `schema_migrations`. Files made when the store used GRDB record
    /// their migrations in `grdb_migrations`; those records are carried over once.
    private func migrate() throws(StoreError) {
        do { try migrateSchema() } catch let error as StoreError { throw error } catch {
            throw .database(DatabaseFailure(kind: .other, message: "\(error)", path: path))
        }
    }

    private func migrateSchema() throws {
        let latest = Int64(Schema.migrations.count)
        let version = try connection.integer("PRAGMA user_version") ?? 0
        if version == latest { return }
        guard version < latest else {
            throw StoreError.database(DatabaseFailure(
                kind: .tooNew, message: "made by a newer Gitfolio (schema \(version), this build knows \(latest))", path: path))
        }
        if try connection.text("PRAGMA journal_mode") != "wal" {
            guard try connection.text("PRAGMA journal_mode = WAL") == "wal" else {
                throw StoreError.database(DatabaseFailure(kind: .other, message: "could not turn on WAL mode", path: path))
            }
        }
        try write { db in
            let tables = Set(try db.rows("SELECT name FROM sqlite_master WHERE type = 'table'").map { $0.text("name") })
            var applied: Set<String> = []
            if tables.contains("schema_migrations") {
                applied = Set(try db.rows("SELECT identifier FROM schema_migrations").map { $0.text("identifier") })
            } else {
                if tables.contains("grdb_migrations") {
                    applied = Set(try db.rows("SELECT identifier FROM grdb_migrations").map { $0.text("identifier") })
                } else if !tables.isEmpty {
                    throw StoreError.database(DatabaseFailure(kind: .foreign,
                        message: "an SQLite database, but not Gitfolio's (tables: \(tables.sorted().prefix(5).joined(separator: ", ")))",
                        path: path))
                }
                try db.executeScript("CREATE TABLE schema_migrations (identifier TEXT NOT NULL PRIMARY KEY, applied_at INTEGER NOT NULL)")
                for identifier in applied.sorted() {
                    try db.execute("INSERT INTO schema_migrations (identifier, applied_at) VALUES (?, 0)", [identifier])
                }
            }
            for (identifier, sql) in Schema.migrations where !applied.contains(identifier) {
                try db.executeScript(sql)
                try db.execute("INSERT INTO schema_migrations (identifier, applied_at) VALUES (?, CAST(strftime('%s') AS INTEGER))",
                               [identifier])
            }
            try db.executeScript("PRAGMA user_version = \(latest)")
        }
    }

    private static func makeDirectories(for path: String) throws(StoreError) {
        var folder = ""
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        for (i, part) in parts.enumerated() {
            folder += (i == 0 ? "" : "/") + part
            guard !folder.isEmpty else { continue }
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw .database(DatabaseFailure(kind: .readOnly, message: "cannot create the folder \(folder)", path: path))
            }
        }
    }

    /// `PRAGMA integrity_check`: "ok" for an intact file.
    public func integrityCheck() throws -> String {
        try read { try $0.text("PRAGMA integrity_check") ?? "" }
    }
}
