import ArgumentParser
import Foundation
import GitfolioCore
import StoreCore

#if canImport(Glibc)
import Glibc
#endif

/// `gitfolio backup`: a consistent copy of the live database, safe while functions write.
struct BackupCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backup",
        abstract: "Copy the live database into a new file (SQLite's online backup; safe while functions write).",
        discussion: """
        Takes one consistent snapshot of the database (a read transaction; in WAL mode no writer waits for it) \
        and copies it page by page into FILE, which must not exist yet. The copy is written beside FILE, \
        checked with PRAGMA integrity_check and only then renamed to FILE (mode 0600: it holds members' data), \
        so FILE is either a complete backup or absent. Never copy the .sqlite file with cp while functions run: \
        committed pages may still be in its -wal file. Restore with `gitfolio restore`.
        """)
    @Option(help: "SQLite database file (default: $GITFOLIO_DB or content/gitfolio.sqlite).") var db: String?
    @Option(help: "The backup file to write (must not exist).") var out: String
    @Flag(help: "Also print each table's row count and checksum.") var verbose = false

    func run() throws {
        let source = db ?? (try? Config(environment: ProcessInfo.processInfo.environment))?.databasePath ?? Config.defaultDatabasePath
        let start = Date()
        let report = try Backup.take(from: source, to: out)
        let tables = try Backup.summary(of: out)
        print(String(format: "backed up %@ to %@: %d pages (%.1f MB), %d tables, %d rows, in %.2f s (%d busy steps retried)",
                     source, out, report.pages, Double(report.bytes) / 1_000_000, tables.count, tables.reduce(0) { $0 + $1.rows },
                     Date().timeIntervalSince(start), report.busyRetries))
        if verbose { for table in tables { print("  \(table)") } }
    }
}

/// `gitfolio restore`: a backup back into place, after checking it.
struct RestoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "restore",
        abstract: "Restore a backup made by `gitfolio backup` (checked first; refuses to overwrite without --force).",
        discussion: """
        Checks the backup (PRAGMA integrity_check, Gitfolio's schema, not from a newer Gitfolio) before touching \
        anything. Without a database at --db it writes a new file there. Over an existing database it refuses \
        unless --force is given; with --force it copies the backup into the database through SQLite's backup \
        API while holding its write lock, so functions running at that moment see the old content or the \
        restored one, never a mixture. Everything written since the backup is lost: stop the runner (lighttpd \
        or `gitfolio serve`) first if you can, and take a backup of the current file before restoring over it. \
        Afterwards rebuild the site (`gitfolio build`) so the pages show the restored data.
        """)
    @Option(help: "The backup file to restore.") var from: String
    @Option(help: "SQLite database file to restore into (default: $GITFOLIO_DB or content/gitfolio.sqlite).") var db: String?
    @Flag(help: "Overwrite an existing database.") var force = false
    @Flag(help: "Only check the backup and print its tables; change nothing.") var check = false

    func run() throws {
        let tables = try Backup.verify(from)
        let rows = tables.reduce(0) { $0 + $1.rows }
        if check {
            print("\(from): integrity ok, \(tables.count) tables, \(rows) rows")
            for table in tables { print("  \(table)") }
            return
        }
        let destination = db ?? (try? Config(environment: ProcessInfo.processInfo.environment))?.databasePath ?? Config.defaultDatabasePath
        let report = try Backup.restore(from: from, to: destination, overwrite: force)
        let restored = try Backup.summary(of: destination)
        guard restored == tables else {
            throw ValidationError("the restored database differs from the backup; restore again or use another backup")
        }
        print("restored \(from) into \(destination): \(report.pages) pages, \(tables.count) tables, \(rows) rows; integrity ok, content equal to the backup")
    }
}
