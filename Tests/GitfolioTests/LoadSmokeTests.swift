import Foundation
import GitfolioTestSupport
import Testing

/// One small level of scripts/load.sh (the full run is not part of the suite: several minutes): a
/// small hub on `gitfolio serve` (this build), 4 connections of wrk for a second on each mix. Any
/// error answer, lost write, drift between the counts and the rows, or damaged file fails it.
@Suite struct LoadSmokeTests {
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk"), "wrk is not installed (scripts/deps.sh --test installs it)"))
    func oneSmallLevelOfTheLoadScriptHoldsWithNoErrorAndNoLostWrite() async throws {
        let result = try await runProcessAsync(URL(fileURLWithPath: "/usr/bin/python3"),
                                               arguments: [Built.packageRoot.path + "/scripts/load.py", Built.directory.path, "--levels", "4",
                                                           "--duration", "1", "--deployments", "serve", "--resumes", "20", "--readers", "10"],
                                               environment: ProcessInfo.processInfo.environment, input: Data())
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n")
        let rows = lines.filter { $0.hasPrefix("| serve | read |") || $0.hasPrefix("| serve | write |") }.map {
            $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        #expect(rows.count == 2, "\(result.out)")
        for row in rows where row.count >= 9 {
            #expect(row[6] == "0", "errors at \(row[1]) \(row[2]): \(row)")  // the errors column
            #expect(Double(row[3]) ?? 0 > 0, "no throughput: \(row)")
        }
        let writes = try #require(rows.first { $0.count >= 9 && $0[1] == "write" })[8].split(separator: "/").map {
            Int($0.trimmingCharacters(in: .whitespaces)) ?? -1
        }
        #expect(writes.count == 3 && writes[0] > 0 && writes[1] >= writes[0] && writes[2] == 0, "answered / in db / lost: \(writes)")
        #expect(result.out.contains("serve: PRAGMA integrity_check after the run: ok"), "\(result.out)")
        // The backup taken while the write mix ran: checked by `restore --check`, one snapshot.
        #expect(lines.contains { $0.hasPrefix("| serve | 4 |") && $0.hasSuffix("| ok | yes |") }, "\(result.out)")
    }
}
