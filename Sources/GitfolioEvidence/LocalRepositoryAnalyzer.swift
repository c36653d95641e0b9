import Foundation
import GitfolioCore

#if canImport(Glibc)
import Glibc
#endif

/// Turns a git repository on disk into evidence, attributing commits by the author emails given.
public struct LocalRepositoryAnalyzer: Sendable {
    public var git: Git
    public var authorEmails: Set<String>
    /// Where the line counts of commits already diffed are kept (``withFileCounts(of:cache:complete:meanwhile:)``);
    /// nil keeps none. By default `$XDG_CACHE_HOME/gitfolio` or `~/.cache/gitfolio`.
    public var cacheDirectory: URL?
    /// Whether the whole evidence is kept in ``cacheDirectory`` too, and given again while the clone
    /// is unchanged (``KeptEvidence``). On unless `GITFOLIO_KEEP_EVIDENCE=0` (to time or force a new
    /// analysis with the line counts kept).
    public var keepsEvidence = ProcessInfo.processInfo.environment["GITFOLIO_KEEP_EVIDENCE"] != "0"

    /// At most this many of the member's changed files are read for their imports.
    static let maxFilesRead = 4000
    /// A dependency the catalogue lacks is named when this many of the member's files import it.
    static let uncataloguedUsage = 3

    public init(repository: URL, authorEmails: [String], gitExecutable: String = Git.defaultExecutable) throws {
        let emails = authorEmails.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        guard !emails.isEmpty else {
            throw APIError.badRequest("author_required",
                "Name at least one author email (--author): commits are attributed by email, never by display name.")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: repository.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw APIError.badRequest("not_a_repository", "\(repository.path) is not a folder.")
        }
        git = Git(repository: repository, executable: gitExecutable)
        self.authorEmails = Set(emails)
        cacheDirectory = Self.defaultCacheDirectory
    }

    /// `$XDG_CACHE_HOME/gitfolio`, else `$HOME/.cache/gitfolio`; nil without either.
    public static var defaultCacheDirectory: URL? {
        let env = ProcessInfo.processInfo.environment
        if let xdg = env["XDG_CACHE_HOME"], xdg.hasPrefix("/") { return URL(fileURLWithPath: xdg).appendingPathComponent("gitfolio") }
        if let home = env["HOME"], home.hasPrefix("/") { return URL(fileURLWithPath: home).appendingPathComponent(".cache/gitfolio") }
        return nil
    }

    public func analyze() throws -> RepositoryEvidence {
        // The evidence of a clone analysed before is kept with what it was made from (``KeptEvidence``).
        // First, without running git: the clone's git folder and tracked files as they were then.
        let real = Self.realPath(git.repository.path)
        let kept = (keepsEvidence ? cacheDirectory : nil).map { folder in
            KeptEvidence(file: folder.appendingPathComponent("evidence-\(Self.fingerprint(real + "\n" + authorEmails.sorted().joined(separator: "\n"))).json"))
        }
        let entry = kept?.read()
        var quick = kept == nil ? nil : Self.gitFolderState(top: real, git: git.executable, authorEmails: authorEmails)
        if let entry, var now = quick, let files = entry.files {
            now.add(Self.filesState(files, top: real))
            if now.hex == entry.quick { kept?.touch(); return entry.evidence }
        }

        // Five short git commands at once: the folder, its files, its remote, the history's commits
        // (one `git log` without diffs) and the diff settings (which the line counts depend on).
        let git = self.git
        let first = concurrently([
            // The folder, whether the clone is shallow (its oldest commits then look like roots, whose
            // counts change once it is deepened: not kept), and where its own attributes file is.
            ["rev-parse", "--show-toplevel", "--is-shallow-repository", "--absolute-git-dir"],
            ["ls-files", "-z"],
            // The configured address, as written (`remote get-url` would apply `insteadOf` rewrites).
            ["config", "--get", "remote.origin.url"],
            ["log", "--date=iso-strict", Self.logFormat],
            ["config", "--get-regexp", "^diff\\."],
        ].map { arguments in { @Sendable in try git.run(arguments) } })
        let parsed = String(decoding: try first[0].get(), as: UTF8.self).split(separator: "\n").map(String.init)
        let top = parsed.first ?? "", shallow = parsed.count > 1 && parsed[1] == "true"
        let gitDirectory = parsed.count > 2 ? parsed[2] : top + "/.git"
        let files = String(decoding: try first[1].get(), as: UTF8.self).split(separator: "\0").map(String.init)
        guard let kept, !shallow else {
            return try analyze(first: first, top: top, shallow: shallow, gitDirectory: gitDirectory, files: files).evidence
        }
        // Then from git's answers: the same evidence when they and the tracked files are unchanged
        // (git rewrites its index for many reasons, which the first check cannot tell from a change).
        // The tracked files' data is taken once, before anything is read: a file saved during the
        // analysis then differs from what is kept, and the clone is analysed again next time.
        let tracked = Self.filesState(files, top: top)
        let state = Self.state(of: first, tracked: tracked, gitDirectory: gitDirectory, authorEmails: authorEmails)
        // The first check's files are those git listed; it applies only where the folder given is the
        // clone's top folder, and to paths without a line break (the list is kept one path a line).
        if top == real, !files.contains(where: { $0.contains("\n") }), quick != nil {
            quick!.add(tracked)
        } else {
            quick = nil
        }
        let list = quick == nil ? nil : files.joined(separator: "\n")
        if let entry, entry.state == state {
            kept.write(KeptEvidence.Entry(state: state, quick: quick?.hex, files: list, evidence: entry.evidence))
            return entry.evidence
        }
        let (evidence, complete) = try analyze(first: first, top: top, shallow: shallow, gitDirectory: gitDirectory, files: files)
        // Not kept when a git process failed (commits left without their files): the next run tries again.
        if complete { kept.write(KeptEvidence.Entry(state: state, quick: quick?.hex, files: list, evidence: evidence)) }
        return evidence
    }

    /// The evidence, and whether every git process of the line counts succeeded.
    private func analyze(first: [Result<Data, any Error>], top: String, shallow: Bool, gitDirectory: String,
                         files: [String]) throws -> (evidence: RepositoryEvidence, complete: Bool) {
        let root = URL(fileURLWithPath: top)
        let remote = try? first[2].get()
        // Then the line counts of the commits that need them, while the working tree is read.
        var commits = Self.commits(fromLog: try first[3].get())
        // Named by what the counts depend on: the folder, the `diff.*` settings and the attributes
        // files (`-diff` or `binary` turn a file's counts into dashes).
        let cache = shallow ? nil : cacheDirectory.map { folder -> URL in
            var key = top + "\n" + String(decoding: (try? first[4].get()) ?? Data(), as: UTF8.self)
            for path in files where path == ".gitattributes" || path.hasSuffix("/.gitattributes") {
                key += "\n" + path + "\n" + ((try? String(contentsOfFile: top + "/" + path, encoding: .utf8)) ?? "")
            }
            key += "\n" + ((try? String(contentsOfFile: gitDirectory + "/info/attributes", encoding: .utf8)) ?? "")
            return folder.appendingPathComponent("numstat-\(Self.fingerprint(key)).log")
        }
        var complete = true
        let (readme, languages, declared) = try withFileCounts(of: &commits, cache: cache, complete: &complete) {
            (readmeText(root: root, files: files), self.languages(root: root, files: files), declarations(root: root, files: files))
        }
        // The troubleshooting candidates on a thread of their own (their regular expressions are
        // most of the history's time), the rest of the history and the technologies meanwhile.
        let emails = authorEmails, all = commits
        let problems: @Sendable () -> [Contribution.Problem] = { Self.problems(all, authorEmails: emails) }
        let (found, (past, used)) = try concurrently([problems]) { () -> (History, [Technology]) in
            let past = self.history(commits)
            return (past, self.technologies(declared, root: root, files: files, changed: past.changedFiles))
        }
        var contribution = past.contribution
        if case .success(let problems) = found[0], !problems.isEmpty { contribution.problems = problems }
        let identity = RepositoryIdentity(remote: remote.map { String(decoding: $0, as: UTF8.self) }, readme: readme,
                                          folder: root.lastPathComponent)
        return (RepositoryEvidence(
            name: identity.name, origin: identity.url ?? top,
            readmeSummary: readme.flatMap(Self.summary(ofReadme:)),
            languages: languages,
            technologies: used,
            contribution: contribution), complete)
    }

    func languages(root: URL, files: [String]) -> [LanguageShare] {
        var bytes: [String: Int] = [:]
        var info = stat()
        for path in files where !Languages.isVendored(path) {
            // lstat, as FileManager's attributesOfItem does, without the dictionary it builds per file.
            guard let language = Languages.language(of: path), lstat(root.path + "/" + path, &info) == 0 else { continue }
            bytes[language, default: 0] += Int(info.st_size)
        }
        let total = max(1, bytes.values.reduce(0, +))
        return bytes.map { LanguageShare(name: $0.key, bytes: $0.value, share: (Double($0.value) / Double(total) * 1000).rounded() / 1000) }
            .sorted { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
    }

    static func isFixture(_ path: String) -> Bool {
        Languages.components(path).dropLast().contains { ["fixtures", "__fixtures__", "testdata", "test-fixtures", "__snapshots__"].contains($0) }
    }

    /// What the manifests and configuration files declare: technologies (through the catalogue) in
    /// the order first found, with the files that name them, and the import names to count usage by.
    struct Declarations {
        var found: [String: Technology] = [:]
        var order: [String] = []
        /// Import names per technology (to count usage) and per uncatalogued declared package.
        var importNames: [String: [String]] = [:]
        var uncatalogued: [String: (declared: Declared, sources: [String], prefixes: [String])] = [:]
    }

    func declarations(root: URL, files: [String]) -> Declarations {
        var d = Declarations()
        func note(_ name: String, _ category: Technology.Category, _ path: String) {
            if d.found[name] == nil {
                d.found[name] = Technology(name: name, category: category, sources: [])
                d.order.append(name)
            }
            if !d.found[name]!.sources.contains(path) { d.found[name]!.sources.append(path) }
        }
        for path in files where Manifests.isManifest(path) && !Languages.isVendored(path) && !Self.isFixture(path) {
            let url = root.appendingPathComponent(path)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber,
                  size.intValue < 1_000_000, let data = FileManager.default.contents(atPath: url.path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for declared in Manifests.declarations(path: path, text: text) {
                if let entry = Catalogue.shared.entry(declared.ecosystem, declared.package) {
                    for name in [entry.name] + (entry.implies.map { [$0] } ?? []) {
                        note(name, Catalogue.shared.categories[name] ?? entry.category, path)
                        d.importNames[name, default: []] += Self.importNames(entry: entry, declared: declared)
                    }
                } else if let prefixes = Self.importNames(uncatalogued: declared),
                          !(declared.ecosystem == .maven && Catalogue.shared.hasGroup(of: declared.package)) {
                    let key = declared.package.lowercased()
                    var u = d.uncatalogued[key] ?? (declared, [], prefixes)
                    if !u.sources.contains(path) { u.sources.append(path) }
                    d.uncatalogued[key] = u
                }
            }
            for (name, category) in Manifests.detect(path: path, text: text) where d.found[name] == nil || !d.found[name]!.sources.contains(path) {
                note(name, category, path)
            }
        }
        return d
    }

    /// Technologies from manifests and configuration (``declarations(root:files:)``), ranked by how
    /// many of the member's changed files import them; heavily imported dependencies the catalogue
    /// lacks are named by their package.
    func technologies(_ declared: Declarations, root: URL, files: [String], changed: [String]) -> [Technology] {
        let (found, order, importNames, uncatalogued) = (declared.found, declared.order, declared.importNames, declared.uncatalogued)

        // Usage: the member's changed files that still exist, and what each imports.
        let tracked = Set(files)
        var usage: [String: Int] = [:]
        var unknownUsage: [String: Int] = [:]
        var languagesSeen: Set<Imports.Language> = []
        // Only files in a language whose imports are read are opened; they are read and scanned on
        // as many threads as there are cores (up to four), then counted here.
        let sources = changed.filter { tracked.contains($0) && !Languages.isVendored($0) }.prefix(Self.maxFilesRead)
            .filter { Imports.readsImports(of: $0) }
        let threads = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount, sources.count / 64))
        let scans = concurrently((0..<threads).map { t in
            let paths = stride(from: t, to: sources.count, by: threads).map { sources[$0] }
            return { @Sendable () -> [(Imports.Language, Set<String>)] in
                paths.compactMap { path in
                    guard let handle = FileHandle(forReadingAtPath: root.appendingPathComponent(path).path) else { return nil }
                    let data = handle.readData(ofLength: 256 * 1024)
                    try? handle.close()
                    return Imports.specifiers(path: path, text: String(decoding: data, as: UTF8.self))
                }
            }
        })
        for case .success(let scanned) in scans { for (language, names) in scanned where !names.isEmpty {
            languagesSeen.insert(language)
            for (tech, prefixes) in importNames where names.contains(where: { Imports.matches($0, prefixes: prefixes) }) {
                usage[tech, default: 0] += 1
            }
            for (key, u) in uncatalogued where names.contains(where: { Imports.matches($0, prefixes: u.prefixes) }) {
                unknownUsage[key, default: 0] += 1
            }
        } }
        var result = order.map { name -> Technology in
            var t = found[name]!
            // Usage is known where the technology has import names in a language the member wrote.
            if let names = importNames[name], !names.isEmpty {
                let ecosystems = Set(t.sources.compactMap { Self.importLanguage(ofManifest: $0) })
                if !ecosystems.isDisjoint(with: languagesSeen) || usage[name] != nil { t.usage = usage[name] ?? 0 }
            }
            return t
        }
        for (key, u) in uncatalogued.sorted(by: { $0.key < $1.key }) where (unknownUsage[key] ?? 0) >= Self.uncataloguedUsage {
            // Maven coordinates are named by their artifact, as people write them.
            let name = u.declared.ecosystem == .maven ? String(u.declared.package.split(separator: ":").last ?? "") : u.declared.package
            result.append(Technology(name: name, category: .library, sources: u.sources, usage: unknownUsage[key], uncatalogued: true))
        }
        // Most used first; declared but unused last; the catalogue's order otherwise.
        let rank = { (t: Technology) -> Int in t.usage.map { $0 == 0 ? -1 : $0 } ?? 0 }
        return result.enumerated().sorted { (rank($0.element), -$0.offset) > (rank($1.element), -$1.offset) }.map(\.element)
    }

    /// The import names of a catalogued package: its `imports` column, or the package's own name.
    static func importNames(entry: Catalogue.Entry, declared: Declared) -> [String] {
        if !entry.imports.isEmpty { return entry.imports }
        switch declared.ecosystem {
        case .npm, .go: return [declared.package]
        case .cargo: return [declared.package.replacingOccurrences(of: "-", with: "_")]
        case .pypi: return [declared.package.lowercased().replacingOccurrences(of: "-", with: "_")]
        case .gem: return [declared.package]
        default: return []  // Maven: only the catalogue's prefixes (a group such as org.springframework.boot says too little)
        }
    }

    /// Import names for a package the catalogue lacks, where they follow from its name; nil where
    /// they do not (a container image, a GitHub action).
    static func importNames(uncatalogued declared: Declared) -> [String]? {
        switch declared.ecosystem {
        case .npm, .go: return declared.package.hasPrefix("@types/") ? nil : [declared.package]
        case .cargo: return [declared.package.replacingOccurrences(of: "-", with: "_")]
        case .pypi: return [declared.package.lowercased().replacingOccurrences(of: "-", with: "_")]
        case .maven: return declared.package.split(separator: ":").first.map { [String($0)] }
        default: return nil
        }
    }

    /// The language whose imports show a manifest's packages in use.
    static func importLanguage(ofManifest path: String) -> Imports.Language? {
        let lower = Manifests.fileName(path).lowercased()
        switch lower {
        case "package.json": return .javascript
        case "pyproject.toml", "pipfile", "setup.py", "setup.cfg": return .python
        case "cargo.toml": return .rust
        case "go.mod": return .go
        case "package.swift": return .swift
        case "build.gradle", "build.gradle.kts", "pom.xml", "libs.versions.toml": return .jvm
        case "composer.json": return .php
        default:
            if lower.hasPrefix("requirements") { return .python }
            if lower.hasSuffix(".csproj") { return .csharp }
            return nil
        }
    }

    // MARK: History

    struct History {
        var contribution: Contribution
        /// Paths the member changed, most recently changed first.
        var changedFiles: [String]
    }

    struct Commit {
        var hash: String
        var email: String
        var name: String
        var date: String
        var parents: Int
        var subject: String
        var body: String
        var files: [(path: String, added: Int, deleted: Int)]
    }

    /// Each commit's fields; its files come from a second pass (``withFileCounts(of:cache:complete:meanwhile:)``).
    static let logFormat = "--format=%x1e%H%x1f%ae%x1f%an%x1f%ad%x1f%P%x1f%s%x1f%b%x1d"

    /// The commits of a `git log` in ``logFormat``, newest first, without their files.
    static func commits(fromLog raw: Data) -> [Commit] {
        // Split as bytes (the separators are ASCII control characters), then each field decoded.
        var commits: [Commit] = []
        for record in [UInt8](raw).split(separator: 0x1e) {
            guard let end = record.firstIndex(of: 0x1d) else { continue }
            let fields = record[..<end].split(separator: 0x1f, maxSplits: 6, omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard fields.count == 7 else { continue }
            commits.append(Commit(hash: fields[0], email: fields[1].lowercased(), name: fields[2], date: fields[3],
                                  parents: fields[4].split(separator: " ").count, subject: fields[5],
                                  body: fields[6].trimmingCharacters(in: .whitespacesAndNewlines), files: []))
        }
        return commits
    }

    static func isRevert(_ subject: String) -> Bool {
        subject.hasPrefix("Revert \"") || subject.lowercased().hasPrefix("revert:")
    }

    /// Each `git log` process of the second pass gets at least this many commits.
    static let commitsPerProcess = 32

    /// Fills in the changed files and line counts (renames followed to their new path) of the
    /// commits that use them: the member's, and reverts by anyone (a fix after a revert scores
    /// higher). Merges have none (`git log` shows no diff for them), and other people's commits are
    /// only counted, so their diffs, most of the cost in a shared repository, are not computed.
    ///
    /// A commit's diff never changes (its id names its content and its parent's), so the diffs
    /// computed once are kept in `cache`, git's own output for each commit, and only commits not in
    /// it are diffed; the file is named by the repository's folder and its `diff.*` settings, which
    /// the counts depend on. Those are split among up to four `git log --no-walk --stdin` processes
    /// running side by side, while `meanwhile` runs on this thread. A clone missing some blobs
    /// (partial) cannot diff: the commits of a git process that failed have no files. A shallow
    /// clone's counts are not kept (its oldest commits are diffed as roots until it is deepened).
    func withFileCounts<T>(of commits: inout [Commit], cache: URL?, complete: inout Bool, meanwhile: () throws -> T) throws -> T {
        let wanted = commits.filter { $0.parents < 2 && (authorEmails.contains($0.email) || Self.isRevert($0.subject)) }.map(\.hash)
        let kept = wanted.isEmpty ? nil : cache.flatMap { try? Data(contentsOf: $0) }
        var files = kept.map(Self.fileChanges(fromLog:)) ?? [:]
        let missing = wanted.filter { files[$0] == nil }
        let processes = max(1, min(4, ProcessInfo.processInfo.activeProcessorCount, missing.count / Self.commitsPerProcess))
        let git = self.git
        let jobs: [@Sendable () throws -> Data] = missing.isEmpty ? [] : (0..<processes).map { p in
            // Interleaved, so that each process gets old and new, large and small commits alike.
            let hashes = stride(from: p, to: missing.count, by: processes).map { missing[$0] }.joined(separator: "\n")
            return { try git.run(["log", "--no-walk=unsorted", "--stdin", "-M", "--numstat", "--format=%x1e%H"], input: Data(hashes.utf8)) }
        }
        let (results, value) = try concurrently(jobs, meanwhile: meanwhile)
        // A git process that failed (a clone missing blobs cannot diff) leaves its commits without
        // files; the other processes' counts (each complete for its commits) and the kept ones are used.
        var computed = Data()
        for case .success(let raw) in results { computed += raw }
        complete = results.allSatisfy { if case .success = $0 { true } else { false } }
        files.merge(Self.fileChanges(fromLog: computed)) { a, _ in a }
        if let cache, !computed.isEmpty {
            // Written whole under a temporary name, then renamed: a reader never sees half a record.
            // The folder is the member's alone (it names the paths of private repositories).
            try? FileManager.default.createDirectory(at: cache.deletingLastPathComponent(), withIntermediateDirectories: true,
                                                     attributes: [.posixPermissions: 0o700])
            Self.writePrivately((kept ?? Data()) + computed, to: cache)
            Self.prune(cache.deletingLastPathComponent(), keeping: Self.keptClones)
        } else if let cache, kept != nil {
            // Read and still useful: it counts as recent, so pruning keeps it over clones not read lately.
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: cache.path)
        }
        for i in commits.indices { commits[i].files = files[commits[i].hash] ?? [] }
        return value
    }

    /// Changes whenever the analysis changes in a way the running executable's file does not show.
    static let evidenceRevision = "evidence-1"

    /// Everything a clone's evidence is made from, as one fingerprint: the five git commands' output
    /// (the folder, the tracked files, the remote, every commit's fields, the diff settings), each
    /// tracked file's size, modification time, inode and mode (the contents read are only tracked
    /// files', and the languages count their sizes; a symbolic link's target is checked too), the
    /// attributes file in the git folder, the author addresses, and the executable doing the analysis
    /// (a new build changes it). Git's own check of the working tree rests on the same file data.
    static func state(of outputs: [Result<Data, any Error>], tracked: String, gitDirectory: String, authorEmails: Set<String>) -> String {
        var hash = FNV1a()
        hash.add(evidenceRevision)
        for email in authorEmails.sorted() { hash.add(email) }
        for output in outputs {
            switch output {
            case .success(let data): hash.add(1); hash.add(data)
            case .failure: hash.add(2)
            }
        }
        hash.add(executableState)
        hash.add(fileState(gitDirectory + "/info/attributes"))
        hash.add(tracked)
        return hash.hex
    }

    /// The first check's fingerprint of a clone whose git folder is `top/.git`, before its tracked
    /// files are added (``filesState(_:top:)``): what `git rev-parse`, `ls-files`, `config` and `log`
    /// answer from, read without running git. The branch HEAD names and the commit it points to, the
    /// packed references, the index (the tracked files), the clone's and the user's configuration
    /// files, the attributes, grafts, replacements and alternates that change what `git log` shows,
    /// and the git executable. Nil where it cannot stand in for git's answers: no git folder there (a
    /// linked worktree, or a subfolder), a shallow clone, or git variables that point git at other
    /// files (`GIT_DIR`, `GIT_INDEX_FILE`, `GIT_CONFIG_GLOBAL` and the like).
    static func gitFolderState(top: String, git: String, authorEmails: Set<String>) -> FNV1a? {
        let folder = top + "/.git"
        var info = stat()
        let env = ProcessInfo.processInfo.environment
        let gitVariables = env.filter { $0.key.hasPrefix("GIT_") }.sorted { $0.key < $1.key }
        let elsewhere = ["GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES",
                         "GIT_GRAFT_FILE", "GIT_SHALLOW_FILE", "GIT_REPLACE_REF_BASE", "GIT_CONFIG"]
        guard stat(folder, &info) == 0, info.st_mode & S_IFMT == S_IFDIR, access(folder + "/shallow", F_OK) != 0,
              !gitVariables.contains(where: { variable in elsewhere.contains { variable.key.hasPrefix($0) } })
        else { return nil }
        var hash = FNV1a()
        hash.add("quick-" + evidenceRevision)
        // Other git variables (certificates, prompts, `git -c` settings) go in as they are.
        for (key, value) in gitVariables { hash.add(key + "=" + value) }
        for email in authorEmails.sorted() { hash.add(email) }
        hash.add(executableState)
        let head = FileManager.default.contents(atPath: folder + "/HEAD") ?? Data()
        hash.add(head)
        let text = String(decoding: head, as: UTF8.self)
        if text.hasPrefix("ref: ") {
            let name = text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)
            guard !name.contains(".."), let ref = FileManager.default.contents(atPath: folder + "/" + name) else { return nil }
            hash.add(ref)
        }
        for name in ["packed-refs", "index", "config", "info/attributes", "info/grafts", "refs/replace", "objects/info/alternates"] {
            hash.add(fileState(folder + "/" + name))
        }
        let home = env["HOME"] ?? "", xdg = env["XDG_CONFIG_HOME"] ?? (home + "/.config")
        for path in [home + "/.gitconfig", xdg + "/git/config", xdg + "/git/attributes", "/etc/gitconfig", git] { hash.add(fileState(path)) }
        return hash
    }

    /// Each tracked file's size, modification and change times, inode and mode (and its target's,
    /// for a symbolic link), in order, as one fingerprint.
    static func filesState(_ files: [String], top: String) -> String {
        var hash = FNV1a(), path = PathBuffer(top)
        for file in files {
            var file = file
            file.withUTF8 { path.stat(UnsafeRawBufferPointer($0), into: &hash) }
        }
        return hash.hex
    }

    /// The same for a list of paths one a line (as kept), read as bytes: a clone has thousands.
    static func filesState(_ list: String, top: String) -> String {
        var hash = FNV1a(), path = PathBuffer(top)
        guard !list.isEmpty else { return hash.hex }
        var list = list
        list.withUTF8 { bytes in
            var start = 0
            for end in 0...bytes.count where end == bytes.count || bytes[end] == UInt8(ascii: "\n") {
                path.stat(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<end])), into: &hash)
                start = end + 1
            }
        }
        return hash.hex
    }

    /// `top/` followed by one relative path at a time, as a C string.
    struct PathBuffer {
        private var bytes: [CChar]
        private let prefix: Int
        init(_ top: String) {
            bytes = Array(top.utf8CString.dropLast()) + [CChar(UInt8(ascii: "/"))]
            prefix = bytes.count
        }
        mutating func stat(_ relative: UnsafeRawBufferPointer, into hash: inout FNV1a) {
            bytes.removeSubrange(prefix...)
            for byte in relative { bytes.append(CChar(bitPattern: byte)) }
            bytes.append(0)
            var info = Glibc.stat()
            guard lstat(bytes, &info) == 0 else { hash.add(0); return }
            hash.add(info)
            if info.st_mode & S_IFMT == S_IFLNK { hash.add(fileState(String(cString: bytes))) }
        }
    }

    /// A file's size, times, inode and mode as `stat` gives them (following links), or a mark for none.
    static func fileState(_ path: String) -> [Int] {
        var info = stat()
        guard stat(path, &info) == 0 else { return [0] }
        return FNV1a.fields(info)
    }

    /// The executable doing the analysis (the file itself: the link in /proc is made anew for each process).
    static var executableState: [Int] { fileState("/proc/self/exe") }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// A clone's evidence kept in the cache folder beside its line counts (one file per clone and
    /// author addresses), with the two fingerprints of what it was made from.
    struct KeptEvidence {
        var file: URL

        struct Entry: Codable {
            /// ``state(of:tracked:gitDirectory:authorEmails:)``: from git's answers.
            var state: String
            /// ``gitFolderState(top:git:authorEmails:)`` with the tracked files: without git.
            var quick: String?
            /// The tracked files the quick fingerprint covers, one a line.
            var files: String?
            var evidence: RepositoryEvidence
        }

        func read() -> Entry? {
            guard let data = try? Data(contentsOf: file) else { return nil }
            return try? JSONDecoder().decode(Entry.self, from: data)
        }

        /// Used again: it counts as recent, so pruning keeps it over clones not read lately.
        func touch() {
            try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: file.path)
        }

        /// Keeps `entry` in place of what was kept for the clone before (written whole, then renamed).
        func write(_ entry: Entry) {
            guard let data = try? JSONEncoder().encode(entry) else { return }
            let folder = file.deletingLastPathComponent()
            try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            LocalRepositoryAnalyzer.writePrivately(data, to: file)
            LocalRepositoryAnalyzer.prune(folder, prefix: "evidence-", keeping: LocalRepositoryAnalyzer.keptClones)
        }
    }

    /// Writes `data` to `file` readable by the user alone (it names the paths of private repositories),
    /// whole under a temporary name and then renamed, so that a reader never sees half of it.
    static func writePrivately(_ data: Data, to file: URL) {
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max))")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data, attributes: [.posixPermissions: 0o600]) else { return }
        if rename(temporary.path, file.path) != 0 { unlink(temporary.path) }
    }

    /// The cache folder keeps the line counts of this many clones (the most recently read or written).
    static let keptClones = 64

    /// Removes all but the `count` most recently used files of `folder` whose names start with `prefix`
    /// (line counts, or kept evidence).
    package static func prune(_ folder: URL, prefix: String = "numstat-", keeping count: Int) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: folder.path).filter({ $0.hasPrefix(prefix) }), names.count > count else { return }
        let files = names.map { name -> (URL, Date) in
            let url = folder.appendingPathComponent(name)
            return (url, (try? fm.attributesOfItem(atPath: url.path)[.modificationDate] as? Date) ?? .distantPast)
        }
        for (url, _) in files.sorted(by: { $0.1 > $1.1 }).dropFirst(count) { try? fm.removeItem(at: url) }
    }

    /// FNV-1a, 64 bits, over many pieces; each piece's length goes in before it, so no two
    /// sequences of pieces run together into the same bytes.
    struct FNV1a {
        private var value: UInt64 = 0xcbf2_9ce4_8422_2325
        /// The bytes as they are, without their length.
        mutating func mix(_ bytes: some Sequence<UInt8>) {
            for byte in bytes { value = (value ^ UInt64(byte)) &* 0x100_0000_01b3 }
        }
        mutating func add(_ bytes: UnsafeRawBufferPointer) {
            var length = UInt64(bytes.count)
            withUnsafeBytes(of: &length) { mix($0) }
            mix(bytes)
        }
        mutating func add(_ data: Data) { data.withUnsafeBytes { add($0) } }
        mutating func add(_ text: String) { var text = text; text.withUTF8 { add(UnsafeRawBufferPointer($0)) } }
        mutating func add(_ number: Int) { var number = number; withUnsafeBytes(of: &number) { add($0) } }
        mutating func add(_ info: stat) { add(Self.fields(info)) }
        mutating func add(_ numbers: [Int]) { numbers.withUnsafeBytes { add($0) } }
        static func fields(_ info: stat) -> [Int] {
            [Int(info.st_size), Int(info.st_mtim.tv_sec), Int(info.st_mtim.tv_nsec), Int(info.st_ino), Int(info.st_mode),
             Int(info.st_ctim.tv_sec), Int(info.st_ctim.tv_nsec)]
        }
        var hex: String { String(value, radix: 16) }
    }

    /// FNV-1a, 64 bits, as hex: a file name for a text.
    static func fingerprint(_ text: String) -> String {
        var hash = FNV1a()
        hash.mix(text.utf8)
        return hash.hex
    }

    typealias FileChange = (path: String, added: Int, deleted: Int)

    /// Output of `git log --numstat --format=%x1e%H`: each commit's changed files and line counts.
    static func fileChanges(fromLog raw: Data) -> [String: [FileChange]] {
        var out: [String: [FileChange]] = [:]
        // As bytes: git quotes a path with control characters, so a line ends at every newline.
        for record in [UInt8](raw).split(separator: 0x1e) {
            let lines = record.split(separator: 0x0a)
            guard let hash = lines.first else { continue }
            var files: [FileChange] = []
            for line in lines.dropFirst() {
                let parts = line.split(separator: 0x09, maxSplits: 2).map { String(decoding: $0, as: UTF8.self) }
                guard parts.count == 3 else { continue }
                files.append((Self.renamedPath(parts[2]), Int(parts[0]) ?? 0, Int(parts[1]) ?? 0))
            }
            out[String(decoding: hash, as: UTF8.self)] = files
        }
        return out
    }

    /// The member's contribution over the whole history (newest first, files filled in), without
    /// its troubleshooting candidates (``problems(_:authorEmails:)``). Merge commits are not
    /// counted, but a merge of a pull request by the member names it.
    func history(_ commits: [Commit]) -> History {
        var mine = 0, total = 0, added = 0, deleted = 0
        var dates: [String] = []
        var areas: [String: Int] = [:]
        var recent: [Contribution.CommitRef] = []
        var names: [String: Int] = [:]
        var changed: [String] = []
        var seen: Set<String> = []
        for commit in commits where commit.parents < 2 {
            total += 1
            guard authorEmails.contains(commit.email) else { continue }
            mine += 1
            dates.append(commit.date)
            names[commit.name, default: 0] += 1
            if recent.count < 20 {
                recent.append(.init(hash: String(commit.hash.prefix(12)), date: String(commit.date.prefix(10)), subject: String(commit.subject.prefix(200))))
            }
            var touched: Set<String> = []
            for file in commit.files {
                added += file.added
                deleted += file.deleted
                if seen.insert(file.path).inserted { changed.append(file.path) }
                if Languages.isVendored(file.path) { continue }
                touched.insert(Self.area(of: file.path))
            }
            for area in touched { areas[area, default: 0] += 1 }
        }
        let months = dates.map { String($0.prefix(7)).replacingOccurrences(of: "-", with: ".") }.sorted()
        return History(contribution: Contribution(
            authorEmails: authorEmails.sorted(), commits: mine, totalCommits: total,
            firstMonth: months.first, lastMonth: months.last, linesAdded: added, linesDeleted: deleted,
            areas: areas.map { .init(path: $0.key, commits: $0.value) }.sorted { ($0.commits, $1.path) > ($1.commits, $0.path) },
            recentCommits: recent,
            authorName: names.max { ($0.value, $1.key) < ($1.value, $0.key) }?.key,
            problems: nil), changedFiles: changed)
    }

    static func area(of path: String) -> String {
        let components = Languages.components(path)
        return components.count > 1 ? String(components[0]) : "(root)"
    }

    // MARK: Troubleshooting candidates

    /// Conventional-commit types that never describe a problem solved.
    static let notProblems: Set<String> = ["refactor", "chore", "docs", "doc", "style", "test", "tests", "ci", "build", "release",
                                           "revert", "merge", "wip", "format", "lint", "deps", "bump", "feat", "feature", "init"]
    static let fixTypes: Set<String> = ["fix", "hotfix", "bugfix", "perf", "bug"]
    static let problemWords = #"(?i)\b(fix(e[sd])?|bugs?|errors?|crash(es|ed)?|exceptions?|leaks?|race|deadlock|time-?outs?|slow|n\+1|memory|perf(ormance)?|optimi[sz]e[sd]?|broken|fails?|failing|failed|incorrect|wrong|prevents?|resolves?d?|hangs?)\b|수정|해결|버그|오류|에러|개선|최적화|문제|장애|누락|실패|예외"#
    static let noise = #"(?i)\b(typos?|bump|dependabot|upgrade dependenc|update dependenc|readme|lint(ing)?|formatting|prettier|merge branch|wip)\b|오타|주석"#
    static let causeWords = #"(?i)\b(because|caused|cause|due to|root cause|the reason|when)\b|원인|때문|발생|경우"#

    /// Commits by the member (and pull requests they merged) that describe a problem and its fix,
    /// scored by their signal: a fix type or problem words in the subject (3 or 2), a body with
    /// prose (2) that names a cause (1), tests added or changed with it (2), a pull request number
    /// (1, or 2 for a merged pull request), a revert of the same files before it (2) and a
    /// reviewable size (1). Refactors, chores, docs, typo and dependency bumps never count.
    static func problems(_ commits: [Commit], authorEmails: Set<String>) -> [Contribution.Problem] {
        var found: [Contribution.Problem] = []
        var reverts: [(hash: String, files: Set<String>)] = []
        for commit in commits.reversed() {  // oldest first, so a revert is seen before the fix after it
            let paths = Set(commit.files.map(\.path))
            if isRevert(commit.subject) {
                reverts.append((String(commit.hash.prefix(12)), paths))
                continue
            }
            guard authorEmails.contains(commit.email) else { continue }
            var subject = commit.subject.trimmingCharacters(in: .whitespaces)
            var body = commit.body
            var pullRequest: Int?
            var merged = false
            if commit.parents >= 2 {
                // `Merge pull request #12 from user/branch` + the pull request's title as the body.
                guard let r = subject.range(of: #"^Merge pull request #(\d+)"#, options: .regularExpression) else { continue }
                pullRequest = Int(subject[r].filter(\.isNumber))
                let lines = body.split(separator: "\n", omittingEmptySubsequences: false)
                guard let title = lines.first, !title.isEmpty else { continue }
                subject = String(title)
                body = lines.dropFirst().joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
                merged = true
            }
            if let r = pullRequestSuffix(subject) {
                pullRequest = pullRequest ?? Int(subject[r].filter(\.isNumber))
                subject.removeSubrange(r)
            }
            var type: String?
            if let r = conventionalType(subject) {
                type = subject[r].prefix { $0.isLetter }.lowercased()
                subject = String(subject[r.upperBound...])
            } else if let r = bracketType(subject) {
                type = subject[r].filter(\.isLetter).lowercased()
                subject = String(subject[r.upperBound...])
            }
            if let type, notProblems.contains(type) { continue }
            if contains(subject, SubjectScanner.noise, noise) { continue }
            var score = 0
            if let type, fixTypes.contains(type) { score += 3 }
            else if contains(subject, SubjectScanner.problemWords, problemWords) { score += 2 }
            else { continue }
            let paragraph = body.components(separatedBy: "\n\n").first?
                .split(separator: "\n").filter { !$0.hasPrefix("Signed-off-by") && !$0.hasPrefix("Co-authored-by") && !$0.hasPrefix("* ") }
                .joined(separator: " ").trimmingCharacters(in: .whitespaces) ?? ""
            let detail = paragraph.count >= 30 ? String(paragraph.prefix(300)) : nil
            if detail != nil { score += 2 }
            let cause = sentences(body).first { contains($0, SubjectScanner.causeWords, causeWords) }.map { String($0.prefix(200)) }
            if cause != nil { score += 1 }
            let tests = commit.files.map(\.path).filter(isTest)
            if !tests.isEmpty { score += 2 }
            if pullRequest != nil { score += merged ? 2 : 1 }
            let after = reverts.last { !$0.files.isDisjoint(with: paths) }
            if after != nil { score += 2 }
            let lines = commit.files.map { $0.added + $0.deleted }.reduce(0, +)
            if (3...800).contains(lines) { score += 1 }
            var areaCounts: [String: Int] = [:]
            for p in paths where !Languages.isVendored(p) { areaCounts[area(of: p), default: 0] += 1 }
            found.append(Contribution.Problem(
                hash: String(commit.hash.prefix(12)), date: String(commit.date.prefix(10)), title: String(subject.prefix(200)),
                detail: detail, cause: cause, pullRequest: pullRequest,
                area: areaCounts.max { ($0.value, $1.key) < ($1.value, $0.key) }.map(\.key).flatMap { $0 == "(root)" ? nil : $0 },
                files: commit.files.count, linesChanged: lines, tests: Array(tests.prefix(5)), afterRevert: after?.hash, score: score))
        }
        return Array(found.filter { $0.score >= 3 }.sorted { ($0.score, $0.date) > ($1.score, $1.date) }.prefix(10))
    }

    // The subject rules: byte scans for plain ASCII text (``SubjectScanner``), the regular
    // expressions for anything else; the two agree (TroubleshootingScannerTests).

    /// Whether `pattern` (a `\b(…)\b` word list, `words` as bytes) matches somewhere in `text`.
    static func contains(_ text: String, _ words: SubjectScanner.Words, _ pattern: String) -> Bool {
        words.found(in: text) ?? (text.range(of: pattern, options: .regularExpression) != nil)
    }

    /// The range of a trailing ` (#12)` (`\s*\(#(\d+)\)\s*$`).
    static func pullRequestSuffix(_ subject: String) -> Range<String.Index>? {
        guard let scanned = SubjectScanner.pullRequestSuffix(subject) else {
            return subject.range(of: #"\s*\(#(\d+)\)\s*$"#, options: .regularExpression)
        }
        return scanned.map { utf8Range(subject, $0) }
    }

    /// The range of a leading `fix(scope)!: ` (`^[A-Za-z]+(\([^)]*\))?!?:\s*`).
    static func conventionalType(_ subject: String) -> Range<String.Index>? {
        guard let scanned = SubjectScanner.conventionalType(subject) else {
            return subject.range(of: #"^[A-Za-z]+(\([^)]*\))?!?:\s*"#, options: .regularExpression)
        }
        return scanned.map { utf8Range(subject, 0..<$0) }
    }

    /// The range of a leading `[Fix] ` (`^\[[A-Za-z]+\]\s*`).
    static func bracketType(_ subject: String) -> Range<String.Index>? {
        guard let scanned = SubjectScanner.bracketType(subject) else {
            return subject.range(of: #"^\[[A-Za-z]+\]\s*"#, options: .regularExpression)
        }
        return scanned.map { utf8Range(subject, 0..<$0) }
    }

    private static func utf8Range(_ text: String, _ r: Range<Int>) -> Range<String.Index> {
        text.utf8.index(text.startIndex, offsetBy: r.lowerBound)..<text.utf8.index(text.startIndex, offsetBy: r.upperBound)
    }

    /// Candidates from commit subjects alone (GitHub's commit list, without bodies or files).
    public static func problems(subjects commits: [Contribution.CommitRef]) -> [Contribution.Problem] {
        let me = "member@gitfolio.invalid"
        return problems(commits.map { Commit(hash: $0.hash, email: me, name: "", date: $0.date, parents: 1, subject: $0.subject, body: "", files: []) },
                        authorEmails: [me])
    }

    static func sentences(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        for ch in text.replacingOccurrences(of: "\n", with: " ") {
            current.append(ch)
            if ch == "." || ch == "!" || ch == "?" || ch == "。" {
                let s = current.trimmingCharacters(in: .whitespaces)
                if s.count > 8 { out.append(s) }
                current = ""
            }
        }
        let s = current.trimmingCharacters(in: .whitespaces)
        if s.count > 8 { out.append(s) }
        return out
    }

    static func isTest(_ path: String) -> Bool {
        let lower = path.lowercased()
        let parts = Languages.components(lower)
        let name = parts.last.map(String.init) ?? lower
        if parts.dropLast().contains(where: { ["test", "tests", "__tests__", "spec", "specs", "androidtest"].contains($0) }) { return true }
        return name.hasSuffix("_test.go") || name.contains(".test.") || name.contains(".spec.") || name.hasPrefix("test_")
            || name.hasSuffix("_test.py") || name.hasSuffix("test.java") || name.hasSuffix("test.kt") || name.hasSuffix("tests.swift")
            || name.hasSuffix("_spec.rb") || name.hasSuffix("test.php") || name.hasSuffix("tests.cs")
    }

    /// `src/{old => new}/a.ts` → `src/new/a.ts`; `old.ts => new.ts` → `new.ts`.
    package static func renamedPath(_ path: String) -> String {
        if let open = path.firstIndex(of: "{"), let close = path.firstIndex(of: "}"), open < close,
           let arrow = path[open..<close].range(of: " => ") {
            let result = String(path[..<open]) + String(path[arrow.upperBound..<close]) + String(path[path.index(after: close)...])
            return result.replacingOccurrences(of: "//", with: "/")
        }
        if let arrow = path.range(of: " => ") { return String(path[arrow.upperBound...]) }
        return path
    }

    // MARK: README

    func readmeText(root: URL, files: [String]) -> String? {
        let candidates = files.filter { !$0.contains("/") && $0.lowercased().hasPrefix("readme") }
            .sorted { ($0.lowercased().hasSuffix(".md") ? 0 : 1, $0.count) < ($1.lowercased().hasSuffix(".md") ? 0 : 1, $1.count) }
        guard let readme = candidates.first,
              let data = FileManager.default.contents(atPath: root.appendingPathComponent(readme).path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }

    /// The README's first prose paragraph, Markdown and HTML stripped, at most 300 characters.
    public static func summary(ofReadme text: String) -> String? {
        Readme(text).summary
    }
}
