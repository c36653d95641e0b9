import CSQLite

/// A raw SQLite file for tests that make databases the store did not make (a GRDB-era file, a
/// foreign one), through the C API rather than the store.
final class SQLiteFile {
    struct Failure: Error { var message: String }
    private var handle: OpaquePointer?

    init(_ path: String) throws {
        guard sqlite3_open(path, &handle) == SQLITE_OK else { throw Failure(message: "cannot open \(path)") }
    }

    func exec(_ sql: String) throws {
        guard sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK else { throw Failure(message: String(cString: sqlite3_errmsg(handle))) }
    }

    func close() {
        sqlite3_close(handle)
        handle = nil
    }

    deinit { if handle != nil { sqlite3_close(handle) } }
}
