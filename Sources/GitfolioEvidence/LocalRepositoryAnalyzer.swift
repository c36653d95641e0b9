import Foundation
import GitfolioCore

/// Turns a git repository on disk into evidence, attributing commits by the author emails given.
public struct LocalRepositoryAnalyzer: Sendable {
    public var git: Git
    public var authorEmails: Set<String>

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
    }

    public func analyze() throws -> RepositoryEvidence {
        let top = String(decoding: try git.run(["rev-parse", "--show-toplevel"]), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let root = URL(fileURLWithPath: top)
        let files = String(decoding: try git.run(["ls-files", "-z"]), as: UTF8.self).split(separator: "\0").map(String.init)
        return RepositoryEvidence(
            name: root.lastPathComponent, origin: top,
            readmeSummary: readmeSummary(root: root, files: files),
            languages: languages(root: root, files: files),
            technologies: technologies(root: root, files: files),
            contribution: try contribution())
    }

    func languages(root: URL, files: [String]) -> [LanguageShare] {
        var bytes: [String: Int] = [:]
        for path in files where !Languages.isVendored(path) {
            guard let language = Languages.language(of: path),
                  let size = (try? FileManager.default.attributesOfItem(atPath: root.appendingPathComponent(path).path))?[.size] as? NSNumber
            else { continue }
            bytes[language, default: 0] += size.intValue
        }
        let total = max(1, bytes.values.reduce(0, +))
        return bytes.map { LanguageShare(name: $0.key, bytes: $0.value, share: (Double($0.value) / Double(total) * 1000).rounded() / 1000) }
            .sorted { ($0.bytes, $1.name) > ($1.bytes, $0.name) }
    }

    func technologies(root: URL, files: [String]) -> [Technology] {
        var found: [String: Technology] = [:]
        var order: [String] = []
        for path in files where Manifests.isManifest(path) && !Languages.isVendored(path) {
            let url = root.appendingPathComponent(path)
            guard let size = (try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? NSNumber,
                  size.intValue < 1_000_000, let data = FileManager.default.contents(atPath: url.path) else { continue }
            for known in Manifests.detect(path: path, text: String(decoding: data, as: UTF8.self)) {
                if found[known.name] == nil {
                    found[known.name] = Technology(name: known.name, category: known.category, sources: [])
                    order.append(known.name)
                }
                if !(found[known.name]!.sources.contains(path)) { found[known.name]!.sources.append(path) }
            }
        }
        return order.map { found[$0]! }
    }

    /// Non-merge history with per-file line counts; renames are followed to their new path.
    func contribution() throws -> Contribution {
        let log = String(decoding: try git.run([
            "log", "--no-merges", "-M", "--numstat", "--date=iso-strict", "--format=%x1e%H%x1f%ae%x1f%ad%x1f%s",
        ]), as: UTF8.self)
        var mine = 0, total = 0, added = 0, deleted = 0
        var dates: [String] = []
        var areas: [String: Int] = [:]
        var recent: [Contribution.CommitRef] = []
        for record in log.split(separator: "\u{1e}") {
            let lines = record.split(separator: "\n", omittingEmptySubsequences: true)
            guard let header = lines.first else { continue }
            let fields = header.split(separator: "\u{1f}", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            total += 1
            guard authorEmails.contains(fields[1].lowercased()) else { continue }
            mine += 1
            dates.append(fields[2])
            if recent.count < 20 {
                recent.append(.init(hash: String(fields[0].prefix(12)), date: String(fields[2].prefix(10)), subject: String(fields[3].prefix(200))))
            }
            var touched: Set<String> = []
            for line in lines.dropFirst() {
                let parts = line.split(separator: "\t", maxSplits: 2)
                guard parts.count == 3 else { continue }
                added += Int(parts[0]) ?? 0
                deleted += Int(parts[1]) ?? 0
                let path = Self.renamedPath(String(parts[2]))
                if Languages.isVendored(path) { continue }
                let components = path.split(separator: "/")
                touched.insert(components.count > 1 ? String(components[0]) : "(root)")
            }
            for area in touched { areas[area, default: 0] += 1 }
        }
        let months = dates.map { String($0.prefix(7)).replacingOccurrences(of: "-", with: ".") }.sorted()
        return Contribution(
            authorEmails: authorEmails.sorted(), commits: mine, totalCommits: total,
            firstMonth: months.first, lastMonth: months.last, linesAdded: added, linesDeleted: deleted,
            areas: areas.map { .init(path: $0.key, commits: $0.value) }.sorted { ($0.commits, $1.path) > ($1.commits, $0.path) },
            recentCommits: recent)
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

    /// The README's first real paragraph: no headings, badges, images or HTML, at most 300 characters.
    func readmeSummary(root: URL, files: [String]) -> String? {
        guard let readme = files.first(where: { !$0.contains("/") && $0.lowercased().hasPrefix("readme") }),
              let data = FileManager.default.contents(atPath: root.appendingPathComponent(readme).path) else { return nil }
        return Self.summary(ofReadme: String(decoding: data, as: UTF8.self))
    }

    public static func summary(ofReadme text: String) -> String? {
        var paragraph: [String] = []
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { if paragraph.isEmpty { continue } else { break } }
            if t.hasPrefix("#") || t.hasPrefix("![") || t.hasPrefix("[![") || t.hasPrefix("<") || t.hasPrefix("```")
                || t.hasPrefix("---") || t.hasPrefix("===") { if paragraph.isEmpty { continue } else { break } }
            paragraph.append(t)
        }
        let text = paragraph.joined(separator: " ")
        guard !text.isEmpty else { return nil }
        return text.count > 300 ? String(text.prefix(299)) + "…" : text
    }
}
