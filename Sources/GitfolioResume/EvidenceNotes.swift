/// What a piece of evidence is, for a person, in both languages, with a link to it when the
/// project's repository is on GitHub: `market-api:file:build.gradle` becomes "build.gradle in
/// market-api" (`https://github.com/haneul-kim/market-api/blob/HEAD/build.gradle`). The ids stay
/// what the writer and the grounding check cite; this is only how the editor shows them.
public struct EvidenceNote: Codable, Sendable, Equatable {
    public var en: String
    public var ko: String
    public var url: String?

    public init(en: String, ko: String, url: String? = nil) {
        self.en = en
        self.ko = ko
        self.url = url
    }
}

extension Resume {
    /// A note for every evidence id the document cites.
    public func evidenceNotes() -> [String: EvidenceNote] {
        var ids: Set<String> = []
        func add(_ line: Line?) { ids.formUnion(line?.evidence ?? []) }
        add(aboutMe)
        for project in projects {
            add(project.summary)
            project.bullets.forEach(add)
            if let s = project.star { [s.situation, s.task, s.action, s.result].forEach(add) }
            for t in project.troubleshooting { [t.problem, t.hypothesis, t.attempt, t.result].forEach(add) }
        }
        var out: [String: EvidenceNote] = [:]
        for id in ids { out[id] = note(for: id) }
        return out
    }

    /// The note for one id (`repo:kind[:detail]`); an id of another shape is shown as it is.
    public func note(for id: String) -> EvidenceNote {
        let parts = id.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2, !parts[0].isEmpty else { return EvidenceNote(en: id, ko: id) }
        let repo = parts[0], kind = parts[1], detail = parts.count > 2 ? parts[2] : ""
        let base = projects.first(where: { $0.name == repo }).flatMap { Self.gitHubURL($0.repository) }
        func at(_ suffix: String) -> String? { base.map { $0 + suffix } }
        switch kind {
        case "commits": return EvidenceNote(en: "Commit history of \(repo)", ko: "\(repo)의 커밋 기록", url: at("/commits"))
        case "contributions": return EvidenceNote(en: "GitHub contributions to \(repo)", ko: "\(repo)에 대한 GitHub 기여 기록", url: base)
        case "languages": return EvidenceNote(en: "Languages used in \(repo)", ko: "\(repo)에 쓰인 언어", url: base)
        case "pulls", "prs": return EvidenceNote(en: "Pull requests in \(repo)", ko: "\(repo)의 풀 리퀘스트", url: at("/pulls"))
        case "usage": return EvidenceNote(en: "What the files I wrote in \(repo) import", ko: "\(repo)에서 직접 작성한 파일이 쓰는 라이브러리", url: base)
        case "readme": return EvidenceNote(en: "README of \(repo)", ko: "\(repo)의 README", url: at("#readme"))
        case "pr" where !detail.isEmpty:
            return EvidenceNote(en: "Pull request #\(detail) in \(repo)", ko: "\(repo)의 풀 리퀘스트 #\(detail)", url: at("/pull/\(Self.pathEscaped(detail))"))
        case "commit" where !detail.isEmpty:
            return EvidenceNote(en: "Commit \(detail.prefix(7)) in \(repo)", ko: "\(repo)의 커밋 \(detail.prefix(7))", url: at("/commit/\(Self.pathEscaped(detail))"))
        case "file" where !detail.isEmpty:
            return EvidenceNote(en: "\(detail) in \(repo)", ko: "\(repo)의 \(detail) 파일", url: at("/blob/HEAD/\(Self.pathEscaped(detail))"))
        default:
            return EvidenceNote(en: "\(repo): \(parts.dropFirst().joined(separator: " "))", ko: "\(repo): \(parts.dropFirst().joined(separator: " "))")
        }
    }

    /// `https://github.com/owner/name` for a repository written `owner/name` or as a GitHub address;
    /// nil for a clone's folder or another host.
    static func gitHubURL(_ repository: String) -> String? {
        var r = Substring(repository)
        for prefix in ["https://github.com/", "http://github.com/"] where r.hasPrefix(prefix) { r = r.dropFirst(prefix.count) }
        if r.hasSuffix(".git") { r = r.dropLast(4) }
        while r.hasSuffix("/") { r = r.dropLast() }
        let parts = r.split(separator: "/", omittingEmptySubsequences: false)
        let allowed = { (c: Character) in c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".") }
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(allowed) && $0 != "." && $0 != ".." }),
              !repository.hasPrefix("/"), !repository.hasPrefix(".")
        else { return nil }
        return "https://github.com/\(parts[0])/\(parts[1])"
    }

    /// A file path or reference for a URL path: `/` kept, everything else outside unreserved characters escaped.
    static func pathEscaped(_ s: String) -> String {
        var out = ""
        for byte in s.utf8 {
            let c = Character(UnicodeScalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~/".contains(c) {
                out.append(c)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
