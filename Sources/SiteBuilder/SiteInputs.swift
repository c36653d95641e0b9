import Foundation
import GitfolioCore
import GitfolioStore

/// Everything a build reads, loaded once.
struct SiteInputs {
    struct Page {
        var name: String
        var template: String
        var titleKey: String
    }
    struct Asset {
        var name: String
        var data: Data
    }

    var layout: String
    var pages: [Page]
    var assets: [Asset]
    var strings: [Language: [String: String]]
    var stringsData: [Language: Data]
    var site: [String: String]
    var siteData: Data
    /// The hub's page templates (`site/hub/list.html`, `site/hub/resume.html`).
    var hubTemplates: (list: String, resume: String)
    /// The site's address for absolute links (Open Graph): `url` in content/site.json, else the builder's option.
    var publicURL: String
    /// `{{i18n.json}}` per language: the `js.` strings for scripts, made once per build (every page has it).
    var scriptStrings: [Language: String] = [:]

    static func load(site: URL, content: URL, publicURL: String) throws -> SiteInputs {
        func read(_ url: URL) throws -> Data {
            do { return try Data(contentsOf: url) } catch {
                throw SiteBuildError(step: "load", path: url.path, reason: "cannot be read")
            }
        }
        func text(_ url: URL) throws -> String { String(decoding: try read(url), as: UTF8.self) }
        func stringMap(_ url: URL) throws -> [String: String] {
            guard let map = try? JSONDecoder().decode([String: String].self, from: try read(url)) else {
                throw SiteBuildError(step: "load", path: url.path, reason: "must be a JSON object of strings")
            }
            return map
        }
        let fm = FileManager.default
        let layout = try text(site.appendingPathComponent("layout.html"))
        let pagesDir = site.appendingPathComponent("pages")
        let pageNames = ((try? fm.contentsOfDirectory(atPath: pagesDir.path)) ?? []).filter { $0.hasSuffix(".html") }.sorted()
        guard !pageNames.isEmpty else { throw SiteBuildError(step: "load", path: pagesDir.path, reason: "holds no .html pages") }
        let pages = try pageNames.map { name -> Page in
            let template = try text(pagesDir.appendingPathComponent(name))
            // The first line may name the page's title string: <!-- title: page.index.title -->
            var titleKey = "site.name"
            if let first = template.split(separator: "\n", maxSplits: 1).first,
               let range = first.range(of: #"<!--\s*title:\s*([a-z0-9._]+)\s*-->"#, options: .regularExpression) {
                titleKey = String(first[range]).replacingOccurrences(of: "<!--", with: "")
                    .replacingOccurrences(of: "-->", with: "").replacingOccurrences(of: "title:", with: "")
                    .trimmingCharacters(in: .whitespaces)
            }
            return Page(name: name, template: template, titleKey: titleKey)
        }
        let assetsDir = site.appendingPathComponent("assets")
        let assetNames = ((try? fm.contentsOfDirectory(atPath: assetsDir.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let assets = try assetNames.map { Asset(name: $0, data: try read(assetsDir.appendingPathComponent($0))) }
        var strings: [Language: [String: String]] = [:]
        var stringsData: [Language: Data] = [:]
        for language in Language.allCases {
            let url = site.appendingPathComponent("i18n/\(language.rawValue).json")
            strings[language] = try stringMap(url)
            stringsData[language] = try read(url)
        }
        // Every language must have every key of Korean, the first language.
        if let missing = Set(strings[.ko]!.keys).subtracting(strings[.en]!.keys).sorted().first {
            throw SiteBuildError(step: "load", path: "site/i18n/en.json", reason: "missing the string \(missing)")
        }
        let siteURL = content.appendingPathComponent("site.json")
        let siteValues = try stringMap(siteURL)
        let hub = site.appendingPathComponent("hub")
        var inputs = SiteInputs(layout: layout, pages: pages, assets: assets, strings: strings, stringsData: stringsData,
                                site: siteValues, siteData: try read(siteURL),
                                hubTemplates: (try text(hub.appendingPathComponent("list.html")), try text(hub.appendingPathComponent("resume.html"))),
                                publicURL: siteValues["url"] ?? publicURL)
        for language in Language.allCases {
            let js = strings[language]!.filter { $0.key.hasPrefix("js.") }
            let data = try JSONSerialization.data(withJSONObject: js, options: [.sortedKeys, .withoutEscapingSlashes])
            // Safe inside <script>: no "<" at all, so nothing can close the element or open a comment.
            inputs.scriptStrings[language] = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "<", with: "\\u003c")
        }
        return inputs
    }
}
