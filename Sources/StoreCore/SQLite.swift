import CSQLite

#if canImport(Glibc)
import Glibc
#endif

/// A value SQLite stores.
public enum SQLValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])
}

/// What can be bound to a statement's `?`.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension Double: SQLBindable { public var sqlValue: SQLValue { .real(self) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension [UInt8]: SQLBindable { public var sqlValue: SQLValue { .blob(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One result row, by column name or position.
public struct Row: Sendable {
    public let values: [SQLValue]
    let columns: [String: Int]

    public subscript(_ name: String) -> SQLValue {
        guard let i = columns[name] else { preconditionFailure("no column \(name) in this row") }
        return values[i]
    }

    public func int64(_ name: String) -> Int64 {
        switch self[name] {
        case .integer(let n): n
        case .real(let d): Int64(d)
        case .text(let s): Int64(s) ?? 0
        default: 0
        }
    }
    public func int(_ name: String) -> Int { Int(int64(name)) }
    public func optionalInt64(_ name: String) -> Int64? { self[name] == .null ? nil : int64(name) }
    public func bool(_ name: String) -> Bool { int64(name) != 0 }

    public func text(_ name: String) -> String { optionalText(name) ?? "" }
    public func optionalText(_ name: String) -> String? {
        switch self[name] {
        case .text(let s): s
        case .integer(let n): String(n)
        case .real(let d): "\(d)"
        case .blob(let b): String(decoding: b, as: UTF8.self)
        case .null: nil
        }
    }

    public func bytes(_ name: String) -> [UInt8] {
        switch self[name] {
        case .blob(let b): b
        case .text(let s): Array(s.utf8)
        default: []
        }
    }
}

/// One SQLite connection through the C API (Debian's libsqlite3): prepared statements kept per SQL
/// text, so a warm process compiles each query once. Not thread-safe: `Database` owns one and
/// serialises its use.
public final class SQLiteConnection {
    let handle: OpaquePointer
    public let path: String
    private var statements: [String: OpaquePointer] = [:]
    private var tracer: ((String) -> Void)?

    init(path: String, flags: Int32) throws(StoreError) {
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(path, &db, flags | SQLITE_OPEN_NOMUTEX, nil)
        guard rc == SQLITE_OK, let db else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(rc))
            sqlite3_close(db)
            throw StoreError.database(DatabaseFailure(code: rc, message: message, path: path))
        }
        handle = db
        self.path = path
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    func failure(_ rc: Int32, _ sql: String? = nil) -> StoreError {
        .database(DatabaseFailure(code: rc, message: String(cString: sqlite3_errmsg(handle)), path: path, sql: sql))
    }

    /// Runs statements separated by `;` with no arguments (migrations, pragmas).
    public func executeScript(_ sql: String) throws(StoreError) {
        var error: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &error)
        if let error { sqlite3_free(error) }
        guard rc == SQLITE_OK else { throw failure(rc, String(sql.prefix(200))) }
    }

    private func statement(_ sql: String) throws(StoreError) -> OpaquePointer {
        if let cached = statements[sql] { return cached }
        var statement: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil)
        guard rc == SQLITE_OK, let statement else { throw failure(rc, sql) }
        statements[sql] = statement
        return statement
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func rows(_ sql: String, _ arguments: [any SQLBindable] = []) throws(StoreError) -> [Row] {
        let statement = try statement(sql)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (i, argument) in arguments.enumerated() {
            let index = Int32(i + 1)
            let rc: Int32
            switch argument.sqlValue {
            case .null: rc = sqlite3_bind_null(statement, index)
            case .integer(let n): rc = sqlite3_bind_int64(statement, index, n)
            case .real(let d): rc = sqlite3_bind_double(statement, index, d)
            // SQLITE_TRANSIENT: SQLite copies the value.
            case .text(let s): rc = sqlite3_bind_text(statement, index, s, -1, unsafeBitCast(-1, to: sqlite3_destructor_type.self))
            case .blob(let b):
                rc = b.withUnsafeBytes {
                    sqlite3_bind_blob(statement, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count),
                                      unsafeBitCast(-1, to: sqlite3_destructor_type.self))
                }
            }
            guard rc == SQLITE_OK else { throw failure(rc, sql) }
        }
        var columns: [String: Int]?
        var result: [Row] = []
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return result }
            guard rc == SQLITE_ROW else { throw failure(rc, sql) }
            let count = Int(sqlite3_column_count(statement))
            if columns == nil {
                var names: [String: Int] = [:]
                for i in 0..<count where names[String(cString: sqlite3_column_name(statement, Int32(i)))] == nil {
                    names[String(cString: sqlite3_column_name(statement, Int32(i)))] = i
                }
                columns = names
            }
            var values: [SQLValue] = []
            values.reserveCapacity(count)
            for i in 0..<Int32(count) {
                switch sqlite3_column_type(statement, i) {
                case SQLITE_INTEGER: values.append(.integer(sqlite3_column_int64(statement, i)))
                case SQLITE_FLOAT: values.append(.real(sqlite3_column_double(statement, i)))
                case SQLITE_TEXT: values.append(.text(String(cString: sqlite3_column_text(statement, i))))
                case SQLITE_BLOB:
                    let n = Int(sqlite3_column_bytes(statement, i))
                    if n == 0 { values.append(.blob([])) } else {
                        let pointer = sqlite3_column_blob(statement, i)!.assumingMemoryBound(to: UInt8.self)
                        values.append(.blob(Array(UnsafeBufferPointer(start: pointer, count: n))))
                    }
                default: values.append(.null)
                }
            }
            result.append(Row(values: values, columns: columns!))
        }
    }

    /// The first row, if any.
    public func one(_ sql: String, _ arguments: [any SQLBindable] = []) throws(StoreError) -> Row? {
        try rows(sql, arguments).first
    }

    /// Runs a statement for its effect.
    public func execute(_ sql: String, _ arguments: [any SQLBindable] = []) throws(StoreError) {
        _ = try rows(sql, arguments)
    }

    /// The first column of the first row as an integer.
    public func integer(_ sql: String, _ arguments: [any SQLBindable] = []) throws(StoreError) -> Int64? {
        guard let row = try rows(sql, arguments).first, let value = row.values.first else { return nil }
        if case .integer(let n) = value { return n }
        return nil
    }

    /// The first column of the first row as text.
    public func text(_ sql: String, _ arguments: [any SQLBindable] = []) throws(StoreError) -> String? {
        guard let row = try rows(sql, arguments).first, let value = row.values.first else { return nil }
        if case .text(let s) = value { return s }
        return nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    public var changes: Int { Int(sqlite3_changes(handle)) }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Calls `body` with the text of every statement the connection starts (SQLite's trace hook), or
    /// stops tracing with nil. Tests count statements with it.
    public func trace(_ body: ((String) -> Void)?) {
        tracer = body
        guard body != nil else {
            sqlite3_trace_v2(handle, 0, nil, nil)
            return
        }
        sqlite3_trace_v2(handle, UInt32(SQLITE_TRACE_STMT), { _, context, statement, _ in
            guard let context, let statement else { return 0 }
            let connection = Unmanaged<SQLiteConnection>.fromOpaque(context).takeUnretainedValue()
            if let sql = sqlite3_sql(OpaquePointer(statement)) { connection.tracer?(String(cString: sql)) }
            return 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }
}
