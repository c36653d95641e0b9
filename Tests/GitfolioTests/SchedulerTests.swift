import Foundation
import GitfolioCore
import GitfolioStore
import GitfolioTestSupport
import Testing

/// The scheduler `gitfolio deploy` writes for the nightly batch: a systemd timer at midnight
/// Asia/Seoul and the service it starts, whose command is run here exactly as systemd would run it.
@Suite struct SchedulerTests {
    /// `KEY="value"` lines of a systemd EnvironmentFile.
    static func environment(_ text: String) -> [String: String] {
        var values: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            var value = String(line[line.index(after: eq)...])
            if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = String(value.dropFirst().dropLast()) }
            values[String(line[..<eq])] = value.replacingOccurrences(of: "\\\"", with: "\"").replacingOccurrences(of: "\\\\", with: "\\")
        }
        return values
    }

    static func setting(_ unit: String, _ name: String) -> String? {
        unit.split(separator: "\n").first { $0.hasPrefix(name + "=") }.map { String($0.dropFirst(name.count + 1)) }
    }

    @Test func deployWritesATimerAtMidnightInSeoulWhoseServiceRunsTheBatch() async throws {
        let fake = try await FakeKakaoPay()
        defer { Task { await fake.stop() } }
        let dir = try TempDir("gitfolio-schedule")
        defer { dir.remove() }
        var env = ProcessInfo.processInfo.environment.merging(fake.environment) { $1 }
        env["GITFOLIO_SECRET_FILE"] = dir.path("secret.key")
        let root = Built.packageRoot.path
        let deploy = try await runProcessAsync(Built.executable("gitfolio"), arguments: [
            "deploy", "--dir", dir.path("deploy"), "--functions", Built.directory.path, "--site", root + "/site",
            "--content", root + "/content", "--out", dir.path("_site"), "--db", dir.path("g.sqlite"),
        ], environment: env, input: Data())
        #expect(deploy.status == 0, "\(deploy.err)")
        let timer = try String(contentsOfFile: dir.path("deploy/gitfolio-nightly.timer"), encoding: .utf8)
        let service = try String(contentsOfFile: dir.path("deploy/gitfolio-nightly.service"), encoding: .utf8)
        #expect(Self.setting(timer, "OnCalendar") == "*-*-* 00:00:00 Asia/Seoul" && Self.setting(timer, "Persistent") == "true")
        #expect(Self.setting(service, "Type") == "oneshot")
        // The settings, secrets included, are in a file only its owner reads, never in the unit.
        let envFile = try #require(Self.setting(service, "EnvironmentFile"))
        let mode = try FileManager.default.attributesOfItem(atPath: envFile)[.posixPermissions] as? NSNumber
        #expect(mode?.intValue == 0o600)
        #expect(!service.contains(fake.secretKey) && !timer.contains(fake.secretKey))
        let settings = Self.environment(try String(contentsOfFile: envFile, encoding: .utf8))
        #expect(settings["KAKAOPAY_SECRET_KEY"] == fake.secretKey && settings["GITFOLIO_DB"] == dir.path("g.sqlite"))

        // systemd's own reading of the calendar: every elapse is 00:00 in Seoul, 15:00 UTC.
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze") {
            let calendar = try await runProcessAsync(URL(fileURLWithPath: "/usr/bin/systemd-analyze"),
                                                     arguments: ["calendar", "--iterations=5", Self.setting(timer, "OnCalendar")!],
                                                     environment: ["TZ": "UTC", "PATH": "/usr/bin:/bin"], input: Data())
            #expect(calendar.status == 0, "\(calendar.err)")
            let elapses = calendar.out.split(separator: "\n").filter { $0.contains("Next elapse:") || $0.contains("Iter. #") }
            #expect(elapses.count == 5, "\(calendar.out)")
            #expect(elapses.allSatisfy { $0.hasSuffix("15:00:00 UTC") }, "\(calendar.out)")
            // And the units as systemd would load them.
            let verify = try await runProcessAsync(URL(fileURLWithPath: "/usr/bin/systemd-analyze"),
                                                   arguments: ["verify", dir.path("deploy/gitfolio-nightly.service"), dir.path("deploy/gitfolio-nightly.timer")],
                                                   environment: ["PATH": "/usr/bin:/bin"], input: Data())
            #expect(verify.status == 0 && verify.err.isEmpty, "\(verify.err)")
        }

        // The service's command, run as systemd runs it: its working directory, only its environment file.
        let command = try #require(Self.setting(service, "ExecStart")).split(separator: " ").map(String.init)
        #expect(command.last == "nightly")
        let errPath = dir.path("nightly.err")
        let (status, stdout) = try await offPool { () throws -> (Int32, Data) in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
            process.environment = settings
            process.currentDirectoryURL = URL(fileURLWithPath: Self.setting(service, "WorkingDirectory")!)
            let out = ChildProcesses.pipe()
            _ = FileManager.default.createFile(atPath: errPath, contents: nil)
            process.standardOutput = out
            process.standardError = FileHandle(forWritingAtPath: errPath)
            process.standardInput = FileHandle.nullDevice
            try process.runAlone()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, data)
        }
        let stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(String(decoding: stdout, as: UTF8.self))\n\(stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        #expect(summary["date"] as? String == SeoulCalendar.date(of: Date()).iso && summary["ok"] as? Bool == true)
        #expect(!stderr.contains(fake.secretKey))
    }
}
