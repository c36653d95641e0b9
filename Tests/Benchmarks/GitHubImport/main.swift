// The GitHub import benchmark: a member with 150 owned and 30 contributed-to repositories, against
// the fake GitHub (test support) with a fixed latency per request, through the real client
// (URLSession), the real SQLite cache and a manual clock.
// Run: swift run -c release bench-github-import [latency-ms]
import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioGitHub
import GitfolioHTTP
import GitfolioStore
import GitfolioTestSupport

final class BenchClock: Clock, @unchecked Sendable {
    private let lock = NSLock()
    private var current = Date()
    func now() -> Date { lock.lock(); defer { lock.unlock() }; return current }
    func advance(_ seconds: TimeInterval) { lock.lock(); current += seconds; lock.unlock() }
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

let latency = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 300
let github = try await FakeGitHub()
let repos = { (n: Int, owner: String) in
    (0..<n).map { FakeRepository(owner: owner, name: "repo-\($0)", languages: [("TypeScript", 9000 + $0), ("CSS", 900)],
                                 topics: ["web"], readme: String(repeating: "A line of README text.\n", count: 40), commits: $0 % 50 + 1) }
}
await github.state.setRepositories(owned: repos(150, "bench"), contributed: repos(30, "team"))
await github.state.setLatency(.milliseconds(latency))
let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gitfolio-import-bench-\(getpid())")
defer { try? FileManager.default.removeItem(at: dir) }
let database = try AppDatabase(path: dir.appendingPathComponent("g.sqlite").path, create: true)
let memberID = try database.upsertLocalMember(login: "bench", name: "bench", now: Date()).id
let clock = BenchClock()
let client = GitHub(transport: URLSessionTransport(), apiURL: github.baseURL, clock: clock)
let token = await github.state.issueToken()
let c = ContinuousClock()

print("GitHub import: 150 owned + 30 contributed-to repositories, fake GitHub with \(latency) ms per request")
var start = c.now
let cold = try await client.repositories(memberID: memberID, token: token, cache: database)
let coldTime = c.now - start
print(String(format: "cold import:  %d requests, %.0f ms, %d repositories (target: at most 3 requests)",
             await github.state.apiRequests.count, ms(coldTime), cold.repositories.count))

await github.state.resetRequests()
var warm: [Double] = []
for _ in 0..<200 {
    start = c.now
    _ = try await client.repositories(memberID: memberID, token: token, cache: database)
    warm.append(ms(c.now - start))
}
warm.sort()
print(String(format: "warm (cache): %d requests, p50 %.2f ms, p99 %.2f ms over 200 calls (target: no request, under 20 ms)",
             await github.state.apiRequests.count, warm[100], warm[198]))

clock.advance(3601)
await github.state.resetRequests()
start = c.now
_ = try await client.repositories(memberID: memberID, token: token, cache: database)
print(String(format: "after an hour: %d request (304 Not Modified, no rate-limit cost), %.0f ms",
             await github.state.apiRequests.count, ms(c.now - start)))
await github.stop()
