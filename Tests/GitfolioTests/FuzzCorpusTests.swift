import Foundation
import FunctionCodable
import FuzzTargets
import GitfolioTestSupport
import Testing

/// The short run of the coverage-guided fuzz targets that belongs in the suite: every input of the
/// kept corpus (Tests/Fuzz/corpus/<target>, grown by scripts/fuzz.sh under libFuzzer, crash
/// reproducers included) through its target, then a few thousand deterministic mutations of them
/// (bytes flipped, inserted, removed, spliced). A target traps on a failure, so a regression stops
/// the suite here with the input's file name printed just before.
@Suite struct FuzzCorpusTests {
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../Fuzz/corpus").standardized
    static let mutations = Int(ProcessInfo.processInfo.environment["GITFOLIO_FUZZ_MUTATIONS"] ?? "") ?? 1500

    static func inputs(_ target: String) throws -> [(name: String, bytes: [UInt8])] {
        let folder = corpus.appendingPathComponent(target)
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map {
            ($0, Array(try Data(contentsOf: folder.appendingPathComponent($0))))
        }
    }

    @Test func everyTargetHasACorpus() throws {
        for target in FuzzTargets.names {
            #expect(try Self.inputs(target).count >= 5, "Tests/Fuzz/corpus/\(target) is missing or nearly empty")
        }
    }

    @Test(arguments: FuzzTargets.names)
    func theCorpusAndItsMutationsPass(target: String) throws {
        let inputs = try Self.inputs(target)
        for input in inputs { FuzzTargets.run(target, input.bytes) }
        guard !inputs.isEmpty else { return }
        var random = SeededRandom(seed: 0x6F1D + UInt64(FuzzTargets.names.firstIndex(of: target)!))
        for _ in 0..<Self.mutations {
            var bytes = inputs[Int.random(in: 0..<inputs.count, using: &random)].bytes
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let at = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0...4, using: &random) {
                case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << Int.random(in: 0...7, using: &random))
                case 1: bytes.insert(Array("\"{}[],:0\\u-e.".utf8).randomElement(using: &random)!, at: at)
                case 2 where !bytes.isEmpty: bytes.remove(at: at)
                case 3:
                    let other = inputs[Int.random(in: 0..<inputs.count, using: &random)].bytes
                    bytes = Array(bytes.prefix(at)) + other.suffix(other.count / 2)
                default: if !bytes.isEmpty { bytes[at] = UInt8.random(in: 0...255, using: &random) }
                }
            }
            FuzzTargets.run(target, bytes)
        }
    }

    /// Found by libFuzzer (the profile target, 60 s): a field error's label for a client's own key
    /// crashed when the key held `]` before `[` (a backwards range) or a position of Int.max (an
    /// overflow), so `PUT /api/me` with `{"][": 1}` killed the function instead of answering 400.
    @Test func oddBracketsInAKeyAreAFieldErrorNotACrash() async throws {
        for path in ["][", "a]b[0", "[", "]", "[]", "[0", "0]", "a[1]]", "a[[1]", "x[-1]", "x[9223372036854775807]", "x[99999999999999999999]",
                     "education[0].][", "][.education[2]", "projects[1].bullets[9223372036854775807]"] {
            let label = FieldLabels.label(path)
            #expect(!label.english.isEmpty && !label.korean.isEmpty, "\(path)")
        }
        let w = try FunctionWorld(label: "gitfolio-fuzz-found")
        defer { w.remove() }
        let bodies = [#"{"][":1}"#, #"{"x[9223372036854775807]":1}"#, #"{"education":[{"a]b[0":1}]}"#, #"{"links":[{"][":"x"}]}"#]
        let answers = try await w.run("me", bodies.map { w.request("PUT", "me", cookie: w.otherCookie, json: $0) })
        for (body, answer) in zip(bodies, answers) {
            #expect(answer.statusCode == 400 && answer.errorShape != nil, "\(body): \(answer.statusCode) \(answer.bodyText)")
        }
    }
}
