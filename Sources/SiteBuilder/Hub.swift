import Foundation
import GitfolioCore
import GitfolioRender
import GitfolioResume
import GitfolioStore

/// The hub's outputs: list pages (all public resumes, newest first, and one list per job role, paged),
/// each public resume's page (its template, counts, comments, Open Graph tags), its PDF and thumbnail,
/// and `hub/index.json`, the compact index the hub's filters read in the browser. Everything a list
/// page or the index shows comes from the resumes' cards and counts, never from their documents.
struct HubPlanner {
    static let pageSize = 20

    let inputs: SiteInputs
    /// Public resumes, newest published first.
    let entries: [HubEntry]

    /// The lists and the resume ids in each, in order: `""` for all, else a job role (lower case).
    var lists: [(key: String, ids: [Int64])] {
        var result: [(String, [Int64])] = [("", entries.map(\.id))]
        for role in JobRole.allCases {
            result.append((role.rawValue.lowercased(), entries.filter { $0.jobRole == role.rawValue }.map(\.id)))
        }
        return result
    }

    /// The path of a list's page (1-based), without the language prefix.
    static func listPath(_ key: String, page: Int) -> String {
        let base = key.isEmpty ? "hub" : "hub/\(key)"
        return page <= 1 ? "\(base)/index.html" : "\(base)/page/\(page).html"
    }

    /// A public resume's outputs: its page in both languages, its PDF and thumbnail.
    static func resumePaths(_ id: Int64) -> [String] {
        ["resumes/\(id).html", "en/resumes/\(id).html", "resumes/\(id).pdf", "resumes/\(id).png"]
    }

    static func pageCount(_ count: Int) -> Int { max(1, (count + pageSize - 1) / pageSize) }

    // MARK: Planning

    /// The ids on one page of a list.
    static func slice(_ ids: [Int64], page: Int) -> ArraySlice<Int64> {
        ids.dropFirst((page - 1) * pageSize).prefix(pageSize)
    }

    /// The list pages (all of them, or those in `wanted`) in both languages; `lists` gives each list's
    /// order (by default this planner's entries'), and the entries must hold every card shown.
    func listPages(lists given: [(key: String, ids: [Int64])]? = nil, only wanted: Set<String>? = nil) -> [SiteBuilder.Planned] {
        let byID = Dictionary(uniqueKeysWithValues: entries.map { ($0.id, $0) })
        var planned: [SiteBuilder.Planned] = []
        for (key, ids) in given ?? lists {
            let pages = Self.pageCount(ids.count)
            for page in 1...pages {
                let path = Self.listPath(key, page: page)
                if let wanted, !wanted.contains(path) { continue }
                let slice = Self.slice(ids, page: page).compactMap { byID[$0] }
                for language in Language.allCases {
                    planned.append(listPage(key: key, page: page, pages: pages, entries: Array(slice), language: language, path: path))
                }
            }
        }
        return planned
    }

    func listPage(key: String, page: Int, pages: Int, entries: [HubEntry], language: Language, path: String) -> SiteBuilder.Planned {
        let strings = inputs.strings[language]!
        let root = language == .ko ? "" : "/en"
        let cards = entries.map { card($0, language: language, root: root) }.joined(separator: "\n")
        var roles = "<a href=\"\(root)/\(Self.listPath("", page: 1))\"\(key.isEmpty ? " aria-current=\"page\"" : "")>\(HTML.escape(strings["hub.all"] ?? "All"))</a>"
        for role in JobRole.allCases {
            let k = role.rawValue.lowercased()
            roles += " <a href=\"\(root)/\(Self.listPath(k, page: 1))\"\(k == key ? " aria-current=\"page\"" : "")>\(HTML.escape(role.label(language)))</a>"
        }
        var pager = ""
        if page > 1 { pager += "<a rel=\"prev\" href=\"\(root)/\(Self.listPath(key, page: page - 1))\">\(HTML.escape(strings["hub.prev"] ?? "Previous"))</a> " }
        pager += "<span>\(page) / \(pages)</span>"
        if page < pages { pager += " <a rel=\"next\" href=\"\(root)/\(Self.listPath(key, page: page + 1))\">\(HTML.escape(strings["hub.next"] ?? "Next"))</a>" }
        let generated = [
            "hub.cards": cards.isEmpty ? "<li class=\"muted\">\(HTML.escape(strings["hub.empty"] ?? ""))</li>" : cards,
            "hub.roles": roles, "hub.pager": pager, "hub.list": HTML.escape(key),
        ]
        return generatedPage(template: inputs.hubTemplates.list, generated: generated, language: language, path: path)
    }

    /// A page from one of the hub's templates and its generated values, fingerprinted by exactly those
    /// (with the layout, the strings and the site values).
    func generatedPage(template: String, generated: [String: String], language: Language, path: String,
                       titleText: String? = nil) -> SiteBuilder.Planned {
        let fullPath = (language == .ko ? "" : "en/") + path
        let fingerprint = SiteBuilder.fingerprint([
            Data(inputs.layout.utf8), Data(template.utf8), inputs.stringsData[language]!, inputs.siteData,
            Data(generated.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: "\n").utf8), Data(fullPath.utf8),
            Data((titleText ?? "").utf8),
        ])
        let inputs = self.inputs, strings = inputs.strings[language]!
        return SiteBuilder.Planned(path: fullPath, fingerprint: fingerprint, make: {
            try PageRenderer(inputs: inputs, language: language, strings: strings,
                             page: .init(name: path, template: template, titleKey: "page.hub.title"), path: fullPath,
                             generated: generated, titleText: titleText).render()
        })
    }

    /// A card: thumbnail, name, role, top skills and counts, linking to the resume's page.
    func card(_ entry: HubEntry, language: Language, root: String) -> String {
        let strings = inputs.strings[language]!
        let name = entry.card.name.isEmpty ? entry.title : entry.card.name
        let role = entry.jobRole.flatMap(JobRole.init(rawValue:))?.label(language) ?? ""
        let skills = entry.card.skills.prefix(4).map { "<li>\(HTML.escape($0))</li>" }.joined()
        let counts = HubPlanner.counts(likes: entry.likes, views: entry.views, comments: entry.comments, strings: strings)
        return """
        <li class="hub-card" data-id="\(entry.id)"><a href="\(root)/resumes/\(entry.id).html"><img src="/resumes/\(entry.id).png" \
        alt="" width="210" height="297" loading="lazy"><span class="hub-name">\(HTML.escape(name))</span></a>\
        <span class="hub-role">\(HTML.escape(role))</span><ul class="hub-skills">\(skills)</ul>\(counts)</li>
        """
    }

    /// The counts line; a count of one takes the singular word (`1 like · 2 views`), and Korean puts
    /// the word first (`좋아요 1 · 조회 2`), as `hub.countOrder` says.
    static func counts(likes: Int, views: Int, comments: Int, strings: [String: String]) -> String {
        let wordFirst = strings["hub.countOrder"] == "word-number"
        func item(_ one: String, _ many: String, _ n: Int, _ cls: String) -> String {
            let key = n == 1 ? one : many
            let word = HTML.escape(strings[key] ?? key), number = "<span class=\"n\">\(n)</span>"
            return "<span class=\"\(cls)\">\(wordFirst ? "\(word) \(number)" : "\(number) \(word)")</span>"
        }
        return "<p class=\"hub-counts\">\(item("hub.oneLike", "hub.likes", likes, "likes")) · \(item("hub.oneView", "hub.views", views, "views")) · "
            + "\(item("hub.oneComment", "hub.comments", comments, "comments"))</p>"
    }

    /// `hub/index.json`: every public resume in a few bytes, for filtering and sorting in the page
    /// with no server call. `s` lists skill names once; each row is
    /// `[id, name, role, [school types], [skill indexes], published day, language]`. The counts are in
    /// `hub/counts.json`, so that a like does not rewrite the index.
    func index() -> SiteBuilder.Planned {
        var skillIndex: [String: Int] = [:]
        var skills: [String] = []
        var rows: [JSONValue] = []
        for entry in entries {
            let indexes: [JSONValue] = entry.card.skills.map { skill in
                if let i = skillIndex[skill] { return .int(Int64(i)) }
                skillIndex[skill] = skills.count
                skills.append(skill)
                return .int(Int64(skills.count - 1))
            }
            rows.append(.array([
                .int(entry.id), .string(entry.card.name.isEmpty ? entry.title : entry.card.name), .string(entry.jobRole ?? ""),
                .array(Array(Set(entry.card.schools)).sorted().map { .string($0) }), .array(indexes),
                .int(entry.publishedAt / 86_400), .string(entry.card.language),
            ]))
        }
        let data = Data(JSONValue.object(["v": 1, "s": .array(skills.map { .string($0) }), "r": .array(rows)]).serialized.utf8)
        return SiteBuilder.Planned(path: "hub/index.json", fingerprint: SiteBuilder.fingerprint([data]), make: { data })
    }

    /// A public resume's page in both languages, and its PDF and thumbnail.
    func resumeOutputs(_ stored: StoredResume, definition: (Resume) -> String,
                       draw: @escaping @Sendable (Resume) -> (pdf: Data, thumbnail: Data)) -> [SiteBuilder.Planned] {
        var planned: [SiteBuilder.Planned] = []
        let entry = entries.first { $0.id == stored.id }
        // The document as readers see it (the editor's prompts left out), the same for both languages' pages.
        let document = HTMLRenderer.fragment(stored.resume, prompts: .omit)
        for language in Language.allCases {
            planned.append(resumePage(stored, entry: entry, language: language, document: document))
        }
        // One layout for both files: whichever is made first renders the two.
        let fingerprint = SiteBuilder.fingerprint([Data(definition(stored.resume).utf8)])
        let rendered = Rendered()
        let both = { () -> (pdf: Data, thumbnail: Data) in
            if let done = rendered.value { return done }
            let done = draw(stored.resume)
            rendered.value = done
            return done
        }
        planned.append(.init(path: "resumes/\(stored.id).pdf", fingerprint: fingerprint, make: { both().pdf }))
        planned.append(.init(path: "resumes/\(stored.id).png", fingerprint: fingerprint, make: { both().thumbnail }))
        return planned
    }

    func resumePage(_ stored: StoredResume, entry: HubEntry?, language: Language, document given: String? = nil) -> SiteBuilder.Planned {
        let strings = inputs.strings[language]!
        let resume = stored.resume
        let name = resume.profile.name.isEmpty ? stored.title : resume.profile.name
        let role = resume.profile.jobRole?.label(language) ?? ""
        let skills = resume.techStack.prefix(8).map { "<li>\(HTML.escape($0))</li>" }.joined()
        let path = "resumes/\(stored.id).html"
        let fullPath = (language == .ko ? "" : "en/") + path
        let base = inputs.publicURL
        let description = [role, resume.techStack.prefix(5).joined(separator: ", ")].filter { !$0.isEmpty }.joined(separator: " · ")
        let head = """
        <link rel="stylesheet" href="/assets/resume.css">
        <meta property="og:type" content="profile">
        <meta property="og:title" content="\(HTML.escape(name))\(role.isEmpty ? "" : " · " + HTML.escape(role))">
        <meta property="og:description" content="\(HTML.escape(description))">
        <meta property="og:image" content="\(HTML.escape(base))/resumes/\(stored.id).png">
        <meta property="og:url" content="\(HTML.escape(base))/\(fullPath)">
        <meta name="twitter:card" content="summary_large_image">
        """
        var anchors = "<option value=\"\">\(HTML.escape(strings["hub.anchor.whole"] ?? ""))</option>"
        anchors += "<option value=\"aboutMe\">\(HTML.escape(strings["hub.anchor.about"] ?? "aboutMe"))</option>"
        anchors += "<option value=\"techStack\">\(HTML.escape(strings["hub.anchor.stack"] ?? "techStack"))</option>"
        for (i, project) in resume.projects.enumerated() {
            anchors += "<option value=\"projects[\(i)]\">\(HTML.escape(project.name))</option>"
        }
        // The document as readers see it: the editor's prompts left out.
        let document = given ?? HTMLRenderer.fragment(resume, prompts: .omit)
        let generated = [
            "head": head, "hub.id": String(stored.id), "hub.name": HTML.escape(name), "hub.role": HTML.escape(role), "hub.skills": skills,
            "hub.counts": HubPlanner.counts(likes: entry?.likes ?? stored.likeCount, views: entry?.views ?? stored.viewCount,
                                            comments: entry?.comments ?? 0, strings: strings),
            "hub.document": document, "hub.anchors": anchors, "hub.language": resume.language.rawValue,
        ]
        return generatedPage(template: inputs.hubTemplates.resume, generated: generated, language: language, path: path, titleText: name)
    }
}
