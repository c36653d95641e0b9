import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioResume
import Testing

/// Troubleshooting candidates mined from a small repository: which commits count, how they rank,
/// and what the writer makes of them (issue 16, part 5).
@Suite struct TroubleshootingTests {
    /// A cart with a reverted feature and its later fix (body with a cause, a test), a bare crash fix,
    /// a plain "resolve" without a type, and the commits that must never count: a refactor, a typo
    /// fix, a revert itself, a feature, and another person's well-described fix.
    func makeCart() throws -> (repo: TestRepository, revert: String) {
        let repo = try TestRepository()
        try repo.commit("feat: checkout page", by: alice, on: "2024-03-01T10:00:00+09:00", files: [
            "src/checkout.ts": String(repeating: "export const step = 1;\n", count: 20),
        ])
        try repo.commit("feat: cache cart totals", by: alice, on: "2024-03-02T10:00:00+09:00", files: [
            "src/cart.ts": "export const cache = new Map();\n",
        ])
        try repo.commit("Revert \"feat: cache cart totals\"", by: alice, on: "2024-03-03T10:00:00+09:00", files: [
            "src/cart.ts": "export const cache = null;\n",
        ])
        let revert = String(try repo.git("rev-parse", "HEAD").trimmingCharacters(in: .whitespacesAndNewlines).prefix(12))
        try repo.commit("""
            fix: cart total stale after a coupon is removed

            Totals were cached per session, so removing a coupon kept the old total because the cache key ignored coupons.

            Key the cache by cart and coupon.
            """, by: alice, on: "2024-03-05T10:00:00+09:00", files: [
            "src/cart.ts": "export const cache = new Map<string, number>();\nexport const key = (cart: string, coupon: string) => cart + coupon;\n",
            "tests/cart.test.ts": "test('coupon', () => {});\n",
        ])
        try repo.commit("fix: typo in footer", by: alice, on: "2024-03-06T10:00:00+09:00", files: ["src/footer.ts": "export const f = 'Shop';\n"])
        try repo.commit("refactor: split checkout into steps", by: alice, on: "2024-03-07T10:00:00+09:00", files: [
            "src/checkout.ts": String(repeating: "export const steps = 2;\n", count: 20),
        ])
        try repo.commit("fix: crash on an empty cart", by: alice, on: "2024-03-08T10:00:00+09:00", files: [
            "src/checkout.ts": String(repeating: "export const steps = 3;\n", count: 20),
        ])
        try repo.commit("Resolve slow search", by: alice, on: "2024-03-09T10:00:00+09:00", files: [
            "src/search.ts": String(repeating: "export const q = 1;\n", count: 5),
        ])
        try repo.commit("""
            fix: payment retries double charge

            The retry loop resent the request because the idempotency key was regenerated on each attempt.
            """, by: bob, on: "2024-03-10T10:00:00+09:00", files: [
            "src/pay.ts": "export const retry = 1;\n", "tests/pay.test.ts": "test('once', () => {});\n",
        ])
        return (repo, revert)
    }

    @Test func fixesRankedBySignalAndNothingElseCounts() throws {
        let (repo, revert) = try makeCart()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        let problems = evidence.contribution.problems ?? []
        #expect(problems.map(\.title) == ["cart total stale after a coupon is removed", "crash on an empty cart", "Resolve slow search"])
        guard problems.count == 3 else { return }
        let best = problems[0]
        #expect(best.afterRevert == revert)
        #expect(best.tests == ["tests/cart.test.ts"])
        #expect(best.cause == "Totals were cached per session, so removing a coupon kept the old total because the cache key ignored coupons.")
        #expect(best.detail?.hasPrefix("Totals were cached per session") == true)
        #expect(best.area == "src")
        // A fix type with a body, a cause, a test and a revert before it outranks a bare fix,
        // which outranks problem words without a type.
        #expect(best.score > problems[1].score && problems[1].score > problems[2].score)
        #expect(problems[1].afterRevert == nil && problems[1].tests.isEmpty && problems[1].cause == nil)
    }

    @Test(arguments: [Language.en, .ko])
    func writerCitesTheEvidenceAndLeavesTheRestAsPrompts(language: Language) throws {
        let (repo, revert) = try makeCart()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        let resume = OfflineWriter().write(evidence: [evidence], profile: Profile(), template: .gitfolio, language: language)
        let entries = try #require(resume.projects.first).troubleshooting
        #expect(entries.count == 2)
        guard entries.count == 2 else { return }
        let first = entries[0], second = entries[1]
        let hash = (evidence.contribution.problems ?? [])[0].hash
        #expect(first.problem.text.contains("cart total stale after a coupon is removed"))
        #expect(first.problem.evidence.contains("\(evidence.name):commit:\(hash)"))
        #expect(first.hypothesis.text.contains("because the cache key ignored coupons") && !first.hypothesis.needsInput)
        #expect(first.attempt.text.contains(String(revert.prefix(7))))
        #expect(first.attempt.text.contains(language == .ko ? "테스트 파일 1개" : "1 test file"))
        #expect(first.result.needsInput, "the improvement is the member's to tell")
        #expect(second.problem.text.contains("crash on an empty cart"))
        #expect(second.hypothesis.needsInput, "no cause in the message: a prompt, not a guess")
        // Nothing from the refactor, the typo, the revert, the feature or Bob's fix reaches the resume.
        let text = resume.allLines.map(\.text).joined(separator: "\n")
        for absent in ["split checkout", "typo", "cache cart totals", "double charge", "idempotency"] {
            #expect(!text.contains(absent), "\(absent)")
        }
    }
}
