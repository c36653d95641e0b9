import CSQLite

/// The little of SQLite's C API the session function needs: one connection, prepared statements.
/// Everything else goes through GRDB (GitfolioStore); this exists because GRDB links Foundation.
public final class SQLiteConnection {
    public struct Failure: Error, CustomStringConvertible {
        public var code: Int32
        public var message: String
        public var description: String { "SQLite error \(code): \(message)" }
    }

    let handle: OpaquePointer

    /// Opens an existing database file for reading and writing (never creates one), waiting up to
    /// `busyTimeout` milliseconds for locks, as the store's connections do.
    public init(path: String, busyTimeout: Int32 = 5000) throws(Failure) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close(db)
            throw Failure(code: rc, message: message)
        }
        handle = db
        sqlite3_busy_timeout(db, busyTimeout)
    }

    deinit { sqlite3_close_v2(handle) }

    public func prepare(_ sql: String) throws(Failure) -> SQLiteStatement {
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(rc) }
        return SQLiteStatement(connection: self, handle: statement)
    }

    func failure(_ rc: Int32) -> Failure { Failure(code: rc, message: String(cString: sqlite3_errmsg(handle))) }
}

public final class SQLiteStatement {
    let connection: SQLiteConnection
    let handle: OpaquePointer

    init(connection: SQLiteConnection, handle: OpaquePointer) {
        self.connection = connection
        self.handle = handle
    }

    deinit { sqlite3_finalize(handle) }

    public enum Value { case text(String), integer(Int64) }

    /// Runs the statement with `arguments` and returns its rows; each row is read by `row`.
    /// The statement is reset afterwards, so it can run again.
    public func rows<T>(_ arguments: [Value], _ row: (SQLiteRow) -> T) throws(SQLiteConnection.Failure) -> [T] {
        defer {
            sqlite3_reset(handle)
            sqlite3_clear_bindings(handle)
        }
        for (i, argument) in arguments.enumerated() {
            let rc: Int32
            switch argument {
            // SQLITE_TRANSIENT: SQLite copies the text.
            case .text(let s): rc = sqlite3_bind_text(handle, Int32(i + 1), s, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            case .integer(let n): rc = sqlite3_bind_int64(handle, Int32(i + 1), n)
            }
            guard rc == SQLITE_OK else { throw connection.failure(rc) }
        }
        var result: [T] = []
        while true {
            let rc = sqlite3_step(handle)
            if rc == SQLITE_DONE { return result }
            guard rc == SQLITE_ROW else { throw connection.failure(rc) }
            result.append(row(SQLiteRow(handle: handle)))
        }
    }
}

/// The current row of a statement; valid only inside the `rows` callback.
public struct SQLiteRow {
    let handle: OpaquePointer

    public func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    public func text(_ column: Int32) -> String? {
        guard let text = sqlite3_column_text(handle, column) else { return nil }
        return String(cString: text)
    }
}
