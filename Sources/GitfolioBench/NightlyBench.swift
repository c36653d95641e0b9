import ArgumentParser
import Foundation
import GitfolioCore
import GitfolioFunctions
import GitfolioHTTP
import GitfolioPay
import GitfolioStore

#if canImport(Glibc)
import Glibc
#endif

/// `gitfolio bench nightly`: the nightly batch over a synthetic database (1,000,000 members by
/// default, 10,000 subscriptions due tonight) against the fake KakaoPay run as a process. Reported
/// beside references measured in the same run: for the database part (expiry, quota restore,
/// clean-up), SQLite doing the same updates as one plain statement each, in one transaction, on a copy
/// of the same file; for the charging, the same number of plain KakaoPay requests (`status`) through
/// the same client at the same concurrency, with no database work.
struct NightlyBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nightly", abstract: "The nightly batch over a synthetic database, against the fake KakaoPay (a test-support process).")
    @Option(help: "Members in the synthetic database.") var members = 1_000_000
    @Option(help: "Active subscriptions due tonight (charged).") var due = 10_000
    @Option(help: "Cancelled subscriptions whose paid period ends tonight (ended).") var expiring = 1_000
    @Option(help: "Charges in flight at once (the batch's default is 4).") var concurrency = 4
    @Option(help: "The fake KakaoPay executable (default: fake-kakaopay beside gitfolio; `swift build -c release --product fake-kakaopay`).")
    var fakeKakaoPay: String?
    @Option(help: "Folder for the database files (default: a temporary folder, removed afterwards).") var work: String?
    @Flag(help: "Stale state of a month without clean-up instead of one night's (a fifth of the members used AI yesterday, a third of the sessions and a quarter of the imports are stale).")
    var backlog = false

    func run() throws {
        let fake = fakeKakaoPay ?? functionsDirectory(nil).appendingPathComponent("fake-kakaopay").path
        guard FileManager.default.isExecutableFile(atPath: fake) else {
            throw ValidationError("\(fake) is missing; build it: swift build -c release --static-swift-stdlib --product fake-kakaopay")
        }
        guard members >= 50 * (due + expiring), due > 0 else { throw ValidationError("--members must be at least 50 × (due + expiring).") }
        let dir = URL(fileURLWithPath: work ?? FileManager.default.temporaryDirectory.appendingPathComponent("gitfolio-nightly-\(getpid())").path)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: dir) } }
        let batchPath = dir.appendingPathComponent("batch.sqlite").path
        let referencePath = dir.appendingPathComponent("reference.sqlite").path
        for path in [batchPath, referencePath] { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

        print("Gitfolio nightly benchmark: \(members) members, \(due) subscriptions due tonight, \(expiring) ending, concurrency \(concurrency), "
              + (backlog ? "a month of stale state" : "one night's stale state"))
        print("machine: \(ProcessInfo.processInfo.activeProcessorCount) cores")
        let now = Date()
        let today = SeoulCalendar.date(of: now)
        var t = Spawn.now()
        let plan = try Synthetic(members: members, due: due, expiring: expiring, today: today, now: Int64(now.timeIntervalSince1970),
                                 backlog: backlog).make(at: batchPath)
        print(String(format: "synthetic database made in %.1f s (%.0f MB)", (Spawn.now() - t) / 1000,
                     Double((try? FileManager.default.attributesOfItem(atPath: batchPath)[.size] as? Int) ?? 0) / 1_048_576))
        try FileManager.default.copyItem(atPath: batchPath, toPath: referencePath)
        sync()  // the files just written reach the disk now, not while the measured parts run

        // The fake KakaoPay, as a process, knowing the due subscriptions; 1% of them are declined.
        let (pid, stdin, stdout) = try Spawn.start(fake, arguments: [], environment: ["PATH=/usr/bin:/bin"])
        defer {
            close(stdin)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        guard case .line(let line) = ByteReader(fd: stdout).nextLine(limit: 4096),
              let info = try? JSONValue.parse(line), let url = info["url"]?.stringValue, let key = info["secretKey"]?.stringValue
        else { throw ValidationError("the fake KakaoPay did not start") }
        let declined = plan.dueSIDs.enumerated().filter { $0.offset % 100 == 7 }.map(\.element)
        try seed(url: url, sids: plan.dueSIDs, approvedAt: plan.lastApprovedAt, decline: declined)

        var config = try Config(environment: [
            "GITFOLIO_DB": batchPath, "GITFOLIO_SECRET_FILE": dir.appendingPathComponent("secret.key").path,
            "KAKAOPAY_SECRET_KEY": key, "KAKAOPAY_API_URL": url,
        ])
        config.databasePath = batchPath
        let services = try Services.live(config: config, transport: URLSessionTransport(timeout: 30))
        let pay = try requireValue(services.kakaoPay, "KakaoPay settings")

        // Reference 1: the database part as plain SQL, one statement per step, on the copy.
        t = Spawn.now()
        let expected = try Synthetic.plainSQL(at: referencePath, today: today, now: Int64(now.timeIntervalSince1970))
        let plainSeconds = (Spawn.now() - t) / 1000

        // Reference 2: as many plain KakaoPay requests, same client, same concurrency, no database.
        t = Spawn.now()
        let statusOK = try blocking { try await Self.statusCalls(pay, sids: plan.dueSIDs, concurrency: concurrency) }
        let requestSeconds = (Spawn.now() - t) / 1000

        // The batch.
        sync()
        let summary = try blocking {
            await NightlyBatch(services: services, date: today, concurrency: concurrency, log: Log(label: "nightly", minimum: .error)).run()
        }
        let outcome = try Synthetic.outcome(at: batchPath)

        let attempted = summary.charged + summary.failed
        print("")
        print("| measure | time | rate |")
        print("| --- | --- | --- |")
        print(String(format: "| database part of the batch (expiry, quota restore, clean-up; a transaction per member ending and per range of keys) | %.2f s | |",
                     summary.seconds.database))
        print(String(format: "| reference: the same updates as plain SQL statements, one transaction | %.2f s | |", plainSeconds))
        print(String(format: "| charging: %d due subscriptions (%d charged, %d declined) | %.2f s | %.0f charges/s |",
                     attempted, summary.charged, summary.failed, summary.seconds.charging, Double(attempted) / summary.seconds.charging))
        print(String(format: "| reference: %d plain `status` requests (%d answered) | %.2f s | %.0f requests/s |",
                     plan.dueSIDs.count, statusOK, requestSeconds, Double(plan.dueSIDs.count) / requestSeconds))
        print(String(format: "| whole batch | %.2f s | |", summary.seconds.total))
        print("")
        print("database part by step: " + summary.seconds.parts.sorted { $0.key < $1.key }.map { String(format: "%@ %.2f s", $0.key, $0.value) }.joined(separator: ", "))
        print("batch: charged \(summary.charged), failed \(summary.failed), expired \(summary.expired), skipped \(summary.skipped), cleaned \(summary.cleaned)")
        print("same end state as the plain SQL: \(outcome == expected ? "yes" : "NO") (\(outcome))")
        print(String(format: "target (database part under 5 s for %d members): %@", members, summary.seconds.database < 5 ? "met" : "NOT met"))
        guard summary.charged == plan.dueSIDs.count - declined.count, summary.failed == declined.count, summary.expired == expiring,
              summary.skipped == 0, outcome == expected
        else { throw ValidationError("the batch did not reach the expected end state") }
    }

    func seed(url: String, sids: [String], approvedAt: String, decline: [String]) throws {
        for start in stride(from: 0, to: sids.count, by: 2_000) {
            let chunk = sids[start..<min(sids.count, start + 2_000)]
            let body: JSONValue = .object([
                "subscriptions": .array(chunk.map { sid in
                    .object(["sid": .string(sid), "partner_user_id": .string(String(sid.dropFirst(6))), "last_approved_at": .string(approvedAt)])
                }),
                "decline": .array(start == 0 ? decline.map { .string($0) } : []),
            ])
            let status = try blocking { () async throws -> Int in
                let response = try await URLSessionTransport().send(OutboundRequest(
                    method: "POST", url: URL(string: url + "/_fake/seed")!, headers: ["Content-Type": "application/json"],
                    body: Data(body.serialized.utf8)))
                return response.status
            }
            guard status == 200 else { throw ValidationError("seeding the fake KakaoPay failed: HTTP \(status)") }
        }
    }

    static func statusCalls(_ pay: KakaoPay, sids: [String], concurrency: Int) async throws -> Int {
        var pending = sids.makeIterator()
        var ok = 0
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<concurrency {
                guard let sid = pending.next() else { break }
                group.addTask { (try? await pay.status(sid: sid)) != nil }
            }
            while let answered = await group.next() {
                if answered { ok += 1 }
                if let sid = pending.next() { group.addTask { (try? await pay.status(sid: sid)) != nil } }
            }
        }
        return ok
    }
}

/// Runs async work from a synchronous command and waits for it.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.set(.success(try await work())) } catch { box.set(.failure(error)) }
        done.signal()
    }
    done.wait()
    return try box.get()
}

final class ResultBox<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<T, any Error>?
    func set(_ value: Result<T, any Error>) { lock.withLock { result = value } }
    func get() throws -> T { try lock.withLock { result! }.get() }
}

func requireValue<T>(_ value: T?, _ what: String) throws -> T {
    guard let value else { throw ValidationError("\(what) missing") }
    return value
}

/// The synthetic database, written with set-based SQL: members (one in fifty PRO), their subscriptions
/// (due tonight, ending tonight, due later in the month) with first payments, and what one night leaves
/// to clean up, since the batch runs every night: yesterday's AI uses of a tenth of the members (two
/// each, in the order of the day), the sessions that expired since (a thirtieth of 300,000: they last
/// 30 days), OAuth states, GitHub details fetched yesterday (every tenth member) and imports that became
/// 30 days unused (a thirtieth), and stale payment attempts. `backlog`: a month without clean-up instead.
struct Synthetic {
    var members: Int
    var due: Int
    var expiring: Int
    var today: CivilDate
    var now: Int64
    var backlog = false

    struct Plan {
        var dueSIDs: [String]
        var lastApprovedAt: String
    }

    func make(at path: String) throws -> Plan {
        let database = try AppDatabase(path: path, create: true)
        let yesterday = today.adding(days: -1).iso
        let started = today.adding(months: -1)
        let lastApprovedAt = started.iso + "T00:00:03"
        let pro = 50  // every 50th member is PRO
        let subscribers = members / pro
        try database.database.write { db in
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
                INSERT INTO member (id, local_login, login, name, plan, created_at, updated_at)
                SELECT x, 'm' || x, 'm' || x, 'Member ' || x, CASE WHEN x % \(pro) = 0 THEN 'PRO' ELSE 'FREE' END, ?, ? FROM n
                """, [members, now - 86_400 * 90, now - 86_400])
            // Subscriptions of the PRO members: the first `due` are due tonight, the next `expiring` were
            // cancelled and end tonight, the rest are due on later days of the month.
            try db.execute("""
                WITH RECURSIVE n(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM n WHERE k < ?)
                INSERT INTO subscription (id, member_id, sid, partner_user_id, item_name, amount, status, anchor_day, period, paid_until,
                                          started_at, cancelled_at)
                SELECT k, k * \(pro), 'SBENCH' || (k * \(pro)), CAST(k * \(pro) AS TEXT), 'Gitfolio PRO', 19900,
                       CASE WHEN k > ? AND k <= ? THEN 'CANCELLED' ELSE 'ACTIVE' END, ?, 1,
                       CASE WHEN k <= ? THEN ? ELSE date(?, '+' || (1 + k % 27) || ' days') END, ?,
                       CASE WHEN k > ? AND k <= ? THEN ? END
                FROM n
                """, [subscribers, due, due + expiring, today.day, due + expiring, today.iso, today.iso, now - 86_400 * 30,
                      due, due + expiring, now - 86_400 * 5])
            try db.execute("""
                INSERT INTO payment (subscription_id, period, partner_order_id, tid, aid, amount, vat, approved_at, period_start, period_end, created_at)
                SELECT id, 1, 'bench-first-' || id, 'TBENCH' || id, 'ABENCH' || id, 19900, 1809, ?, ?, paid_until, ?
                FROM subscription
                """, [lastApprovedAt, started.iso, now - 86_400 * 30])
            // AI uses: yesterday's (every tenth member, two each) go; today's (every 97th) stay. Stored in
            // the order members used them during the day, not in member order.
            let aiStep = backlog ? 5 : 10
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT \(aiStep) UNION ALL SELECT x + \(aiStep) FROM n WHERE x + \(aiStep) <= ?)
                INSERT INTO ai_use (member_id, day, kind, created_at)
                SELECT x, ?, kind, ? FROM (SELECT x, 'GENERATE' AS kind FROM n UNION ALL SELECT x, 'REVISE' FROM n) ORDER BY random()
                """, [members, yesterday, now - 40_000])
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 97 UNION ALL SELECT x + 97 FROM n WHERE x + 97 <= ?)
                INSERT INTO ai_use (member_id, day, kind, created_at) SELECT x, ?, 'GENERATE', ? FROM n
                """, [members, today.iso, now - 10])
            // Sessions of three members in ten (the hash of a random token, as sign-in stores); a thirtieth
            // expired since the last night (a third in a backlog).
            let sessionStale = backlog ? 3 : 30
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < ?)
                INSERT INTO session (token_hash, member_id, created_at, expires_at)
                SELECT lower(hex(randomblob(32))), x, ?, CASE WHEN x % \(sessionStale) = 0 THEN ? ELSE ? END FROM n WHERE x % 10 < 3
                """, [members, now - 86_400 * 31, now - 86_400, now + 86_400 * 20])
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000)
                INSERT INTO oauth_state (state_hash, scope, return_to, expires_at) SELECT printf('%064x', x), 'read:user', '/me.html',
                       CASE WHEN x % 2 = 0 THEN ? ELSE ? END FROM n
                """, [now - 600, now + 300])
            // GitHub caches: details of every tenth member (nine in ten older than an hour), imports of
            // every fifth (a thirtieth unused for over 30 days; a quarter in a backlog).
            let importStale = backlog ? 4 : 30
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 10 FROM n WHERE x + 10 <= ?)
                INSERT INTO github_details (member_id, repository, body, fetched_at)
                SELECT x, 'owner/repo', '{"commits":[]}', CASE WHEN x % 100 = 1 THEN ? ELSE ? END FROM n ORDER BY random()
                """, [members, now - 60, now - 7_200])
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 2 UNION ALL SELECT x + 5 FROM n WHERE x + 5 <= ?)
                INSERT INTO github_import (member_id, body, etag, fetched_at)
                SELECT x, CAST('{"repositories":[]}' AS BLOB), '"etag"', CASE WHEN (x / 5) % \(importStale) = 0 THEN ? ELSE ? END FROM n
                """, [members, now - 86_400 * 40, now - 86_400 * 2])
            try db.execute("""
                WITH RECURSIVE n(x) AS (SELECT 3 UNION ALL SELECT x + 200 FROM n WHERE x + 200 <= ?)
                INSERT INTO checkout (token_hash, member_id, partner_order_id, tid, amount, language, status, created_at, expires_at, updated_at)
                SELECT printf('%064x', x), x, 'bench-order-' || x, 'TOLD' || x, 19900, 'ko', CASE WHEN x % 3 = 0 THEN 'CANCELLED' ELSE 'READY' END,
                       ?, ?, ? FROM n
                """, [members, now - 86_400 * 3, now - 86_400 * 3 + 900, now - 86_400 * 3])
        }
        try database.database.statement { try $0.execute("PRAGMA wal_checkpoint(TRUNCATE)") }
        let sids = try database.database.read { db in
            try db.rows("SELECT sid FROM subscription WHERE status = 'ACTIVE' AND paid_until <= ? ORDER BY id", [today.iso]).map { $0.text("sid") }
        }
        return Plan(dueSIDs: sids, lastApprovedAt: lastApprovedAt)
    }

    /// The database part of the batch as plain SQL: one statement per step, in one transaction.
    static func plainSQL(at path: String, today: CivilDate, now: Int64) throws -> [String: Int] {
        let database = try AppDatabase(path: path)
        try database.database.write { db in
            try db.execute("""
                UPDATE member SET plan = 'FREE', updated_at = ?
                WHERE id IN (SELECT member_id FROM subscription WHERE status = 'CANCELLED' AND paid_until <= ?)
                """, [now, today.iso])
            try db.execute("UPDATE subscription SET status = 'ENDED', end_reason = 'CANCELLED', ended_at = ? WHERE status = 'CANCELLED' AND paid_until <= ?",
                           [now, today.iso])
            try db.execute("DELETE FROM ai_use WHERE day < ?", [today.iso])
            try db.execute("DELETE FROM session WHERE expires_at <= ?", [now])
            try db.execute("DELETE FROM github_details WHERE fetched_at < ?", [now - 3600])
            try db.execute("DELETE FROM github_import WHERE fetched_at < ?", [now - 30 * 86_400])
            try db.execute("DELETE FROM oauth_state WHERE expires_at <= ?", [now])
            try db.execute("""
                DELETE FROM checkout WHERE (status IN ('READY','CANCELLED','FAILED') AND expires_at <= ?) OR (status = 'APPROVED' AND expires_at <= ?)
                """, [now - 86_400, now - 30 * 86_400])
            try db.execute("DELETE FROM billing_notice WHERE day < ?", [today.adding(days: -90).iso])
        }
        return try outcome(at: path)
    }

    /// What the database part leaves: the counts both runs must agree on.
    static func outcome(at path: String) throws -> [String: Int] {
        let database = try AppDatabase(path: path)
        return try database.database.read { db in
            var counts: [String: Int] = [:]
            for (name, sql) in [
                ("free members", "SELECT count(*) FROM member WHERE plan = 'FREE'"),
                ("ended subscriptions", "SELECT count(*) FROM subscription WHERE status = 'ENDED'"),
                ("ai uses", "SELECT count(*) FROM ai_use"), ("sessions", "SELECT count(*) FROM session"),
                ("github details", "SELECT count(*) FROM github_details"), ("github imports", "SELECT count(*) FROM github_import"),
                ("oauth states", "SELECT count(*) FROM oauth_state"), ("checkouts", "SELECT count(*) FROM checkout"),
            ] { counts[name] = Int(try db.integer(sql) ?? -1) }
            return counts
        }
    }
}
