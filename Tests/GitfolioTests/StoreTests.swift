import Foundation
import FunctionCore
import GitfolioCore
import GitfolioResume
import GitfolioStore
import GitfolioTestSupport
import StoreCore
import Testing

@Suite struct StoreTests {
    func rows(_ db: AppDatabase, _ sql: String) throws -> [Row] { try db.database.read { try $0.rows(sql) } }

    @Test func opensInWALWithForeignKeysAndIsIdempotent() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("db/nested/g.sqlite")
        let first = try AppDatabase(path: path, create: true)
        #expect(try first.database.read { try $0.text("PRAGMA journal_mode") } == "wal")
        #expect(try first.database.read { try $0.integer("PRAGMA foreign_keys") } == 1)
        _ = try first.upsertLocalMember(login: "a", name: "a", now: Date())
        let second = try AppDatabase(path: path)  // reopening migrates nothing and loses nothing
        #expect(try second.memberCount() == 1)
        let applied = try rows(second, "SELECT identifier FROM schema_migrations ORDER BY rowid").map { $0.text("identifier") }
        #expect(applied == Schema.migrations.map(\.identifier))
        #expect(try second.database.read { try $0.integer("PRAGMA user_version") } == Int64(Schema.migrations.count))
    }

    /// Shipped migrations are literals: adding a job role or a school type cannot change what a new
    /// database gets from v1 or v3. Each is compared byte for byte with the copy stored when it shipped.
    @Test func shippedMigrationsAreByteIdenticalToTheirStoredCopies() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/migrations")
        let stored = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(stored.count >= 5)
        for file in stored {
            let identifier = String(file.dropLast(4))
            guard let migration = Schema.migrations.first(where: { $0.identifier == identifier }) else {
                Issue.record("the shipped migration \(identifier) is gone")
                continue
            }
            var copy = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            if copy.hasSuffix("\n") { copy.removeLast() }
            #expect(migration.sql == copy, "\(identifier) changed after it shipped")
        }
        // Every migration in the code has a stored copy, so the next one is pinned too once it ships.
        #expect(Set(Schema.migrations.map(\.identifier)).subtracting(stored.map { String($0.dropLast(4)) }).isEmpty)
    }

    /// The site's follower reads every public resume's counts after each like: from the covering index,
    /// never from the rows that hold the documents.
    @Test func theHubsCountsAreReadFromTheirCoveringIndexAlone() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let plan = try db.database.read { try $0.rows("EXPLAIN QUERY PLAN " + AppDatabase.hubCountsSQL).map { $0.text("detail") } }
        #expect(plan == ["SEARCH resume USING COVERING INDEX resume_hub_counts (visibility=?)"])
    }

    @Test func aDatabaseMadeWithGRDBKeepsItsDataAndIsNotMigratedTwice() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("old.sqlite")
        // The file as the GRDB-based store left it: its migrations recorded in grdb_migrations.
        let old = try SQLiteFile(path)
        for (identifier, sql) in Schema.migrations { try old.exec(sql); try old.exec("-- \(identifier)") }
        try old.exec("CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        for (identifier, _) in Schema.migrations { try old.exec("INSERT INTO grdb_migrations VALUES ('\(identifier)')") }
        try old.exec("INSERT INTO member (local_login, login, name, created_at, updated_at) VALUES ('kim', 'kim', 'Kim', 1, 1)")
        old.close()
        let db = try AppDatabase(path: path)
        #expect(try db.memberCount() == 1)
        #expect(try rows(db, "SELECT count(*) AS n FROM schema_migrations").first?.int("n") == Schema.migrations.count)
    }

    @Test(arguments: [
        "UPDATE member SET job_role = 'CEO'",
        "UPDATE member SET plan = 'GOLD'",
        "INSERT INTO link (member_id, position, title, url) VALUES (1, 0, 'x', 'javascript:alert(1)')",
        "INSERT INTO education (member_id, position, school_type, school_name, status) VALUES (1, 0, 'KINDERGARTEN', 'x', 'GRADUATED')",
        "INSERT INTO education (member_id, position, school_type, school_name, status, start_month) VALUES (1, 0, 'HIGH_SCHOOL', 'x', 'GRADUATED', '2020-01')",
        "INSERT INTO certificate (member_id, position, name) VALUES (999, 0, 'orphan')",
        "INSERT INTO member (login, created_at, updated_at) VALUES ('neither-github-nor-local', 0, 0)",
        "INSERT INTO session (token_hash, member_id, created_at, expires_at) VALUES ('short', 1, 0, 1)",
    ])
    func schemaRefusesInvalidRows(sql: String) throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        _ = try db.upsertLocalMember(login: "a", name: "a", now: Date())
        #expect { try db.database.write { try $0.execute(sql) } } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            return failure.kind == .constraint
        }
    }

    @Test func oauthStateIsSingleUseAndExpires() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let now = Date()
        try db.saveOAuthState(hash: Secrets.sha256Hex("s1"), scope: "read:user", returnTo: "/me.html", now: now)
        #expect(try db.consumeOAuthState(hash: Secrets.sha256Hex("s1"), now: now)?.returnTo == "/me.html")
        #expect(try db.consumeOAuthState(hash: Secrets.sha256Hex("s1"), now: now) == nil)
        try db.saveOAuthState(hash: Secrets.sha256Hex("s2"), scope: "read:user", returnTo: "/", now: now)
        #expect(try db.consumeOAuthState(hash: Secrets.sha256Hex("s2"), now: now.addingTimeInterval(601)) == nil)
    }

    @Test func replacingAProfileIsAllOrNothing() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let member = try db.upsertLocalMember(login: "a", name: "a", now: Date())
        let good = Profile(name: "A", links: [ProfileLink(title: "x", url: "https://x.example")])
        _ = try db.replaceProfile(memberID: member.id, with: good, now: Date())
        // The second link violates the schema: the whole replacement must roll back.
        let bad = Profile(name: "B", links: [ProfileLink(title: "ok", url: "https://ok.example"), ProfileLink(title: "bad", url: "ftp://no")])
        #expect(throws: StoreError.self) { try db.replaceProfile(memberID: member.id, with: bad, now: Date()) }
        #expect(try db.profile(memberID: member.id) == good)
    }

    @Test func resumesGoInAndOutAsTypedDocuments() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let alice = try db.upsertLocalMember(login: "alice", name: "A", now: Date())
        let bob = try db.upsertLocalMember(login: "bob", name: "B", now: Date())
        var resume = Resume.sample(.ko)
        let id = try db.createResume(memberID: alice.id, title: "첫 이력서", resume: resume, now: Date())
        #expect(try db.resume(id: id, memberID: alice.id).resume == resume)
        // Another member's resume is simply not found, whatever its id.
        #expect(throws: StoreError.resumeNotFound) { try db.resume(id: id, memberID: bob.id) }
        resume.template = .star
        #expect(try db.saveResume(resume, id: id, memberID: alice.id, expectedVersion: 1, path: "template", now: Date()) == 2)
        #expect(throws: StoreError.versionConflict(current: 2)) {
            try db.saveResume(resume, id: id, memberID: alice.id, expectedVersion: 1, path: "template", now: Date())
        }
        // The template and job role columns follow the document.
        let row = try rows(db, "SELECT template FROM resume WHERE id = \(id)").first
        #expect(row?.text("template") == "STAR")
        let undone = try db.undoRevision(resumeID: id, memberID: alice.id, expectedVersion: 2, now: Date())
        #expect(undone.resume.template == Resume.sample(.ko).template)
        #expect(throws: StoreError.nothingToUndo) { try db.undoRevision(resumeID: id, memberID: alice.id, expectedVersion: 3, now: Date()) }
        // The one encoding: compact, keys sorted.
        let stored = try rows(db, "SELECT document FROM resume WHERE id = \(id)").first!.text("document")
        #expect(stored == (try JSONValue.serialize(undone.resume)))
    }

    @Test func aDocumentThatDoesNotDecodeIsADatabaseFailureNotANotFound() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), create: true)
        let alice = try db.upsertLocalMember(login: "alice", name: "A", now: Date())
        let id = try db.createResume(memberID: alice.id, title: "x", resume: .sample(.en), now: Date())
        try db.database.write { try $0.execute("UPDATE resume SET document = '{\"language\":\"xx\"}' WHERE id = ?", [id]) }
        #expect { try db.resume(id: id, memberID: alice.id) } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            return failure.kind == .corrupt && (error as? StoreError)?.apiError.status == 500
        }
    }

    // MARK: Files that are not what they should be (issue 15, defect 7)

    @Test func anEmptyFileIsRefusedNotTurnedIntoANewDatabase() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("empty.sqlite")
        FileManager.default.createFile(atPath: path, contents: Data())
        #expect { try AppDatabase(path: path, create: true) } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            return failure.kind == .emptyFile
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
    }

    @Test func aFileThatIsNotSQLiteOrNotGitfoliosIsRefused() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let text = dir.path("notes.sqlite")
        try Data(String(repeating: "not a database ", count: 400).utf8).write(to: URL(fileURLWithPath: text))
        #expect { try AppDatabase(path: text) } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            // The member gets a plain message; the path and SQLite's words stay in the log.
            let answer = (error as! StoreError).apiError
            return failure.kind == .notADatabase && answer.status == 500 && !answer.message.contains(text)
        }
        let foreign = dir.path("other.sqlite")
        let other = try SQLiteFile(foreign)
        try other.exec("CREATE TABLE customers (id INTEGER PRIMARY KEY)")
        other.close()
        #expect { try AppDatabase(path: foreign) } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            return failure.kind == .foreign
        }
        #expect { try AppDatabase(path: dir.path("missing.sqlite")) } throws: { error in
            guard case StoreError.database(let failure) = error else { return false }
            return failure.kind == .missing
        }
    }

    @Test func aWriteWaitingPastTheBusyTimeoutIsA503ToRetry() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("g.sqlite")
        let holder = try Database(path: path, mode: .createIfMissing)
        let waiter = try Database(path: path, busyTimeout: 100)
        let release = DispatchSemaphore(value: 0), holding = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? holder.write { _ in
                holding.signal()
                release.wait()
            }
        }
        thread.start()
        holding.wait()
        defer { release.signal() }
        #expect { try waiter.write { try $0.execute("DELETE FROM oauth_state") } } throws: { error in
            guard let answer = (error as? StoreError)?.apiError else { return false }
            return answer.status == 503 && answer.headers["retry-after"] == "1"
        }
    }

    @Test func sha256HexMatchesKnownVectors() {
        // FIPS 180-2 test vectors, so the hand-rolled hex encoder cannot drift silently.
        #expect(Secrets.sha256Hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Secrets.sha256Hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(lowercaseHex([0x00, 0x0f, 0xa0, 0xff]) == "000fa0ff")
    }

    @Test func tokenCipherRoundTripsAndRejectsTampering() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let cipher = try TokenCipher.load(environmentValue: nil, file: dir.path("k"))
        let again = try TokenCipher.load(environmentValue: nil, file: dir.path("k"))
        let sealed = try cipher.seal("gho_secret")
        #expect(try again.open(sealed) == "gho_secret")
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: APIError.self) { try cipher.open(tampered) }
        let attributes = try FileManager.default.attributesOfItem(atPath: dir.path("k"))
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        let other = try TokenCipher.load(environmentValue: Data(repeating: 7, count: 32).base64EncodedString(), file: dir.path("unused"))
        #expect(throws: APIError.self) { try other.open(sealed) }
    }
}
