import Foundation
import FunctionCore
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioStore

/// Builds the static site from the templates in `site/`, the content in `content/` and the database.
///
/// The build is a pipeline of named steps, printed as `[i/n] step` while it runs:
/// load → plan → render → write and prune. Each output's inputs are fingerprinted; an output whose
/// fingerprint matches the last build's (and that still exists) is neither rendered nor written.
public struct SiteBuilder: Sendable {
    public struct Options: Sendable {
        public var siteDirectory: URL
        public var contentDirectory: URL
        public var outputDirectory: URL
        public init(siteDirectory: URL, contentDirectory: URL, outputDirectory: URL) {
            self.siteDirectory = siteDirectory
            self.contentDirectory = contentDirectory
            self.outputDirectory = outputDirectory
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

    public init(options: Options, database: AppDatabase?, progress: @escaping @Sendable (String) -> Void = { print($0) }) {
        self.options = options
        self.database = database
        self.progress = progress
    }

    static let manifestName = ".gitfolio-build.json"

    /// One file to produce, with the fingerprint of everything it is made from.
    struct Planned {
        var path: String
        var fingerprint: String
        var make: () throws -> Data
    }

    public func build() throws -> Report {
        let steps = ["load", "plan", "render", "write and prune"]
        func step(_ i: Int) { progress("[\(i + 1)/\(steps.count)] \(steps[i])") }

        step(0)
        let inputs = try SiteInputs.load(site: options.siteDirectory, content: options.contentDirectory, database: database)

        step(1)
        let planned = try plan(inputs)
        let old = loadManifest()
        let fm = FileManager.default
        let due = planned.filter { item in
            old[item.path] != item.fingerprint
                || !fm.fileExists(atPath: options.outputDirectory.appendingPathComponent(item.path).path)
        }
        progress("      \(planned.count) outputs, \(due.count) changed")

        step(2)
        var rendered: [(String, Data)] = []
        for item in due {
            do {
                rendered.append((item.path, try item.make()))
            } catch let error as SiteBuildError {
                throw error
            } catch {
                throw SiteBuildError(step: "render", path: item.path, reason: "\(error)")
            }
        }

        step(3)
        var report = Report()
        for (path, data) in rendered {
            let url = options.outputDirectory.appendingPathComponent(path)
            do {
                try fm.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
                try data.write(to: url, options: .atomic)
            } catch {
                throw SiteBuildError(step: "write", path: path, reason: error.localizedDescription)
            }
            report.written.append(path)
        }
        let keep = Set(planned.map(\.path))
        report.skipped = planned.map(\.path).filter { !report.written.contains($0) }
        for path in old.keys.sorted() where !keep.contains(path) {
            try? fm.removeItem(at: options.outputDirectory.appendingPathComponent(path))
            report.removed.append(path)
        }
        let manifest = Dictionary(uniqueKeysWithValues: planned.map { ($0.path, $0.fingerprint) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try encoder.encode(manifest).write(to: options.outputDirectory.appendingPathComponent(Self.manifestName), options: .atomic)
        progress("      wrote \(report.written.count), unchanged \(report.skipped.count), removed \(report.removed.count) → \(options.outputDirectory.path)")
        return report
    }

    func plan(_ inputs: SiteInputs) throws -> [Planned] {
        var planned: [Planned] = []
        for asset in inputs.assets {
            planned.append(Planned(path: "assets/\(asset.name)", fingerprint: Self.fingerprint([asset.data]), make: { asset.data }))
        }
        for language in Language.allCases {
            let strings = inputs.strings[language]!
            for page in inputs.pages {
                let path = (language == .ko ? "" : "en/") + page.name
                let uses = Self.placeholders(in: page.template + inputs.layout)
                // Only the dynamic values this page uses are part of its fingerprint.
                let dynamic = uses.filter { $0.hasPrefix("stats.") }.sorted().map { "\($0)=\(inputs.stats[$0] ?? "")" }
                let fingerprint = Self.fingerprint([
                    Data(inputs.layout.utf8), Data(page.template.utf8), inputs.stringsData[language]!,
                    inputs.siteData, Data(dynamic.joined(separator: "\n").utf8), Data(path.utf8),
                ])
                planned.append(Planned(path: path, fingerprint: fingerprint, make: {
                    try PageRenderer(inputs: inputs, language: language, strings: strings, page: page, path: path).render()
                }))
            }
        }
        // Each published resume's PDF and first-page thumbnail (for the hub), from the same templates
        // as the editor. The fingerprint covers what determines the files: the resume's blocks and its
        // template's theme (and the renderer's drawing), so a change of the layout code or the theme
        // renders them again, and a change that does not alter them does not.
        for stored in inputs.publicResumes {
            let fingerprint = Self.fingerprint([Data(resumeDefinition(stored.resume).utf8)])
            // One layout for both files: whichever is made first renders the two.
            let rendered = Rendered()
            let both = { () -> (pdf: Data, thumbnail: Data) in
                if let done = rendered.value { return done }
                let done = Self.renderer.pdfAndThumbnail(stored.resume)
                rendered.value = done
                return done
            }
            planned.append(Planned(path: "resumes/\(stored.id).pdf", fingerprint: fingerprint, make: { both().pdf }))
            planned.append(Planned(path: "resumes/\(stored.id).png", fingerprint: fingerprint, make: { both().thumbnail }))
        }
        return planned
    }

    /// One renderer for the build: fonts load once.
    static let renderer = PDFRenderer()

    func loadManifest() -> [String: String] {
        let url = options.outputDirectory.appendingPathComponent(Self.manifestName)
        guard let data = try? Data(contentsOf: url) else { return [:] }
        return (try? JSONDecoder().decode([String: String].self, from: data)) ?? [:]
    }

    static func fingerprint(_ parts: [Data]) -> String {
        var bytes: [UInt8] = []
        for part in parts {
            withUnsafeBytes(of: UInt64(part.count).littleEndian) { bytes += $0 }
            bytes += part
        }
        return SHA256Digest.hex(bytes)
    }

    static func placeholders(in template: String) -> Set<String> {
        var names: Set<String> = []
        var rest = template[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            names.insert(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[close.upperBound...]
        }
        return names
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
