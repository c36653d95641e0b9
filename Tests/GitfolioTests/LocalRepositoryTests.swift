import Foundation
import GitfolioCore
import GitfolioEvidence
import GitfolioTestSupport
import Testing

/// A git repository built by the test, commit by commit, with chosen authors and dates.
struct TestRepository {
    let dir: TempDir
    var url: URL { dir.url }

    init() throws {
        dir = try TempDir("gitfolio-repo")
        try git("init", "-q", "-b", "main")
    }

    @discardableResult
    func git(_ args: String..., author: (name: String, email: String) = ("Setup", "setup@example.com"), date: String = "2024-01-01T10:00:00+09:00") throws -> String {
        let env = ["GIT_AUTHOR_NAME": author.name, "GIT_AUTHOR_EMAIL": author.email, "GIT_AUTHOR_DATE": date,
                   "GIT_COMMITTER_NAME": author.name, "GIT_COMMITTER_EMAIL": author.email, "GIT_COMMITTER_DATE": date,
                   "HOME": dir.url.path, "PATH": "/usr/bin:/bin", "GIT_CONFIG_NOSYSTEM": "1"]
        let result = try runProcess(URL(fileURLWithPath: Git.defaultExecutable), arguments: ["-C", dir.url.path] + args,
                                    environment: env, input: Data())
        guard result.status == 0 else { throw ProcessError(message: "git \(args.joined(separator: " ")): \(result.err)") }
        return result.out
    }

    func write(_ path: String, _ text: String) throws {
        let url = dir.url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    func commit(_ message: String, by author: (name: String, email: String), on date: String, files: [String: String]) throws {
        for (path, text) in files { try write(path, text) }
        try git("add", "-A", author: author, date: date)
        try git("commit", "-q", "-m", message, author: author, date: date)
    }
}

let alice = (name: "Alice Kim", email: "alice@example.com")
let bob = (name: "Alice Kim", email: "bob@example.com")  // same display name, different person

/// A shop with a React/Express web app (Alice), a Go service with Docker (Bob, who shares Alice's
/// display name), CI on a merged branch, vendored files and a rename.
func makeShopRepository() throws -> TestRepository {
        let repo = try TestRepository()
        try repo.commit("Add web app", by: alice, on: "2023-03-05T10:00:00+09:00", files: [
            "package.json": #"{"name":"shop","dependencies":{"react":"^18.2.0","express":"^4.18.0","left-pad":"1.0.0"},"devDependencies":{"jest":"^29"}}"#,
            "src/app.ts": String(repeating: "export const x = 1;\n", count: 50),
            "README.md": "# Shop\n\n[![ci](https://x/badge.svg)](https://x)\n\nA small shop with a React front end\nand an Express API.\n\n## Usage\nnpm start\n",
        ])
        try repo.commit("Add Go service", by: bob, on: "2023-04-01T10:00:00+09:00", files: [
            "service/go.mod": "module example.com/svc\n\ngo 1.22\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.9.1\n)\n",
            "service/main.go": String(repeating: "package main\n", count: 30),
            "Dockerfile": "FROM golang:1.22\n",
            "compose.yaml": "services:\n  db:\n    image: postgres:16\n  cache:\n    image: redis:7\n",
        ])
        // A feature branch merged with a merge commit: its commit counts once, the merge not at all.
        try repo.git("checkout", "-q", "-b", "feature")
        try repo.commit("Add CI", by: alice, on: "2023-05-10T10:00:00+09:00", files: [
            ".github/workflows/ci.yml": "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n",
            "node_modules/huge/index.js": String(repeating: "var y = 2;\n", count: 5000),
        ])
        try repo.git("checkout", "-q", "main")
        try repo.commit("Tweak service", by: bob, on: "2023-05-11T10:00:00+09:00", files: ["service/main.go": "package main\n// v2\n"])
        try repo.git("merge", "-q", "--no-ff", "feature", "-m", "Merge feature", author: alice, date: "2023-05-12T10:00:00+09:00")
        // A rename by Alice, in a new month.
        try repo.git("mv", "src/app.ts", "src/main.ts", author: alice)
        try repo.git("commit", "-q", "-m", "Rename app to main", author: alice, date: "2023-07-02T10:00:00+09:00")
        return repo
}

@Suite struct LocalRepositoryTests {
    func makeRepository() throws -> TestRepository { try makeShopRepository() }

    @Test func attributesCommitsByEmailNeverByDisplayName() throws {
        let repo = try makeRepository()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: ["ALICE@example.com"]).analyze()
        let c = evidence.contribution
        #expect(c.totalCommits == 5)  // the merge commit is not counted
        #expect(c.commits == 3)       // Bob shares Alice's display name: his two commits are not hers
        #expect(c.recentCommits.map(\.subject) == ["Rename app to main", "Add CI", "Add web app"])
        #expect(c.firstMonth == "2023.03" && c.lastMonth == "2023.07")
        #expect(c.areas.first?.path == "src" && c.areas.first?.commits == 2)  // the rename is followed to src/main.ts
        #expect(!c.areas.contains { $0.path == "node_modules" })
        #expect(c.areas.contains { $0.path == ".github" })
        #expect(c.authorEmails == ["alice@example.com"])

        let both = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: ["alice@example.com", "bob@example.com"]).analyze()
        #expect(both.contribution.commits == 5)
    }

    @Test func detectsLanguagesAndTechnologiesWithTheirSources() throws {
        let repo = try makeRepository()
        defer { repo.dir.remove() }
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: ["alice@example.com"]).analyze()
        #expect(evidence.languages.map(\.name) == ["TypeScript", "Go"])  // vendored node_modules JavaScript is left out
        #expect(evidence.languages.first?.bytes == 50 * "export const x = 1;\n".utf8.count)
        let tech = Dictionary(uniqueKeysWithValues: evidence.technologies.map { ($0.name, $0) })
        #expect(tech["React"]?.sources == ["package.json"])
        #expect(tech["Express"]?.category == .framework)
        #expect(tech["Jest"]?.category == .testing)
        #expect(tech["Gin"]?.sources == ["service/go.mod"])
        #expect(tech["Docker"]?.sources == ["Dockerfile"])
        #expect(tech["PostgreSQL"]?.category == .database && tech["Redis"] != nil)
        #expect(tech["GitHub Actions"]?.sources == [".github/workflows/ci.yml"])
        #expect(tech["left-pad"] == nil)  // unknown packages are not named as skills
        #expect(evidence.readmeSummary == "A small shop with a React front end and an Express API.")
    }

    @Test(arguments: [
        ("requirements.txt", "Django==4.2\nfastapi>=0.100 # api\ntorch\n", ["Django", "FastAPI", "PyTorch"]),
        ("pyproject.toml", "[project]\ndependencies = [\"flask>=3\", \"sqlalchemy\"]\n", ["Flask", "SQLAlchemy"]),
        ("Cargo.toml", "[dependencies]\ntokio = { version = \"1\" }\naxum = \"0.7\"\n", ["Tokio", "Axum"]),
        ("build.gradle.kts", "plugins { id(\"org.springframework.boot\") }\ndependencies { implementation(\"org.springframework.boot:spring-boot-starter-data-jpa\") }\n", ["Spring Data JPA", "Spring Boot", "Gradle"]),
        ("Package.swift", ".package(url: \"https://github.com/vapor/vapor.git\", from: \"4.0.0\")\n", ["Vapor"]),
        ("Gemfile", "source 'https://rubygems.org'\ngem 'rails', '~> 7.0'\n", ["Ruby on Rails"]),
        ("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n", ["Kubernetes"]),
    ])
    func detectsManifestsOfOtherEcosystems(path: String, text: String, expected: [String]) async throws {
        let repo = try TestRepository()
        defer { repo.dir.remove() }
        try repo.commit("Add \(path)", by: alice, on: "2024-02-01T10:00:00+09:00", files: [path: text])
        let evidence = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email]).analyze()
        #expect(evidence.technologies.map(\.name) == expected)
    }

    @Test func keptLineCountsGiveTheSameEvidence() throws {
        let repo = try makeRepository()
        let cache = try TempDir("gitfolio-cache")
        defer { repo.dir.remove(); cache.remove() }
        var uncached = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email])
        uncached.cacheDirectory = nil
        var cached = uncached
        cached.cacheDirectory = cache.url
        cached.keepsEvidence = false  // the line counts' file itself is under test here
        let fresh = try uncached.analyze()
        #expect(try cached.analyze() == fresh)  // the cache empty: diffs computed and kept
        let kept = try FileManager.default.contentsOfDirectory(atPath: cache.url.path)
        #expect(kept.count == 1)
        #expect(try cached.analyze() == fresh)  // from the cache
        // Read, not computed again: a count planted in the kept file shows up in the evidence.
        let file = cache.url.appendingPathComponent(kept[0])
        let original = try Data(contentsOf: file)
        let planted = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\n1\t", with: "\n1001\t")
        #expect(planted != String(decoding: original, as: UTF8.self), "no count of 1 line to plant over")
        try Data(planted.utf8).write(to: file)
        #expect(try cached.analyze().contribution.linesAdded > fresh.contribution.linesAdded)
        try original.write(to: file)
        // Bob's commits were never diffed; with his address too, they are, and added to the same file.
        cached.authorEmails = [alice.email, bob.email]
        uncached.authorEmails = cached.authorEmails
        #expect(try cached.analyze() == uncached.analyze())
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.url.path) == kept)
    }

    /// A git executable that notes each run in a file, then runs git.
    func countingGit(_ dir: TempDir) throws -> (path: String, runs: () -> Int) {
        let log = dir.url.appendingPathComponent("runs.log"), script = dir.url.appendingPathComponent("git")
        try Data("#!/bin/sh\necho \"$*\" >> '\(log.path)'\nexec /usr/bin/git \"$@\"\n".utf8).write(to: script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        return (script.path, { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").split(separator: "\n").count })
    }

    @Test func keptEvidenceIsGivenWithoutGitUntilTheCloneChanges() throws {
        let repo = try makeRepository()
        let cache = try TempDir("gitfolio-cache"), tools = try TempDir("gitfolio-git")
        defer { repo.dir.remove(); cache.remove(); tools.remove() }
        let git = try countingGit(tools)
        var cached = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email], gitExecutable: git.path)
        cached.cacheDirectory = cache.url
        var uncached = cached
        uncached.cacheDirectory = nil
        func fresh() throws -> RepositoryEvidence { try uncached.analyze() }
        #expect(try cached.analyze() == fresh())
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).first { $0.hasPrefix("evidence-") })
        let url = cache.url.appendingPathComponent(file)

        // Given again without running git: a name planted in the kept file shows up.
        func plant() throws {
            let text = try String(contentsOf: url, encoding: .utf8)
            let name = try fresh().name
            try Data(text.replacingOccurrences(of: "\"name\":\"\(name)\"", with: "\"name\":\"planted\"").utf8).write(to: url)
        }
        try plant()
        var runs = git.runs()
        #expect(try cached.analyze().name == "planted")
        #expect(git.runs() == runs, "git ran for a clone that had not changed")

        // git rewrote its index (as `git status` often does): git runs, its answers are the same, still kept.
        try FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: repo.url.appendingPathComponent(".git/index").path)
        runs = git.runs()
        #expect(try cached.analyze().name == "planted")
        #expect(git.runs() > runs)

        // A tracked file edited (the same size), a new commit, another author: analysed again.
        let readme = repo.url.appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        try Data(String(text.reversed()).utf8).write(to: readme)
        #expect(try cached.analyze() == fresh())
        try plant()
        try repo.commit("Add a test", by: alice, on: "2024-03-01T10:00:00+09:00", files: ["web/src/app.test.js": "test('x', () => {})\n"])
        #expect(try cached.analyze() == fresh())
        try plant()
        cached.authorEmails = [alice.email, bob.email]
        uncached.authorEmails = cached.authorEmails
        #expect(try cached.analyze() == fresh())
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).filter { $0.hasPrefix("evidence-") }.count == 2)
    }

    @Test func theCacheFolderKeepsTheMostRecentClones() throws {
        let cache = try TempDir("gitfolio-cache")
        defer { cache.remove() }
        for i in 0..<6 {
            let url = cache.url.appendingPathComponent("numstat-\(i).log")
            try Data("\u{1e}x\n".utf8).write(to: url)
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: Double(1_000_000 + i))], ofItemAtPath: url.path)
        }
        LocalRepositoryAnalyzer.prune(cache.url, keeping: 4)
        #expect(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).sorted() == (2..<6).map { "numstat-\($0).log" })
    }

    /// A clone read again counts as recent (pruning keeps it); a shallow clone keeps nothing, since its
    /// oldest commit is diffed as a root until the clone is deepened.
    @Test func aReadCloneStaysAndAShallowOneIsNotKept() throws {
        let repo = try makeRepository()
        let cache = try TempDir("gitfolio-cache")
        defer { repo.dir.remove(); cache.remove() }
        var analyzer = try LocalRepositoryAnalyzer(repository: repo.url, authorEmails: [alice.email])
        analyzer.cacheDirectory = cache.url
        analyzer.keepsEvidence = false  // the line counts' file is under test
        _ = try analyzer.analyze()
        let name = try #require(try FileManager.default.contentsOfDirectory(atPath: cache.url.path).first)
        let file = cache.url.appendingPathComponent(name)
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSince1970: 1_000_000)], ofItemAtPath: file.path)
        _ = try analyzer.analyze()
        let touched = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.modificationDate] as? Date)
        #expect(touched > Date(timeIntervalSince1970: 2_000_000))

        let shallow = try TempDir("gitfolio-shallow")
        let shallowCache = try TempDir("gitfolio-cache")
        defer { shallow.remove(); shallowCache.remove() }
        let clone = Process()
        clone.executableURL = URL(fileURLWithPath: "/usr/bin/git")
        clone.arguments = ["clone", "-q", "--depth", "1", "file://" + repo.url.path, shallow.url.appendingPathComponent("c").path]
        try clone.runAlone()
        clone.waitUntilExit()
        #expect(clone.terminationStatus == 0)
        var shallowAnalyzer = try LocalRepositoryAnalyzer(repository: shallow.url.appendingPathComponent("c"), authorEmails: [alice.email, bob.email])
        shallowAnalyzer.cacheDirectory = shallowCache.url
        _ = try shallowAnalyzer.analyze()
        #expect(try FileManager.default.contentsOfDirectory(atPath: shallowCache.url.path).isEmpty)
    }

    @Test func refusesWhatItCannotAnalyse() throws {
        let dir = try TempDir()
        defer { dir.remove() }
        #expect(throws: APIError.self) { try LocalRepositoryAnalyzer(repository: dir.url, authorEmails: []) }
        #expect(throws: APIError.self) { try LocalRepositoryAnalyzer(repository: dir.url.appendingPathComponent("missing"), authorEmails: ["a@b.c"]) }
        #expect(throws: APIError.self) { try LocalRepositoryAnalyzer(repository: dir.url, authorEmails: ["a@b.c"]).analyze() }
    }

    @Test func commandPrintsEvidenceAsJSON() async throws {
        let repo = try makeRepository()
        defer { repo.dir.remove() }
        let result = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["evidence", "--repo", repo.url.path, "--author", alice.email],
                                    environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(result.status == 0, "\(result.err)")
        let evidence = try JSONDecoder().decode(RepositoryEvidence.self, from: result.stdout)
        #expect(evidence.contribution.commits == 3)
        #expect(result.err.contains("analysing"))
        let bad = try await runProcessAsync(Built.executable("gitfolio"), arguments: ["evidence", "--repo", repo.url.path],
                                 environment: ["PATH": "/usr/bin:/bin"], input: Data())
        #expect(bad.status != 0 && bad.err.contains("author"))
    }

    @Test(arguments: [
        ("src/{app.ts => main.ts}", "src/main.ts"),
        ("{old => new}/x.swift", "new/x.swift"),
        ("a/{ => b}/c.go", "a/b/c.go"),
        ("old.txt => new.txt", "new.txt"),
        ("plain/path.rs", "plain/path.rs"),
    ])
    func followsRenamesInNumstat(raw: String, expected: String) {
        #expect(LocalRepositoryAnalyzer.renamedPath(raw) == expected)
    }
}
