import Foundation
import FunctionCore
import GitfolioCore
import GitfolioStore
import GitfolioTestSupport
import GRDB
import GRDBSQLite
import Testing

@Suite struct StoreTests {
    @Test func opensInWALWithForeignKeysAndIsIdempotent() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let path = dir.path("db/nested/g.sqlite")
        let first = try AppDatabase(path: path)
        let mode = try first.writer.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        let fk = try first.writer.read { try Int.fetchOne($0, sql: "PRAGMA foreign_keys") }
        #expect(mode == "wal")
        #expect(fk == 1)
        _ = try first.upsertLocalMember(login: "a", name: "a", now: Date())
        let second = try AppDatabase(path: path)  // reopening migrates nothing and loses nothing
        #expect(try second.memberCount() == 1)
        let applied = try second.writer.read { try AppDatabase.migrator.appliedMigrations($0) }
        #expect(applied == ["v1-members-sessions-profile", "v2-github-import-cache", "v3-resumes-ai-uses", "v4-resume-revisions", "v5-github-details-cache"])
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
        let db = try AppDatabase(path: dir.path("g.sqlite"))
        _ = try db.upsertLocalMember(login: "a", name: "a", now: Date())
        #expect(throws: DatabaseError.self) { try db.writer.write { try $0.execute(sql: sql) } }
    }

    @Test func oauthStateIsSingleUseAndExpires() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"))
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
        let db = try AppDatabase(path: dir.path("g.sqlite"))
        let member = try db.upsertLocalMember(login: "a", name: "a", now: Date())
        let good = Profile(name: "A", links: [ProfileLink(title: "x", url: "https://x.example")])
        _ = try db.replaceProfile(memberID: member.id, with: good, now: Date())
        // The second link violates the schema: the whole replacement must roll back.
        let bad = Profile(name: "B", links: [ProfileLink(title: "ok", url: "https://ok.example"), ProfileLink(title: "bad", url: "ftp://no")])
        #expect(throws: DatabaseError.self) { try db.replaceProfile(memberID: member.id, with: bad, now: Date()) }
        #expect(try db.profile(memberID: member.id) == good)
    }

    @Test func singleConnectionReadsKeepTheirCompiledStatements() throws {
        // A function process reads through one connection and caches its statements. SQLite expires
        // every statement when a flag pragma such as `query_only` changes; reads must not do that,
        // or each request recompiles every query.
        let dir = try TempDir()
        defer { dir.remove() }
        let db = try AppDatabase(path: dir.path("g.sqlite"), access: .single)
        let member = try db.upsertLocalMember(login: "a", name: "a", now: Date())
        let profile = Profile(name: "A", links: [ProfileLink(title: "x", url: "https://x.example")])
        _ = try db.replaceProfile(memberID: member.id, with: profile, now: Date())
        for _ in 0..<3 { #expect(try db.profile(memberID: member.id) == profile) }
        let recompiled = try db.writer.unsafeRead { conn in
            sqlite3_stmt_status(try conn.cachedStatement(sql: "SELECT * FROM member WHERE id = ?").sqliteStatement,
                                SQLITE_STMTSTATUS_REPREPARE, 0)
        }
        #expect(recompiled == 0)
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
