import Foundation
import GRDB
import GitfolioCore

/// Owns the SQLite database: its connection pool (WAL), its migrations and every query.
///
/// Migrations are append-only: a shipped migration is never edited; changes come as new ones.
public final class AppDatabase: Sendable {
    public let writer: any DatabaseWriter
    private let access: Access

    public enum Access: Sendable {
        /// A pool of connections (one writer, concurrent readers): long-running processes.
        case pool
        /// One connection: a function process, which answers one request at a time.
        /// Opening one connection instead of two takes about a millisecond off each one-shot request.
        case single
    }

    /// Opens (creating if needed) the database file and brings its schema up to date.
    /// Either way the file is in WAL mode, so readers and the writer of other processes do not block.
    public init(path: String, access: Access = .pool) throws {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(5)
        configuration.foreignKeysEnabled = true
        self.access = access
        configuration.prepareDatabase { db in
            if access == .single, try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                // WAL is a property of the file, so this runs once per database. (GRDB's
                // `journalMode = .wal` does it on every open and also stats the -wal file through
                // Foundation, which reads /etc/passwd and /etc/group: about 0.6 ms of each one-shot request.)
                guard try String.fetchOne(db, sql: "PRAGMA journal_mode = WAL") == "wal" else {
                    throw DatabaseError(message: "could not turn on WAL mode at \(path)")
                }
            }
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            switch access {
            case .pool:
                writer = try DatabasePool(path: path, configuration: configuration)
            case .single:
                writer = try DatabaseQueue(path: path, configuration: configuration)
            }
            // Reading the migration table is cheap; take the write lock only when work is due.
            let migrator = AppDatabase.migrator
            if try !writer.read({ try migrator.hasCompletedMigrations($0) }) {
                try migrator.migrate(writer)
            }
        } catch let error as DatabaseError {
            throw APIError.internal("The database at \(path) could not be opened: \(error.message ?? "\(error.resultCode)").")
        }
    }

    /// One consistent read (a deferred transaction). Every query of the store reads through here.
    ///
    /// On a single connection this skips GRDB's `read`, which wraps each read in
    /// `PRAGMA query_only = 1` / `= 0`: SQLite expires every prepared statement whenever a flag
    /// pragma changes, so cached statements were recompiled on every read (about 75 authorizer
    /// callbacks per warm `GET /api/me`). A pool's readers are read-only connections already, and
    /// the tests run the store on a pool, where a write slipped into a read fails.
    func read<T>(_ block: (Database) throws -> T) throws -> T {
        switch access {
        case .pool:
            return try writer.read(block)
        case .single:
            return try writer.unsafeRead { db in
                var result: T?
                try db.inTransaction(.deferred) {
                    result = try block(db)
                    return .commit
                }
                return result!
            }
        }
    }

    public static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-members-sessions-profile") { db in
            try db.execute(sql: Schema.v1)
        }
        migrator.registerMigration("v2-github-import-cache") { db in
            try db.execute(sql: Schema.v2)
        }
        migrator.registerMigration("v3-resumes-ai-uses") { db in
            try db.execute(sql: Schema.v3)
        }
        migrator.registerMigration("v4-resume-revisions") { db in
            try db.execute(sql: Schema.v4)
        }
        migrator.registerMigration("v5-github-details-cache") { db in
            try db.execute(sql: Schema.v5)
        }
        return migrator
    }
}

/// The schema, one string per shipped migration. Never edit a shipped one.
enum Schema {
    static let jobRoles = JobRole.allRawValues.map { "'\($0)'" }.joined(separator: ",")
    static let schoolTypes = SchoolType.allRawValues.map { "'\($0)'" }.joined(separator: ",")
    static let graduation = GraduationStatus.allRawValues.map { "'\($0)'" }.joined(separator: ",")
    static let workTypes = WorkType.allRawValues.map { "'\($0)'" }.joined(separator: ",")
    static let employment = EmploymentStatus.allRawValues.map { "'\($0)'" }.joined(separator: ",")
    static let month = "GLOB '[12][0-9][0-9][0-9].[01][0-9]'"

    static let v1 = """
    CREATE TABLE member (
        id INTEGER PRIMARY KEY,
        github_id INTEGER UNIQUE,
        local_login TEXT UNIQUE,
        login TEXT NOT NULL CHECK (length(login) BETWEEN 1 AND 100),
        name TEXT NOT NULL DEFAULT '' CHECK (length(name) <= 50),
        email TEXT NOT NULL DEFAULT '' CHECK (length(email) <= 254),
        phone TEXT NOT NULL DEFAULT '' CHECK (length(phone) <= 20),
        avatar_url TEXT NOT NULL DEFAULT '' CHECK (length(avatar_url) <= 500),
        job_role TEXT CHECK (job_role IN (\(jobRoles))),
        plan TEXT NOT NULL DEFAULT 'FREE' CHECK (plan IN ('FREE','PRO')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        CHECK ((github_id IS NULL) <> (local_login IS NULL))
    );

    CREATE TABLE github_token (
        member_id INTEGER PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
        ciphertext BLOB NOT NULL,
        scope TEXT NOT NULL,
        updated_at INTEGER NOT NULL
    );

    CREATE TABLE session (
        token_hash TEXT PRIMARY KEY CHECK (length(token_hash) = 64),
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL CHECK (expires_at > created_at)
    ) WITHOUT ROWID;
    CREATE INDEX session_by_member ON session(member_id);

    CREATE TABLE oauth_state (
        state_hash TEXT PRIMARY KEY CHECK (length(state_hash) = 64),
        scope TEXT NOT NULL,
        return_to TEXT NOT NULL,
        expires_at INTEGER NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE education (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        school_type TEXT NOT NULL CHECK (school_type IN (\(schoolTypes))),
        school_name TEXT NOT NULL CHECK (length(school_name) BETWEEN 1 AND 100),
        major TEXT NOT NULL DEFAULT '',
        status TEXT NOT NULL CHECK (status IN (\(graduation))),
        start_month TEXT CHECK (start_month \(month)),
        end_month TEXT CHECK (end_month \(month)),
        PRIMARY KEY (member_id, position)
    ) WITHOUT ROWID;

    CREATE TABLE work_experience (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        company TEXT NOT NULL CHECK (length(company) BETWEEN 1 AND 100),
        title TEXT NOT NULL DEFAULT '',
        work_type TEXT NOT NULL CHECK (work_type IN (\(workTypes))),
        employment TEXT NOT NULL CHECK (employment IN (\(employment))),
        start_month TEXT CHECK (start_month \(month)),
        end_month TEXT CHECK (end_month \(month)),
        description TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (member_id, position)
    ) WITHOUT ROWID;

    CREATE TABLE certificate (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
        issuer TEXT NOT NULL DEFAULT '',
        acquired_month TEXT CHECK (acquired_month \(month)),
        PRIMARY KEY (member_id, position)
    ) WITHOUT ROWID;

    CREATE TABLE link (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        position INTEGER NOT NULL CHECK (position >= 0),
        title TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL CHECK (url LIKE 'http://%' OR url LIKE 'https://%'),
        PRIMARY KEY (member_id, position)
    ) WITHOUT ROWID;
    """

    /// The member's imported GitHub data (JSON), with the list's ETag for revalidation.
    static let v2 = """
    CREATE TABLE github_import (
        member_id INTEGER PRIMARY KEY REFERENCES member(id) ON DELETE CASCADE,
        body BLOB NOT NULL,
        etag TEXT,
        fetched_at INTEGER NOT NULL
    );
    """

    /// Resumes (a JSON document plus the columns the hub filters and sorts on) and AI uses.
    static let v3 = """
    CREATE TABLE resume (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        title TEXT NOT NULL CHECK (length(title) BETWEEN 1 AND 100),
        template TEXT NOT NULL CHECK (template IN ('BASIC','STAR','GITFOLIO')),
        language TEXT NOT NULL CHECK (language IN ('ko','en')),
        visibility TEXT NOT NULL DEFAULT 'PRIVATE' CHECK (visibility IN ('PUBLIC','PRIVATE')),
        job_role TEXT CHECK (job_role IN (\(jobRoles))),
        document BLOB NOT NULL CHECK (json_valid(document)),
        version INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
        like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
        view_count INTEGER NOT NULL DEFAULT 0 CHECK (view_count >= 0),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
    );
    CREATE INDEX resume_by_member ON resume(member_id, updated_at DESC);
    CREATE INDEX resume_public ON resume(visibility, updated_at DESC);

    -- One row per AI run, charged before the model runs and removed if it fails on our side.
    CREATE TABLE ai_use (
        id INTEGER PRIMARY KEY,
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        day TEXT NOT NULL CHECK (day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        kind TEXT NOT NULL CHECK (kind IN ('GENERATE','REVISE')),
        created_at INTEGER NOT NULL
    );
    CREATE INDEX ai_use_by_member_day ON ai_use(member_id, day);
    """

    /// Accepted revisions of a resume, newest last: each keeps the whole document before it, so an
    /// undo restores exactly what was there.
    static let v4 = """
    CREATE TABLE resume_revision (
        id INTEGER PRIMARY KEY,
        resume_id INTEGER NOT NULL REFERENCES resume(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        path TEXT NOT NULL,
        previous_document BLOB NOT NULL CHECK (json_valid(previous_document)),
        created_at INTEGER NOT NULL,
        UNIQUE (resume_id, version)
    );
    """

    /// GitHub's REST details of a repository for a member (their commits, pull requests, manifests),
    /// kept for an hour so that generating again soon costs no rate limit.
    static let v5 = """
    CREATE TABLE github_details (
        member_id INTEGER NOT NULL REFERENCES member(id) ON DELETE CASCADE,
        repository TEXT NOT NULL CHECK (length(repository) BETWEEN 3 AND 200),
        body BLOB NOT NULL CHECK (json_valid(body)),
        fetched_at INTEGER NOT NULL,
        PRIMARY KEY (member_id, repository)
    );
    """
}
