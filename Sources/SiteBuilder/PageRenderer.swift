import Foundation
import GitfolioCore
import GitfolioStore

/// Fills a page into the layout. Placeholders: `{{t.key}}` (a string of the page's language),
/// `{{site.key}}` (content/site.json), `{{lang}}`, `{{root}}`
/// (the language's URL prefix), `{{alternate}}` (this page in the other language),
/// `{{i18n.json}}` (the `js.` strings for scripts), `{{content}}` (the page, in the layout only).
/// Every value is HTML-escaped except `{{content}}` and `{{i18n.json}}`; an unknown name fails the build.
struct PageRenderer {
    var inputs: SiteInputs
    var language: Language
    var strings: [String: String]
    var page: SiteInputs.Page
    var path: String
    /// Values of generated pages (the hub): `{{hub.name}}` and the like, already escaped HTML, and
    /// `{{head}}` (extra tags in the head, such as Open Graph). Empty for the pages in `site/pages`.
    var generated: [String: String] = [:]
    /// The page's title when it is not one of the strings (a resume's name).
    var titleText: String?

    func render() throws -> Data {
        let body = try fill(page.template, allowContent: false)
        let html = try fill(inputs.layout, allowContent: true, content: body)
        return Data(html.utf8)
    }

    func value(_ name: String, content: String?) throws -> String {
        switch name {
        case "content":
            guard let content else { break }
            return content
        case "lang":
            return language.rawValue
        case "root":
            return language == .ko ? "" : "/en"
        case "title":
            return escape(titleText ?? strings[page.titleKey] ?? page.titleKey)
        case "head":
            return generated["head"] ?? ""
        case "alternate":
            return escape(language == .ko ? "/en/\(page.name)" : "/\(page.name)")
        case "alternate.lang":
            return language == .ko ? "en" : "ko"
        case "i18n.json":
            return inputs.scriptStrings[language] ?? "{}"
        default:
            if name.hasPrefix("t."), let s = strings[String(name.dropFirst(2))] { return escape(s) }
            if name.hasPrefix("site."), let s = inputs.site[String(name.dropFirst(5))] { return escape(s) }
            if name.hasPrefix("hub."), let s = generated[name] { return s }
        }
        throw SiteBuildError(step: "render", path: path, reason: "unknown placeholder {{\(name)}}")
    }

    func fill(_ template: String, allowContent: Bool, content: String? = nil) throws -> String {
        var out = ""
        var rest = template[...]
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw SiteBuildError(step: "render", path: path, reason: "a {{ is never closed")
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            out += try value(name, content: allowContent ? content : nil)
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

func escape(_ s: String) -> String { HTML.escape(s) }
