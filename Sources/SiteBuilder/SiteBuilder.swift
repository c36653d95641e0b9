import Crypto
import Foundation
import FunctionCore
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioStore

#if canImport(Glibc)
import Glibc
#endif

/// Builds the static site from the templates in `site/`, the content in `content/` and the database.
///
/// A full build (`build()`) is a pipeline of named steps, printed as `[i/n] step` while it runs:
/// load → plan → render → write and prune. Each output's inputs are fingerprinted; an output whose
/// fingerprint matches the last build's (and that still exists) is neither rendered nor written.
///
/// `catchUp()` is the incremental build: it reads the changes the functions recorded (`site_change`,
/// written in the same transaction as each change) and renders just what they touch — a like renders
/// the resume's page, the list pages that show its card and the hub's counts, nothing else; a publish,
/// an edit or a withdrawal also its PDF and thumbnail (or removes them) and the lists whose order moved.
public struct SiteBuilder: Sendable {
    public struct Options: Sendable {
        public var siteDirectory: URL
        public var contentDirectory: URL
        public var outputDirectory: URL
        /// The site's address for absolute links (Open Graph); content/site.json's `url` wins.
        public var publicURL: String
        public init(siteDirectory: URL, contentDirectory: URL, outputDirectory: URL, publicURL: String = "http://127.0.0.1:8080") {
            self.siteDirectory = siteDirectory
            self.contentDirectory = contentDirectory
            self.outputDirectory = outputDirectory
            self.publicURL = publicURL
        }
    }

    public struct Report: Sendable, Equatable {
        public var written: [String] = []
        public var skipped: [String] = []
        public var removed: [String] = []
    }

    public var options: Options
    public var database: AppDatabase?
    public var progress: @Sendable (String) -> Void
    /// What a resume's PDF and thumbnail are made from, as text (fingerprinted): the layout's blocks and
    /// the template's theme. A test swaps it to stand for a change of the layout code.
    public var resumeDefinition: @Sendable (Resume) -> String = { PDFRenderer.definition(of: $0) }
    /// Draws a public resume's PDF and thumbnail. The hub benchmark swaps it to time the pages apart
    /// from the drawing (which it times on its own).
    package var resumeFiles: @Sendable (Resume) -> (pdf: Data, thumbnail: Data) = { SiteBuilder.renderer.pdfAndThumbnail($0) }
    /// Inputs, list order and journal kept between catch-ups while their files are unchanged.
    let cache = BuildCache()

    public init(options: Options, database: AppDatabase?, progress: @escaping @Sendable (String) -> Void = { print($0); fflush(nil) }) {
        self.options = options
        self.database = database
        self.progress = progress
    }

    static let manifestName = ".gitfolio-build.json"
    /// Fingerprints of the outputs incremental builds wrote since the last full one, a line each.
    static let journalName = ".gitfolio-build.journal"
    /// The order of each hub list at the last build, to see which pages a change moves.
    static let hubStateName = ".gitfolio-hub.lists"

    /// One file to produce, with the fingerprint of everything it is made from.
    struct Planned {
        var path: String
        var fingerprint: String
        var make: () throws -> Data
    }

    /// One renderer for the build: fonts load once.
    package static let renderer = PDFRenderer()

    func inputs() throws -> SiteInputs {
        try SiteInputs.load(site: options.siteDirectory, content: options.contentDirectory, publicURL: options.publicURL)
    }

    /// The inputs for a catch-up: read again only when a file of the site or the content changed.
    func cachedInputs() throws -> SiteInputs {
        try cache.value("inputs", paths: BuildCache.files(under: [options.siteDirectory, options.contentDirectory])) { try inputs() }
    }

    // MARK: Full build

    public func build() throws -> Report {
        try withLock { try fullBuild() }
    }

    func fullBuild() throws -> Report {
        let steps = ["load", "plan", "render", "write and prune"]
        func step(_ i: Int) { progress("[\(i + 1)/\(steps.count)] \(steps[i])") }

        step(0)
        let inputs = try inputs()
        try database?.fillMissingCards()
        let pending = try database?.siteChanges()
        let entries = try database?.hubEntries() ?? []
        let published = try database?.publicResumes() ?? []

        step(1)
        let hub = HubPlanner(inputs: inputs, entries: entries)
        var planned = try plan(inputs)
        planned += hub.listPages()
        planned.append(hub.index())
        planned.append(try counts())
        for stored in published { planned += hub.resumeOutputs(stored, definition: resumeDefinition, draw: resumeFiles) }
        let old = loadManifest()
        let due = planned.filter { old[$0.path] != $0.fingerprint || !exists($0.path) }
        progress("      \(planned.count) outputs, \(due.count) changed")

        step(2)
        let rendered = try render(due)

        step(3)
        var report = Report()
        report.written = try write(rendered)
        let keep = Set(planned.map(\.path))
        report.skipped = planned.map(\.path).filter { !report.written.contains($0) }
        for path in old.keys.sorted() where !keep.contains(path) {
            try? FileManager.default.removeItem(at: url(path))
            report.removed.append(path)
        }
        try saveManifest(Dictionary(uniqueKeysWithValues: planned.map { ($0.path, $0.fingerprint) }))
        try saveHubState(hub.lists)
        if let pending { try database?.forgetSiteChanges(through: pending.last) }
        progress("      wrote \(report.written.count), unchanged \(report.skipped.count), removed \(report.removed.count) → \(options.outputDirectory.path)")
        return report
    }

    /// The pages of `site/pages` in both languages, the assets, and the templates' stylesheet.
    func plan(_ inputs: SiteInputs) throws -> [Planned] {
        var planned: [Planned] = []
        for asset in inputs.assets {
            planned.append(Planned(path: "assets/\(asset.name)", fingerprint: Self.fingerprint([asset.data]), make: { asset.data }))
        }
        let css = Data(HTMLRenderer.allStylesheets.utf8)
        planned.append(Planned(path: "assets/resume.css", fingerprint: Self.fingerprint([css]), make: { css }))
        for language in Language.allCases {
            let strings = inputs.strings[language]!
            for page in inputs.pages {
                let path = (language == .ko ? "" : "en/") + page.name
                let fingerprint = Self.fingerprint([
                    Data(inputs.layout.utf8), Data(page.template.utf8), inputs.stringsData[language]!,
                    inputs.siteData, Data(path.utf8),
                ])
                planned.append(Planned(path: path, fingerprint: fingerprint, make: {
                    try PageRenderer(inputs: inputs, language: language, strings: strings, page: page, path: path).render()
                }))
            }
        }
        return planned
    }

    /// `hub/counts.json`: every public resume's likes, views and comments by id. Apart from the index,
    /// so that a like rewrites this small file from one query and not the index of every card.
    func counts() throws -> Planned {
        // Written out directly (ids in order, no intermediate values): with 10,000 public resumes this runs
        // on every catch-up, and building a dictionary of JSON values first took most of its time.
        var text = #"{"c":{"#
        text.reserveCapacity(64 + 24 * 10_000)
        var first = true
        for row in try database?.hubCounts() ?? [] {
            if !first { text += "," }
            first = false
            text += "\"\(row.id)\":[\(row.likes),\(row.views),\(row.comments)]"
        }
        text += "}}"
        let data = Data(text.utf8)
        return Planned(path: "hub/counts.json", fingerprint: Self.fingerprint([data]), make: { data })
    }

    // MARK: Incremental build

    /// Renders what the recorded changes touch; nil when there were none. Views are not recorded as
    /// changes (a page's live counts come from the `view` call): `refreshingCounts` rewrites
    /// `hub/counts.json` when its numbers moved even so — `serve` asks every half minute, a timer's
    /// `gitfolio build --changes` every time.
    public func catchUp(refreshingCounts: Bool = false) throws -> Report? {
        try withLock {
            guard let database else { return nil }
            guard let changes = try database.siteChanges() else {
                guard refreshingCounts else { return nil }
                let report = try apply([try counts()], removed: [])
                return report.written.isEmpty ? nil : report
            }
            let inputs = try cachedInputs()
            var planned: [Planned] = [try counts()]
            var removed: [String] = []
            let lists: [(key: String, ids: [Int64])]
            var pages: Set<String> = []
            var countsOnly = false
            if changes.pages.isEmpty, let previous = loadHubState() {
                countsOnly = true
                // Counts alone: the lists keep their order; re-render the pages that show these cards.
                lists = previous
                for (key, ids) in lists {
                    for id in changes.counts {
                        if let i = ids.firstIndex(of: id) { pages.insert(HubPlanner.listPath(key, page: i / HubPlanner.pageSize + 1)) }
                    }
                }
                var shown = changes.counts
                for (key, ids) in lists {
                    for page in 1...HubPlanner.pageCount(ids.count) where pages.contains(HubPlanner.listPath(key, page: page)) {
                        shown.formUnion(HubPlanner.slice(ids, page: page))
                    }
                }
                let hub = HubPlanner(inputs: inputs, entries: try database.hubEntries(ids: Array(shown)))
                planned += hub.listPages(lists: lists, only: pages)
                for id in changes.counts {
                    guard let stored = try database.publicResume(id: id), let entry = hub.entries.first(where: { $0.id == id }) else { continue }
                    planned += Language.allCases.map { hub.resumePage(stored, entry: entry, language: $0) }
                }
            } else {
                // Something was published, withdrawn, edited or deleted: the lists may have moved.
                try database.fillMissingCards()
                let entries = try database.hubEntries()
                let hub = HubPlanner(inputs: inputs, entries: entries)
                lists = hub.lists
                let previous = Dictionary(uniqueKeysWithValues: (loadHubState() ?? []).map { ($0.key, $0.ids) })
                let touched = changes.pages.union(changes.counts)
                for (key, ids) in lists {
                    let before = previous[key] ?? []
                    for page in 1...max(HubPlanner.pageCount(ids.count), HubPlanner.pageCount(before.count)) {
                        let range = (page - 1) * HubPlanner.pageSize..<page * HubPlanner.pageSize
                        let now = Array(ids[min(range.lowerBound, ids.count)..<min(range.upperBound, ids.count)])
                        let then = Array(before[min(range.lowerBound, before.count)..<min(range.upperBound, before.count)])
                        if now != then || !touched.isDisjoint(with: now) { pages.insert(HubPlanner.listPath(key, page: page)) }
                    }
                }
                planned += hub.listPages(only: pages)
                planned.append(hub.index())
                for id in touched {
                    if let stored = try database.publicResume(id: id) {
                        planned += changes.pages.contains(id)
                            ? hub.resumeOutputs(stored, definition: resumeDefinition, draw: resumeFiles)
                            : Language.allCases.map { hub.resumePage(stored, entry: entries.first { $0.id == id }, language: $0) }
                    } else {
                        removed += HubPlanner.resumePaths(id)
                    }
                }
                // List pages past the end of a shorter list are gone.
                for (key, ids) in lists {
                    let before = previous[key]?.count ?? 0
                    for page in stride(from: HubPlanner.pageCount(ids.count) + 1, through: HubPlanner.pageCount(before), by: 1) {
                        removed += Language.allCases.map { ($0 == .ko ? "" : "en/") + HubPlanner.listPath(key, page: page) }
                    }
                }
            }
            let report = try apply(planned, removed: removed)
            if !countsOnly { try saveHubState(lists) }
            try database.forgetSiteChanges(through: changes.last)
            return report
        }
    }

    /// Writes the planned outputs whose fingerprints moved since the last incremental build, removes
    /// `removed`, and notes both in the journal. (Only the journal is read: the full build's manifest
    /// of a big hub is megabytes, and rewriting an output it already has costs less than reading it.)
    func apply(_ planned: [Planned], removed: [String]) throws -> Report {
        let known = loadJournal()
        let due = planned.filter { known[$0.path] != $0.fingerprint || !exists($0.path) }
        var report = Report()
        report.written = try write(try render(due))
        report.skipped = planned.map(\.path).filter { !report.written.contains($0) }
        for path in removed where exists(path) {
            try? FileManager.default.removeItem(at: url(path))
            report.removed.append(path)
        }
        try appendJournal(due.map { ($0.path, $0.fingerprint) } + removed.map { ($0, "-") })
        return report
    }

    // MARK: Rendering and files

    func render(_ due: [Planned]) throws -> [(String, Data)] {
        try due.map { item in
            do {
                return (item.path, try item.make())
            } catch let error as SiteBuildError {
                throw error
            } catch {
                throw SiteBuildError(step: "render", path: item.path, reason: "\(error)")
            }
        }
    }

    func write(_ rendered: [(String, Data)]) throws -> [String] {
        var written: [String] = []
        for (path, data) in rendered {
            let target = url(path)
            do {
                try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
                try Self.replace(target.path, with: data)
            } catch {
                throw SiteBuildError(step: "write", path: path, reason: error.localizedDescription)
            }
            written.append(path)
        }
        try removeWithdrawn(written)
        return written
    }

    /// A resume withdrawn while this build rendered it: the function that withdrew it removed its files
    /// after its commit, but this build may have written them again since. Checking after writing closes
    /// that window whichever comes first: a withdrawal committed before this check is seen here, one
    /// committed after it is followed by the function's own removal.
    func removeWithdrawn(_ written: [String]) throws {
        guard let database else { return }
        var ids: Set<Int64> = []
        for path in written {
            let name = path.hasPrefix("en/") ? path.dropFirst(3) : path[...]
            guard name.hasPrefix("resumes/"), let id = Int64(name.dropFirst("resumes/".count).prefix { $0.isNumber }) else { continue }
            ids.insert(id)
        }
        let gone = ids.subtracting(try database.publicResumeIDs(among: ids))
        for id in gone {
            for path in HubPlanner.resumePaths(id) { try? FileManager.default.removeItem(at: url(path)) }
        }
    }

    func url(_ path: String) -> URL { options.outputDirectory.appendingPathComponent(path) }
    func exists(_ path: String) -> Bool { FileManager.default.fileExists(atPath: url(path).path) }

    /// One builder at a time per output folder (`serve`'s loop, a timer's `gitfolio build --changes`).
    func withLock<T>(_ body: () throws -> T) throws -> T {
        try FileManager.default.createDirectory(at: options.outputDirectory, withIntermediateDirectories: true)
        let fd = open(url(".gitfolio-build.lock").path, O_CREAT | O_RDWR | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SiteBuildError(step: "lock", path: options.outputDirectory.path, reason: "cannot create the lock file") }
        defer { close(fd) }
        flock(fd, LOCK_EX)
        defer { flock(fd, LOCK_UN) }
        return try body()
    }

    /// The last full build's fingerprints, with the journal of incremental builds since applied.
    func loadManifest() -> [String: String] {
        var manifest = (try? Data(contentsOf: url(Self.manifestName))).flatMap { try? JSONValue.decode([String: String].self, from: Array($0)) } ?? [:]
        for (path, fingerprint) in loadJournal() { manifest[path] = fingerprint == "-" ? nil : fingerprint }
        return manifest
    }

    func saveManifest(_ manifest: [String: String]) throws {
        try Self.replace(url(Self.manifestName).path, with: Data(JSONValue(encoding: manifest).serialized.utf8))
        try? FileManager.default.removeItem(at: url(Self.journalName))
    }

    func loadJournal() -> [String: String] {
        cache.value("journal", paths: [url(Self.journalName).path]) { readJournal() }
    }

    func readJournal() -> [String: String] {
        guard let text = try? String(contentsOf: url(Self.journalName), encoding: .utf8) else { return [:] }
        var journal: [String: String] = [:]
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: "\t", maxSplits: 1)
            if parts.count == 2 { journal[String(parts[0])] = String(parts[1]) }
        }
        return journal
    }

    /// Past this size the journal is folded into the manifest, so that it stays quick to read.
    static let journalLimit = 512 * 1024

    func appendJournal(_ entries: [(String, String)]) throws {
        guard !entries.isEmpty else { return }
        if let size = try? FileManager.default.attributesOfItem(atPath: url(Self.journalName).path)[.size] as? Int,
           size > Self.journalLimit {
            try saveManifest(loadManifest())
        }
        let lines = entries.map { "\($0.0)\t\($0.1)\n" }.joined()
        let fd = open(url(Self.journalName).path, O_CREAT | O_WRONLY | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SiteBuildError(step: "write", path: Self.journalName, reason: "cannot be opened") }
        var journal = loadJournal()
        FunctionCore.writeAll(Array(lines.utf8), to: fd)
        close(fd)
        for (path, fingerprint) in entries { journal[path] = fingerprint }
        cache.store("journal", paths: [url(Self.journalName).path], journal)
    }

    /// The hub's lists as the last build wrote them: one line per list, its key, a space, its ids
    /// separated by commas (read on every catch-up: plain text parses several times faster than JSON).
    func loadHubState() -> [(key: String, ids: [Int64])]? {
        cache.value("hub", paths: [url(Self.hubStateName).path]) { readHubState() }
    }

    func readHubState() -> [(key: String, ids: [Int64])]? {
        guard let data = try? Data(contentsOf: url(Self.hubStateName)) else { return nil }
        var lists: [(key: String, ids: [Int64])] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let space = line.firstIndex(of: UInt8(ascii: " ")) else { return nil }
            var ids: [Int64] = []
            for field in line[line.index(after: space)...].split(separator: UInt8(ascii: ",")) {
                var value: Int64 = 0
                for byte in field {
                    guard byte >= 0x30, byte <= 0x39 else { return nil }
                    value = value &* 10 &+ Int64(byte - 0x30)
                }
                ids.append(value)
            }
            lists.append((String(decoding: line[..<space], as: UTF8.self), ids))
        }
        return lists.sorted { $0.key < $1.key }
    }

    func saveHubState(_ lists: [(key: String, ids: [Int64])]) throws {
        let text = lists.sorted { $0.key < $1.key }.map { "\($0.key) " + $0.ids.map(String.init).joined(separator: ",") + "\n" }.joined()
        try Self.replace(url(Self.hubStateName).path, with: Data(text.utf8))
        cache.store("hub", paths: [url(Self.hubStateName).path], Optional(lists.sorted { $0.key < $1.key }))
    }

    /// Writes a file whole or not at all for its readers: into a temporary file beside it, then renamed
    /// over it. Not flushed to disk (Foundation's `.atomic` is, once per file, which made one like's
    /// seven files cost 200 ms on a VM disk): after a crash the next build compares fingerprints and
    /// the files are rebuilt from the database, which is the only copy that must survive.
    static func replace(_ path: String, with data: Data) throws {
        // Named so that neither serve nor the lighttpd configuration ever serves it (`/.gitfolio-…`).
        let slash = path.lastIndex(of: "/").map { path.index(after: $0) } ?? path.startIndex
        let temporary = String(path[..<slash]) + ".gitfolio-tmp-\(getpid())-" + String(path[slash...])
        let fd = open(temporary, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        let complete = data.withUnsafeBytes { buffer -> Bool in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        let closed = close(fd) == 0
        guard complete, closed, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw CocoaError(code == ENOSPC ? .fileWriteOutOfSpace : .fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }

    /// SHA-256 over the parts, each preceded by its length (swift-crypto's: a full build hashes every
    /// page it plans, and BoringSSL's is several times faster than the portable one the functions use).
    static func fingerprint(_ parts: [Data]) -> String {
        var hasher = SHA256()
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).littleEndian) { hasher.update(bufferPointer: $0) }
            hasher.update(data: part)
        }
        return lowercaseHex(hasher.finalize())
    }
}

/// A resume's PDF and thumbnail, once made (a build renders on one thread).
final class Rendered {
    var value: (pdf: Data, thumbnail: Data)?
}

/// A build failure that names the step, the file and the reason.
public struct SiteBuildError: Error, CustomStringConvertible {
    public var step: String
    public var path: String
    public var reason: String
    public var description: String { "site build failed at \(step) (\(path)): \(reason)" }
}

extension SiteBuilder {
    /// Keeps the site current until the process ends: on its own thread, catches up with the recorded
    /// changes every `interval` seconds and refreshes the hub's counts every `countsInterval` seconds.
    /// Give it a builder with a database connection of its own. Prints one line per catch-up that
    /// changed files, and failures (it keeps going: the next round retries what the last one missed).
    public func follow(interval: Double = 0.5, countsInterval: Double = 30) {
        let builder = self
        let thread = Thread {
            var lastCounts = Date()
            while true {
                usleep(UInt32(interval * 1_000_000))
                let refresh = Date().timeIntervalSince(lastCounts) >= countsInterval
                if refresh { lastCounts = Date() }
                builder.catchUpOnce(refreshingCounts: refresh)
            }
        }
        thread.name = "site catch-up"
        thread.start()
    }

    /// One catch-up with its line of output; failures are reported, not thrown.
    @discardableResult
    public func catchUpOnce(refreshingCounts: Bool) -> Report? {
        let start = DispatchTime.now().uptimeNanoseconds
        do {
            guard let report = try catchUp(refreshingCounts: refreshingCounts) else { return nil }
            let ms = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
            if !report.written.isEmpty || !report.removed.isEmpty {
                progress("site caught up: wrote \(report.written.count), removed \(report.removed.count) in \(String(format: "%.0f", ms)) ms")
            }
            return report
        } catch {
            progress("site catch-up failed: \(error)")
            return nil
        }
    }
}
