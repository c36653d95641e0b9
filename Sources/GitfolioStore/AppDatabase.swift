import Foundation
import GitfolioCore
import StoreCore

/// The store: Gitfolio's SQLite file (StoreCore's `Database`: one connection, WAL, migrations,
/// transactions) and every query, taking and returning domain types. It throws `StoreError`; the
/// function boundary decides what a member sees.
public final class AppDatabase: Sendable {
    public let database: Database

    /// Opens the file; `create` makes it (and its folder) when there is none (`serve`, `migrate`,
    /// tests). Functions open an existing file only.
    public init(path: String, create: Bool = false) throws {
        database = try Database(path: path, mode: create ? .createIfMissing : .existing)
    }

    public var path: String { database.path }

    func read<T>(_ body: (SQLiteConnection) throws -> T) throws -> T { try database.read(body) }
    func write<T>(_ body: (SQLiteConnection) throws -> T) throws -> T { try database.write(body) }

    static func epoch(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
}
