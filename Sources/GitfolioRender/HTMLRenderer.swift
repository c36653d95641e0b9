import GitfolioCore
import GitfolioResume

/// The resume as HTML, from the template definition (``ResumeLayout``) and its ``Theme``.
/// Every piece of text is escaped; only web and mail links become links.
public enum HTMLRenderer {
    /// The resume as an `<article>`; editable lines carry `data-path` and `data-evidence`. The
    /// editor shows prompts (the default); a page for anyone else passes `.omit`.
    public static func fragment(_ resume: Resume, prompts: PromptPolicy = .show) -> String {
        let resume = (try? resume.leavingEditor(prompts == .refuse ? .omit : prompts)) ?? resume
        var out = "<article class=\"gf-resume gf-\(resume.template.rawValue.lowercased())\" lang=\"\(resume.language.rawValue)\">\n"
        for block in ResumeLayout.blocks(resume) {
            let tag: String
            switch block.kind {
            case .name: tag = "h1"
            case .section: tag = "h2"
            case .entry: tag = "h3"
            case .subheading: tag = "h4"
            default: tag = "p"
            }
            out += "<\(tag) class=\"gf-\(block.kind.rawValue)\">"
            if let aside = block.aside { out += "<span class=\"gf-aside\">\(escape(aside))</span>" }
            for run in block.runs { out += span(run) }
            out += "</\(tag)>\n"
        }
        return out + "</article>\n"
    }

    /// A whole HTML document (an export): the stylesheet of the template and the fragment, with
    /// unfilled prompts left out.
    public static func document(_ resume: Resume) -> String {
        let resume = resume.withoutUnfilledPrompts()
        let theme = Theme.forTemplate(resume.template)
        let title = resume.profile.name.isEmpty ? "Resume" : resume.profile.name
        return """
        <!DOCTYPE html>
        <html lang="\(resume.language.rawValue)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        body{margin:0;background:#eef0f3}
        \(theme.css)</style>
        </head>
        <body>
        \(fragment(resume))</body>
        </html>

        """
    }

    /// The stylesheets of all templates, for a page that switches between them.
    public static var allStylesheets: String {
        Template.allCases.map { Theme.forTemplate($0).css }.joined()
    }

    static func span(_ run: Run) -> String {
        var classes: [String] = []
        if run.bold { classes.append("gf-bold") }
        if run.italic { classes.append("gf-italic") }
        if run.muted { classes.append("gf-muted") }
        var attributes = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
        if let path = run.path { attributes += " data-path=\"\(escape(path))\"" }
        if !run.evidence.isEmpty { attributes += " data-evidence=\"\(escape(run.evidence.joined(separator: " ")))\"" }
        let text = escape(run.text)
        if let link = ResumeLayout.safeLink(run.link) {
            return "<a href=\"\(escape(link))\"\(attributes)>\(text)</a>"
        }
        return attributes.isEmpty ? text : "<span\(attributes)>\(text)</span>"
    }

    static func escape(_ s: String) -> String { HTML.escape(s) }
}
