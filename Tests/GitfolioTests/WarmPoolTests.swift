import Foundation
import FunctionCore
import GitfolioTestSupport
import Testing

/// The warm pools of `gitfolio serve`, with a stand-in function process.
@Suite struct WarmPoolTests {
    /// A process that writes a stray line to stdout can no longer have its answers matched to its
    /// events (several may be in line at a quick process): serve answers 502 and replaces it, and
    /// no request ever gets the answer meant for another.
    @Test func aProcessThatWritesStrayOutputIsReplacedNotTrusted() async throws {
        let dir = try TempDir("gitfolio-pool")
        defer { dir.remove() }
        let functions = dir.url.appendingPathComponent("functions")
        try FileManager.default.createDirectory(at: functions, withIntermediateDirectories: true)
        for name in FunctionCatalog.names where name != "me" {
            try FileManager.default.createSymbolicLink(at: functions.appendingPathComponent(name), withDestinationURL: Built.executable(name))
        }
        // `me`: the first process writes a stray line before its third answer; every answer names the query it answers.
        let script = """
        #!/bin/sh
        stray=3
        if [ -e "\(dir.path("started"))" ]; then stray=0; fi
        touch "\(dir.path("started"))"
        while IFS= read -r line; do
          q=$(printf '%s' "$line" | grep -o 'q=[a-z]*' | head -1)
          if [ "$stray" = 1 ]; then echo "stray output"; fi
          if [ "$stray" -gt 0 ]; then stray=$((stray - 1)); fi
          printf '{"statusCode":200,"headers":{"content-type":"text/plain"},"body":"%s"}\\n' "$q"
        done
        """
        let me = functions.appendingPathComponent("me")
        try Data(script.utf8).write(to: me)
        chmod(me.path, 0o755)
        var env = ProcessInfo.processInfo.environment
        for key in ["GITHUB_CLIENT_ID", "GITHUB_CLIENT_SECRET", "GITFOLIO_PUBLIC_URL"] { env.removeValue(forKey: key) }
        env["GITFOLIO_SECRET_FILE"] = dir.path("secret.key")
        let root = Built.packageRoot.path
        let server = try Running(Built.executable("gitfolio"), [
            "serve", "--port", "0", "--workers", "1", "--functions", functions.path, "--site", root + "/site",
            "--content", root + "/content", "--out", dir.path("_site"), "--db", dir.path("g.sqlite"),
        ], environment: env)
        defer { server.stop() }
        // (A full build first: slow when the whole suite runs in parallel on two cores.)
        let port = try await server.await(#"serving http://127\.0\.0\.1:(\d+)/"#, timeout: 240)
        let http = TestHTTP()
        // Two quick answers make the process one that may hold several events in line.
        for q in ["a", "b"] {
            #expect(try await http.send("GET", URL(string: "http://127.0.0.1:\(port)/api/me?q=\(q)")!).text == "q=\(q)")
        }
        let queries = ["c", "d", "e", "f", "g", "h"]
        let answers = try await withThrowingTaskGroup(of: (String, TestHTTP.Response).self) { group in
            for q in queries {
                group.addTask { (q, try await http.send("GET", URL(string: "http://127.0.0.1:\(port)/api/me?q=\(q)")!)) }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(answers.contains { $0.1.status == 502 }, "the stray line went unnoticed")
        for (q, answer) in answers where answer.status == 200 {
            #expect(answer.text == "q=\(q)", "the request for q=\(q) got \(answer.text)")
        }
        #expect(try await http.send("GET", URL(string: "http://127.0.0.1:\(port)/api/me?q=z")!).text == "q=z")
    }
}
