import Foundation

/// What a repository is called and where it lives on the web: its `origin` remote (GitHub, GitLab,
/// Bitbucket, any host) when it has one, else the README's title, else the clone's folder.
/// Never a link found in the README.
public struct RepositoryIdentity: Sendable, Equatable {
    public var name: String
    /// `https://host/owner/name`, without credentials or `.git`; nil for a remote that is not on the
    /// web (a path on disk) or no remote at all.
    public var url: String?

    public init(remote: String?, readme: String?, folder: String) {
        if let remote, let url = Self.webURL(fromRemote: remote), let last = url.split(separator: "/").last {
            self.url = url
            name = String(last)
            return
        }
        url = nil
        if let title = readme.flatMap({ Readme($0).title }), (1...60).contains(title.count) {
            name = title
        } else {
            name = folder
        }
    }

    /// `git@github.com:o/n.git`, `ssh://git@gitlab.com:22/g/s/n.git`, `https://user:token@host/o/n.git`
    /// → `https://host/o/n`; nil for local paths and `file://`.
    public static func webURL(fromRemote remote: String) -> String? {
        var s = remote.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !s.isEmpty, !s.hasPrefix("/"), !s.hasPrefix("."), !s.hasPrefix("file:"), !s.hasPrefix("~") else { return nil }
        var host: Substring
        var path: Substring
        if let scheme = s.range(of: "://") {
            let kind = s[..<scheme.lowerBound].lowercased()
            guard ["https", "http", "ssh", "git", "git+ssh", "ssh+git"].contains(kind) else { return nil }
            let rest = s[scheme.upperBound...]
            guard let slash = rest.firstIndex(of: "/") else { return nil }
            host = rest[..<slash]
            path = rest[rest.index(after: slash)...]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }  // credentials never kept
            if kind != "https" && kind != "http", let colon = host.firstIndex(of: ":") { host = host[..<colon] }
        } else if let colon = s.firstIndex(of: ":"), !s[..<colon].contains("/") {
            // scp-like: [user@]host:path
            host = s[..<colon]
            path = s[s.index(after: colon)...]
            if let at = host.lastIndex(of: "@") { host = host[host.index(after: at)...] }
        } else {
            return nil
        }
        while path.hasSuffix("/") { path = path.dropLast() }
        if path.hasSuffix(".git") { path = path.dropLast(4) }
        while path.hasPrefix("/") { path = path.dropFirst() }
        guard !host.isEmpty, host.contains("."), !path.isEmpty else { return nil }
        s = "https://\(host.lowercased())/\(path)"
        return s
    }
}

/// A README read as a person reads it: its title, and its first paragraph of prose with Markdown
/// and HTML stripped (badges, images, tables, lists, code and headings skipped).
public struct Readme: Sendable {
    public let title: String?
    public let summary: String?

    public init(_ text: String) {
        var title: String?
        var summary: String?
        let lines = Self.withoutComments(text).replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n")
        var blocks: [[String]] = []
        var current: [String] = []
        var fence: String?
        for line in lines {
            let t = line.trimmingCharacters(in: .whitespaces)
            if let f = fence {
                if t.hasPrefix(f) { fence = nil }
                continue
            }
            if t.hasPrefix("```") || t.hasPrefix("~~~") {
                if !current.isEmpty { blocks.append(current); current = [] }
                fence = String(t.prefix(3))
                continue
            }
            if t.isEmpty {
                if !current.isEmpty { blocks.append(current); current = [] }
            } else {
                current.append(t)
            }
        }
        if !current.isEmpty { blocks.append(current) }

        for block in blocks {
            guard let first = block.first else { continue }
            // Headings: ATX (`# x`), setext (`x` over `===`), HTML (`<h1>x</h1>`).
            if first.hasPrefix("#") {
                if title == nil { title = Self.clean(String(first.drop { $0 == "#" })).nilIfEmpty }
                if block.count == 1 { continue }
            }
            if block.count >= 2, block[1].allSatisfy({ $0 == "=" || $0 == "-" }) {
                if title == nil { title = Self.clean(first).nilIfEmpty }
                continue
            }
            if first.range(of: #"^<h[1-6][\s>]"#, options: [.regularExpression, .caseInsensitive]) != nil {
                if title == nil { title = Self.clean(block.joined(separator: " ")).nilIfEmpty }
                continue
            }
            guard summary == nil else { continue }
            let body = block.filter { line in
                !(line.hasPrefix("#") || line.hasPrefix("|") || line.hasPrefix("- ") || line.hasPrefix("* ") || line.hasPrefix("+ ")
                  || line.range(of: #"^\d+[.)]\s"#, options: .regularExpression) != nil || line.hasPrefix("> [!")
                  || line.allSatisfy({ "-=*_|: ".contains($0) }))
            }
            guard body.count * 2 > block.count else { continue }  // mostly a list or a table
            let raw = body.map { $0.hasPrefix(">") ? String($0.dropFirst()) : $0 }.joined(separator: " ")
            let text = Self.clean(raw)
            // Mostly link text ("See the presentation here: [slides](…)") is a pointer, not a description.
            let linkText = Self.linkText(raw)
            let aside = text.range(of: #"^(note|warning|important|caution|tip|disclaimer)\b"#, options: [.regularExpression, .caseInsensitive]) != nil
            if Self.isProse(text) && linkText * 2 < text.count && !aside {
                summary = text.count > 300 ? String(text.prefix(299)).trimmingCharacters(in: .whitespaces) + "…" : text
            }
        }
        self.title = title
        self.summary = summary
    }

    /// Characters of link text in Markdown links and HTML anchors.
    static func linkText(_ text: String) -> Int {
        let re = try! NSRegularExpression(pattern: #"\[([^\]]*)\]\([^)]*\)|<a\s[^>]*>([^<]*)</a>"#, options: [.caseInsensitive])
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
            (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? 0 : m.range(at: $0).length }.reduce(0, +)
        }.reduce(0, +)
    }

    static func withoutComments(_ text: String) -> String {
        text.replacingOccurrences(of: #"<!--[\s\S]*?-->"#, with: "", options: .regularExpression)
    }

    /// Whether stripped text reads as a sentence: some words, mostly letters, not a lone label.
    static func isProse(_ text: String) -> Bool {
        let letters = text.filter { $0.isLetter }.count
        let words = text.split(whereSeparator: { $0.isWhitespace }).count
        let cjk = text.unicodeScalars.filter { (0xAC00...0xD7A3).contains($0.value) || (0x4E00...0x9FFF).contains($0.value) || (0x3040...0x30FF).contains($0.value) }.count
        guard letters >= 15, letters * 2 >= text.count else { return false }
        if text.hasSuffix(":") && text.count < 80 { return false }
        return words >= 4 || cjk >= 8
    }

    /// Markdown and HTML removed from one paragraph: images and badges dropped, links kept as their
    /// text, emphasis and code marks removed, entities decoded, whitespace collapsed.
    static func clean(_ text: String) -> String {
        var s = text
        let rules: [(String, String)] = [
            (#"\[!\[[^\]]*\]\([^)]*\)\]\([^)]*\)"#, ""),           // badge: [![alt](img)](link)
            (#"\[!\[[^\]]*\]\[[^\]]*\]\]\[[^\]]*\]"#, ""),        // badge with references
            (#"!\[[^\]]*\]\([^)]*\)"#, ""),                       // image
            (#"!\[[^\]]*\]\[[^\]]*\]"#, ""),                      // image by reference
            (#"<img[^>]*>"#, ""),
            (#"<br\s*/?>"#, " "),
            (#"<[^>]+>"#, ""),                                    // any other tag, text kept
            (#"\[([^\]]+)\]\([^)]*\)"#, "$1"),                    // [text](url)
            (#"\[([^\]]+)\]\[[^\]]*\]"#, "$1"),                   // [text][ref]
            (#"^\[[^\]]+\]:\s*\S+.*$"#, ""),                      // reference definitions
            (#"(\*\*|__)(\S(?:.*?\S)?)\1"#, "$2"),                // strong
            (#"(?<![\w*])\*(\S(?:[^*]*?\S)?)\*(?![\w*])"#, "$1"), // emphasis with *
            (#"(?<!\w)_(\S(?:[^_]*?\S)?)_(?!\w)"#, "$1"),         // emphasis with _
            (#"~~(.+?)~~"#, "$1"),
            (#"`([^`]*)`"#, "$1"),
            (#"(?<![\w/]):[a-z0-9_+\-]+:(?![\w/])"#, ""),         // :emoji: shortcodes
            (#"https?://\S+"#, ""),                               // bare addresses
        ]
        for (pattern, template) in rules {
            s = s.replacingOccurrences(of: pattern, with: template, options: [.regularExpression, .caseInsensitive])
        }
        for (entity, value) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&apos;", "'"), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: entity, with: value)
        }
        s = s.replacingOccurrences(of: #"\s+"#, with: " ", options: .regularExpression)
        return s.trimmingCharacters(in: CharacterSet.whitespaces.union(CharacterSet(charactersIn: "|-–—·:")))
    }
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// Email addresses that reach nobody: GitHub's and GitLab's private-commit addresses and the like.
/// They are never shown as contact.
public enum NoreplyAddress {
    public static func matches(_ email: String) -> Bool {
        let lower = email.trimmingCharacters(in: .whitespaces).lowercased()
        guard let at = lower.lastIndex(of: "@") else { return false }
        let local = lower[..<at], domain = lower[lower.index(after: at)...]
        return domain.contains("noreply") || domain.contains("no-reply") || domain == "localhost" || domain.hasSuffix(".local")
            || domain.hasSuffix(".localdomain") || ["noreply", "no-reply", "donotreply", "do-not-reply", "nobody"].contains(String(local))
    }
}
