import Foundation
import GitfolioCore

/// Export to and import from the JSON Resume schema (https://jsonresume.org/schema, v1.0.0).
///
/// Export writes the standard sections and keeps the whole Gitfolio document under
/// `meta.gitfolio`, so a file exported here imports back unchanged. Other JSON Resume files are
/// mapped section by section and validated like any profile input.
public enum JSONResume {
    /// The export leaves the editor: unfilled prompts are left out (`.omit`, the default) or the
    /// export is refused naming them (`.refuse`, ``UnfilledPromptsError``).
    public static func export(_ resume: Resume, prompts: PromptPolicy = .omit) throws -> Data {
        let r = try resume.leavingEditor(prompts)
        let p = r.profile
        var basics: [String: Any] = ["name": p.name, "email": p.email, "phone": p.phone, "summary": r.aboutMe.needsInput ? "" : r.aboutMe.text]
        if Resume.isNoreply(p.email) { basics["email"] = "" }
        if let role = p.jobRole { basics["label"] = role.label(r.language) }
        if !p.avatarURL.isEmpty { basics["image"] = p.avatarURL }
        basics["profiles"] = p.links.map { ["network": $0.title, "url": $0.url] }
        let document: [String: Any] = [
            "$schema": "https://raw.githubusercontent.com/jsonresume/resume-schema/v1.0.0/schema.json",
            "basics": basics,
            "work": p.workExperience.map { w -> [String: Any] in
                compact(["name": w.company, "position": w.title, "startDate": date(w.start), "endDate": date(w.end), "summary": w.description])
            },
            "education": p.education.enumerated().map { i, e -> [String: Any] in
                compact(["institution": e.schoolName, "area": e.major,
                         "studyType": r.states("profile.education[\(i)].schoolType") ? e.schoolType.english : nil,
                         "startDate": date(e.start), "endDate": date(e.end)])
            },
            "certificates": p.certificates.map { c -> [String: Any] in compact(["name": c.name, "issuer": c.issuer, "date": date(c.acquired)]) },
            "skills": r.techStack.isEmpty ? [] : [["name": r.language == .ko ? "기술 스택" : "Tech stack", "keywords": r.techStack]],
            "projects": r.projects.map { project -> [String: Any] in
                compact(["name": project.name, "description": project.summary?.text, "startDate": date(project.start),
                         "endDate": date(project.end), "url": project.repository.hasPrefix("http") ? project.repository : nil,
                         "keywords": project.skills, "highlights": project.bullets.filter { !$0.needsInput }.map(\.text)])
            },
            "meta": ["version": "v1.0.0", "gitfolio": try JSONSerialization.jsonObject(with: JSONEncoder().encode(r))],
        ]
        return try JSONSerialization.data(withJSONObject: document, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    /// Reads a JSON Resume document. `template` applies when the file was not made by Gitfolio;
    /// `language` too, and without it the resume's language follows its content (Hangul or not).
    /// What the file does not state stays unknown: no work type, employment or graduation status is
    /// made up (``Resume/unstated`` names those fields, and nothing prints them).
    public static func `import`(_ data: Data, template: Template, language requested: Language?) throws -> Resume {
        guard let values = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw APIError.badRequest("invalid_json", "The file is not a JSON object.", korean: "파일이 JSON 객체가 아닙니다.")
        }
        let today = SeoulCalendar.date(of: Date())
        let thisMonth = String(format: "%04d.%02d", today.year, today.month)
        if let meta = values["meta"] as? [String: Any], let own = meta["gitfolio"],
           let ownData = try? JSONSerialization.data(withJSONObject: own),
           let resume = try? JSONDecoder().decode(Resume.self, from: ownData) {
            // Our own export: validate its profile like any input, then take it whole.
            _ = try Profile.parse(try JSONValue(encoding: resume.profile), today: today)
            return resume
        }
        let basics = values["basics"] as? [String: Any] ?? [:]
        func month(_ value: Any?) -> String? {
            guard let s = value as? String, s.count >= 7 else { return nil }
            return String(s.prefix(7)).replacingOccurrences(of: "-", with: ".")
        }
        func list(_ key: String) -> [[String: Any]] { values[key] as? [[String: Any]] ?? [] }
        // Build profile input and let the one parser validate it, so errors name the field.
        var input: [String: Any] = [
            "name": basics["name"] ?? "", "email": basics["email"] ?? "", "phone": basics["phone"] ?? "",
            "avatarURL": basics["image"] ?? "",
        ]
        if let label = basics["label"] as? String {
            input["jobRole"] = JobRole.allCases.first { label.localizedCaseInsensitiveContains($0.english) || label.contains($0.korean) }?.rawValue
        }
        input["links"] = ((basics["profiles"] as? [[String: Any]]) ?? []).compactMap { p -> [String: Any]? in
            guard let url = p["url"] as? String, !url.isEmpty else { return nil }
            return ["title": p["network"] ?? "", "url": url]
        } + ((basics["url"] as? String).map { [["title": "Website", "url": $0]] } ?? [])
        // The profile needs a value for each enumeration; where the file states none, a placeholder
        // goes in and the path is recorded as unstated.
        var unstated: [String] = []
        input["education"] = list("education").enumerated().map { i, e -> [String: Any] in
            let type = (e["studyType"] as? String ?? "").lowercased()
            let stated: SchoolType? = type.contains("doctor") || type.contains("phd") || type.contains("박사") ? .doctor
                : type.contains("master") || type.contains("석사") ? .master
                : type.contains("associate") || type.contains("전문학사") ? .associate
                : type.contains("bachelor") || type.contains("학사") || type.contains("b.") ? .bachelor
                : type.contains("high") || type.contains("고등") ? .highSchool
                : type.contains("bootcamp") || type.contains("course") || type.contains("부트캠프") ? .privateEducation : nil
            if stated == nil { unstated.append("profile.education[\(i)].schoolType") }
            unstated.append("profile.education[\(i)].status")  // JSON Resume has no graduation status
            return compact(["schoolType": (stated ?? .bachelor).rawValue, "schoolName": e["institution"] ?? "", "major": e["area"] ?? "",
                            "status": (month(e["endDate"]).map { $0 > thisMonth } == true ? GraduationStatus.attending : .graduated).rawValue,
                            "start": month(e["startDate"]), "end": month(e["endDate"])])
        }
        input["workExperience"] = list("work").enumerated().map { i, w -> [String: Any] in
            // JSON Resume has neither a work type nor an employment status.
            unstated += ["profile.workExperience[\(i)].workType", "profile.workExperience[\(i)].employment"]
            return compact(["company": w["name"] ?? w["company"] ?? "", "title": w["position"] ?? "", "workType": WorkType.fullTime.rawValue,
                            "employment": (month(w["endDate"]) == nil ? EmploymentStatus.employed : .resigned).rawValue,
                            "start": month(w["startDate"]), "end": month(w["endDate"]), "description": w["summary"] ?? ""])
        }
        input["certificates"] = list("certificates").map { c in
            compact(["name": c["name"] ?? "", "issuer": c["issuer"] ?? "", "acquired": month(c["date"])])
        }
        let profile = try Profile.parse(try JSONValue.parse(Array(try JSONSerialization.data(withJSONObject: input))), today: today)
        let stack = list("skills").flatMap { ($0["keywords"] as? [String]) ?? [($0["name"] as? String)].compactMap { $0 } }
        let projects = list("projects").map { p -> ResumeProject in
            ResumeProject(name: p["name"] as? String ?? "", start: month(p["startDate"]), end: month(p["endDate"]),
                          skills: p["keywords"] as? [String] ?? [], repository: p["url"] as? String ?? "",
                          summary: (p["description"] as? String).map { Line($0, evidence: ["imported"]) },
                          bullets: ((p["highlights"] as? [String]) ?? []).map { Line($0, evidence: ["imported"]) },
                          star: nil, troubleshooting: [])
        }
        let summary = basics["summary"] as? String ?? ""
        var texts: [String] = [summary, basics["label"] as? String ?? ""]
        for w in list("work") {
            texts.append(w["summary"] as? String ?? "")
            texts.append(w["position"] as? String ?? "")
            texts += (w["highlights"] as? [String]) ?? []
        }
        for p in list("projects") {
            texts.append(p["description"] as? String ?? "")
            texts += (p["highlights"] as? [String]) ?? []
        }
        for e in list("education") { texts.append(e["area"] as? String ?? "") }
        let language = requested ?? detectLanguage(texts)
        return Resume(language: language, template: template, profile: profile,
                      aboutMe: summary.isEmpty ? Line(language == .ko ? "자신을 소개하는 문장을 적어 주세요." : "Write a few sentences about yourself.", needsInput: true)
                                               : Line(summary, evidence: ["imported"]),
                      techStack: stack, projects: projects, unstated: unstated.isEmpty ? nil : unstated)
    }

    /// Korean when Hangul makes up a real part of the letters (a Hangul syllable carries about as
    /// much as three Latin letters), English otherwise.
    static func detectLanguage(_ texts: [String]) -> Language {
        var hangul = 0, latin = 0
        for scalar in texts.joined(separator: " ").unicodeScalars {
            if (0xAC00...0xD7A3).contains(scalar.value) { hangul += 1 } else if scalar.isASCII && scalar.properties.isAlphabetic { latin += 1 }
        }
        return hangul * 3 >= max(1, latin) / 2 && hangul > 0 ? .ko : .en
    }

    static func date(_ month: String?) -> String? { month.map { $0.replacingOccurrences(of: ".", with: "-") } }

    static func compact(_ values: [String: Any?]) -> [String: Any] {
        values.compactMapValues { value -> Any? in
            guard let value else { return nil }
            if let s = value as? String, s.isEmpty { return nil }
            return value
        }
    }
}
