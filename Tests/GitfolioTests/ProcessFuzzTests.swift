import Foundation
import GitfolioCore
import GitfolioTestSupport
import Testing

/// The process-level fuzzer: generated hostile events (`EventFuzzer`) to every function executable
/// (`FunctionCatalog.names`), warm, one-shot and as CGI. Every answer must be a valid response; a
/// failure is `{"error":{"code","message"}}`; nothing a client sends may cause a 500 or a crash;
/// the database is intact afterwards.
///
/// The suite runs a short pass (262 events per function: 250 warm, 6 one-shot, 6 CGI). The long run behind docs/RELIABILITY.md's
/// figures is the same test with more events and another seed:
///
///     GITFOLIO_FUZZ_WARM=650 GITFOLIO_FUZZ_PROCESSES=20 GITFOLIO_FUZZ_HUGE=1 GITFOLIO_FUZZ_SEED=2026 \
///       swift test --skip-build --disable-xctest --filter ProcessFuzzTests
@Suite(.serialized) struct ProcessFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let warmEvents = Int(environment["GITFOLIO_FUZZ_WARM"] ?? "") ?? 250
    static let processEvents = Int(environment["GITFOLIO_FUZZ_PROCESSES"] ?? "") ?? 6
    static let seed = UInt64(environment["GITFOLIO_FUZZ_SEED"] ?? "") ?? 14
    /// 0 in the suite (no 350,000-character strings or 2 MiB events but one); 1 in the long run.
    static let hugeRate = Double(environment["GITFOLIO_FUZZ_HUGE"] ?? "") ?? 0
    /// Only these functions (comma-separated), to resume a long run; all when unset.
    static let only = Set((environment["GITFOLIO_FUZZ_ONLY"] ?? "").split(separator: ",").map(String.init))

    /// Server-side states a request may legitimately meet in this world (no GitHub app, no model):
    /// a 503 that says so is not a crash.
    /// KakaoPay is configured at a closed port: payments that reach it are "not started" or "unavailable".
    static let unavailable: Set<String> = ["github_not_configured", "model_not_configured", "payment_not_started", "kakaopay_unavailable",
                                           "payment_pending"]

    /// Why an answer is not acceptable, or nil.
    static func problem(_ answer: FunctionResponse) -> String? {
        if answer.statusCode == 500 { return "a 500" }
        if answer.statusCode >= 500 && !([502, 503].contains(answer.statusCode) && unavailable.contains(answer.errorShape?.code ?? "")) {
            return "a \(answer.statusCode) for a client's request"
        }
        if answer.statusCode >= 400 && answer.errorShape == nil { return "an error without the JSON error shape" }
        if answer.statusCode < 300, answer.headers["content-type"]?.hasPrefix("application/json") == true,
           (try? JSONValue.parse(answer.body)) == nil {
            return "a JSON answer that is not JSON"
        }
        for (name, value) in answer.headers where CGI.breaksLine(name) || CGI.breaksLine(value) { return "a header with a line break" }
        // Every cookie any function sets is out of scripts' reach and not sent by other sites' requests.
        for cookie in answer.cookies where !(cookie.contains("; HttpOnly") && cookie.contains("; SameSite=Lax") && cookie.contains("; Path=/")) {
            return "a cookie without HttpOnly, SameSite=Lax or Path: \(cookie)"
        }
        if answer.bodyText.contains(FunctionWorld.kakaoPayKey) { return "the KakaoPay key in an answer" }
        return nil
    }

    static func crashed(_ stderr: String) -> Bool {
        ["Fatal error", "Backtrace", "Segmentation fault", "Illegal instruction", "precondition failed", "SIGSEGV", "SIGILL", "SIGABRT"]
            .contains { stderr.contains($0) }
    }

    @Test(arguments: FunctionCatalog.names)
    func hostileEventsGetValidAnswersAndNeverA500(function: String) async throws {
        guard Self.only.isEmpty || Self.only.contains(function) else { return }
        let w = try FunctionWorld(label: "gitfolio-fuzz")
        defer { w.remove() }
        let seed = Self.seed &* 1_000_003 &+ UInt64(FunctionCatalog.names.firstIndex(of: function) ?? 0)
        var fuzzer = EventFuzzer(seed: seed, context: .init(
            function: function, cookies: [w.ownerCookie, w.otherCookie, w.thirdCookie],
            ids: [w.publicResume, w.privateResume, w.comment, w.ownerNotification, 0, -1], origin: FunctionWorld.site, host: "127.0.0.1:8080",
            tokens: [w.ownerCheckoutToken]), hugeRate: Self.hugeRate)
        var statuses: [Int: Int] = [:]
        func check(_ answer: FunctionResponse, _ what: String, _ input: [UInt8]) {
            statuses[answer.statusCode, default: 0] += 1
            if let problem = Self.problem(answer) {
                Issue.record("\(function) \(what) (seed \(seed)): \(problem): \(answer.bodyText.prefix(300)) — for: \(String(decoding: input.prefix(400), as: UTF8.self))")
            }
        }

        let clock = ContinuousClock(), started = clock.now
        // Warm: one process answers every event in turn, and must survive all of them.
        let events = (0..<Self.warmEvents).map { _ in fuzzer.event(oneLine: true) }
        let generated = clock.now
        let (answers, run) = try await FunctionProcesses.warm(function, environment: w.environment, events: events.map { Data($0) })
        #expect(run.status == 0 && !Self.crashed(run.stderr), "\(function) warm: exit \(run.status); \(run.stderr.suffix(1500))")
        #expect(!run.stderr.contains(FunctionWorld.kakaoPayKey), "\(function) logged the KakaoPay key")
        for (event, answer) in zip(events, answers) { check(answer, "warm", event) }
        let warmDone = clock.now

        // One-shot: one event (which may span lines) per process.
        for i in 0..<Self.processEvents {
            let event = i == 0 && Self.hugeRate == 0 ? EventFuzzer.overTheLimit : fuzzer.event(oneLine: false)
            let out = try await FunctionProcesses.oneShot(function, environment: w.environment, input: Data(event))
            #expect(out.status == 0 && !Self.crashed(out.stderr), "\(function) one-shot: exit \(out.status); \(out.stderr.suffix(1500))")
            let lines = out.stdout.split(separator: 0x0A)
            guard lines.count == 1, let answer = try? FunctionResponse.parse(event: Array(lines[0])) else {
                Issue.record("\(function) one-shot (seed \(seed)): not one response: \(String(decoding: out.stdout.prefix(300), as: UTF8.self))")
                continue
            }
            check(answer, "one-shot", event)
        }

        // CGI: meta-variables and exactly CONTENT_LENGTH bytes of body.
        for _ in 0..<Self.processEvents {
            let (variables, body) = fuzzer.cgi()
            let out = try await FunctionProcesses.cgi(function, environment: w.environment, variables: variables, body: Data(body))
            #expect(out.status == 0 && !Self.crashed(out.stderr), "\(function) CGI: exit \(out.status); \(out.stderr.suffix(1500))")
            do {
                check(try FunctionProcesses.parseCGI(out.stdout), "CGI \(variables["REQUEST_METHOD"] ?? "-")", Array("\(variables)".utf8) + body)
            } catch {
                Issue.record("\(function) CGI (seed \(seed)): \(error): \(variables)")
            }
        }

        #expect(try w.database.database.integrityCheck() == "ok")
        let total = statuses.values.reduce(0, +)
        let statusList = statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: " ")
        print("process fuzz \(function): \(total) events (seed \(seed)), statuses \(statusList); generated in \(generated - started), warm \(warmDone - generated), processes \(clock.now - warmDone)")
    }
}
