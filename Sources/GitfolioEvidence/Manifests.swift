import Foundation

/// Every technology name the analyser can report, for checking that writers name only those found:
/// the catalogue's display names and the languages.
public enum Vocabulary {
    /// The known technology a GitHub topic names (`spring-boot` → Spring Boot), if any.
    public static func technology(forTopic topic: String) -> (name: String, category: Technology.Category)? {
        Catalogue.shared.technology(forTopic: topic)
    }

    public static let technologyNames: Set<String> = Catalogue.shared.names.union(Languages.byExtension.values)
}

/// A dependency a manifest declares: its ecosystem and package name.
struct Declared: Hashable {
    var ecosystem: Ecosystem
    var package: String
}

/// Reads dependency manifests and configuration files: what they declare, and what the catalogue
/// makes of it.
public enum Manifests {
    typealias Known = (name: String, category: Technology.Category)

    /// Technologies found in one tracked file (`path` relative to the repository, `text` its
    /// content), by the catalogue. Declared packages the catalogue lacks are left out here (see
    /// ``declarations(path:text:)``).
    static func detect(path: String, text: String) -> [Known] {
        var found: [Known] = []
        func add(_ entry: Catalogue.Entry) {
            for name in [entry.name] + (entry.implies.map { [$0] } ?? []) where !found.contains(where: { $0.name == name }) {
                found.append((name, Catalogue.shared.categories[name] ?? entry.category))
            }
        }
        for declared in declarations(path: path, text: text) {
            if let entry = Catalogue.shared.entry(declared.ecosystem, declared.package) { add(entry) }
        }
        for entry in Catalogue.shared.fileEntries(matching: path) { add(entry) }
        let lower = fileName(path).lowercased()
        if (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")), text.contains("apiVersion:"),
           text.range(of: #"(?m)^kind:\s*(Deployment|Service|StatefulSet|Ingress|Pod|CronJob|ConfigMap|DaemonSet|Job)\s*$"#, options: .regularExpression) != nil {
            add(Catalogue.Entry(ecosystem: .file, package: path, name: "Kubernetes", category: .infrastructure, imports: [], implies: nil))
        }
        return found
    }

    static func fileName(_ path: String) -> String { Languages.components(path).last.map(String.init) ?? path }

    /// The packages a manifest declares, in the order it names them.
    static func declarations(path: String, text: String) -> [Declared] {
        let name = fileName(path)
        let lower = name.lowercased()
        var out: [Declared] = []
        func add(_ ecosystem: Ecosystem, _ packages: [String]) {
            for p in packages where !p.isEmpty {
                let d = Declared(ecosystem: ecosystem, package: p)
                if !out.contains(d) { out.append(d) }
            }
        }
        switch lower {
        case "package.json":
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
            // Sorted: a JSON object's keys come back in no stable order, and output must be deterministic.
            add(.npm, ["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"]
                .flatMap { (object[$0] as? [String: Any])?.keys.sorted() ?? [] })
        case "pyproject.toml": add(.pypi, pyproject(text))
        case "pipfile": add(.pypi, tomlKeys(text, inSections: { $0 == "packages" || $0 == "dev-packages" }))
        case "setup.py", "setup.cfg": add(.pypi, setupRequirements(text))
        case "cargo.toml":
            add(.cargo, tomlKeys(text, inSections: { $0.hasSuffix("dependencies") }) + tomlTables(text, suffix: "dependencies"))
            // A database driver chosen by a crate feature (`sqlx = { features = ["postgres"] }`).
            for line in text.split(separator: "\n") where line.contains("features") {
                for (feature, image) in [("postgres", "postgres"), ("mysql", "mysql"), ("sqlite", "sqlite"), ("mssql", "mcr.microsoft.com/mssql/server")]
                    where line.contains("\"\(feature)\"") || line.contains("-\(feature)\"") {
                    add(.image, [image])
                }
            }
        case "go.mod": add(.go, goModules(text))
        case "gemfile": add(.gem, gems(text))
        case "composer.json":
            guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [] }
            add(.composer, ["require", "require-dev"].flatMap { (object[$0] as? [String: Any])?.keys.sorted() ?? [] }
                .filter { $0.contains("/") })
        case "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts":
            let g = gradle(text)
            add(.maven, g.coordinates)
            add(.gradlePlugin, g.plugins)
        case "libs.versions.toml":
            let g = versionCatalog(text)
            add(.maven, g.coordinates)
            add(.gradlePlugin, g.plugins)
        case "pom.xml": add(.maven, pom(text))
        case "package.swift": add(.swift, swiftPackages(text))
        case "packages.config", "directory.packages.props": add(.nuget, nugetPackages(text))
        default:
            if lower.hasPrefix("requirements") && lower.hasSuffix(".txt") || path.contains("requirements/") && lower.hasSuffix(".txt") {
                add(.pypi, requirements(text))
            } else if lower.hasSuffix(".csproj") || lower.hasSuffix(".fsproj") {
                add(.nuget, nugetPackages(text))
                if text.contains("Sdk=\"Microsoft.NET.Sdk.Web\"") { add(.nuget, ["Microsoft.AspNetCore.App"]) }
            } else if lower == "dockerfile" || lower.hasPrefix("dockerfile.") || lower.hasSuffix(".dockerfile") {
                add(.image, dockerImages(text))
            } else if lower.hasPrefix("docker-compose") || lower.hasPrefix("compose")
                        || (lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")) && text.contains("services:") && !path.hasPrefix(".github/") {
                // Compose files, and stack files under other names (`services:` with `image:`).
                add(.image, composeImages(text))
            } else if path.hasPrefix(".github/workflows/") {
                add(.action, actions(text))
            }
        }
        return out
    }

    /// The manifests' file names, lowercased (made once: every tracked path is asked).
    static let manifestNames: Set<String> = [
        "package.json", "requirements.txt", "pyproject.toml", "pipfile", "setup.py", "setup.cfg", "go.mod", "cargo.toml",
        "package.swift", "build.gradle", "build.gradle.kts", "settings.gradle", "settings.gradle.kts", "libs.versions.toml",
        "pom.xml", "gemfile", "composer.json", "packages.config", "directory.packages.props"]

    /// Whether a tracked file is worth reading for detection.
    static func isManifest(_ path: String) -> Bool {
        let lower = fileName(path).lowercased()
        if manifestNames.contains(lower) { return true }
        if lower.hasSuffix(".txt") && (lower.hasPrefix("requirements") || path.contains("requirements/")) { return true }
        if lower.hasSuffix(".csproj") || lower.hasSuffix(".fsproj") { return true }
        if lower == "dockerfile" || lower.hasPrefix("dockerfile.") || lower.hasSuffix(".dockerfile") || lower.hasSuffix(".tf") { return true }
        if !Catalogue.shared.fileEntries(matching: path).isEmpty { return true }
        return lower.hasSuffix(".yml") || lower.hasSuffix(".yaml")
    }

    /// A manifest worth fetching from a repository's root (GitHub: no YAML guessing there).
    public static func isRootManifest(_ path: String) -> Bool {
        let lower = path.lowercased()
        return !path.contains("/") && isManifest(path) && !(lower.hasSuffix(".yml") || lower.hasSuffix(".yaml"))
            || lower.hasPrefix("docker-compose") || lower.hasPrefix("compose.")
    }

    // MARK: Ecosystems

    /// `Django==4.2`, `fastapi[all]>=0.100 ; python_version>"3.8"`, `-r base.txt` (skipped).
    static func requirementName(_ spec: String) -> String {
        let t = spec.trimmingCharacters(in: .whitespaces)
        guard let first = t.first, first.isLetter || first.isNumber else { return "" }
        return String(t.prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." })
    }

    static func requirements(_ text: String) -> [String] {
        text.split(separator: "\n").map { requirementName(String($0.prefix { $0 != "#" })) }
    }

    /// `[project] dependencies`, `[project.optional-dependencies]`, `[dependency-groups]` (PEP 621/735)
    /// and Poetry's `[tool.poetry.*dependencies]` tables.
    static func pyproject(_ text: String) -> [String] {
        var names: [String] = []
        var section = ""
        var inArray = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("#") { continue }
            if !inArray, line.hasPrefix("[") {
                section = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                continue
            }
            let arraySection = section == "project" || section == "project.optional-dependencies" || section == "dependency-groups"
                || section == "tool.uv"
            if !inArray, arraySection, let eq = line.firstIndex(of: "="), line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces).hasPrefix("[") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces)
                if section != "project" || key == "dependencies" { inArray = true }
                else { continue }
            }
            if inArray {
                for (i, part) in line.split(separator: "\"", omittingEmptySubsequences: false).enumerated() where i % 2 == 1 {
                    names.append(requirementName(String(part)))
                }
                for (i, part) in line.split(separator: "'", omittingEmptySubsequences: false).enumerated() where i % 2 == 1 && !line.contains("\"") {
                    names.append(requirementName(String(part)))
                }
                if line.contains("]") && !line.hasSuffix("[") && (line.filter { $0 == "]" }.count >= line.filter { $0 == "[" }.count) {
                    if line.hasSuffix("]") || line.hasSuffix("],") || !line.contains("[") { inArray = false }
                }
                continue
            }
            if section.hasPrefix("tool.poetry") && section.hasSuffix("dependencies"), let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
                if key != "python" { names.append(key) }
            }
        }
        return names
    }

    static func setupRequirements(_ text: String) -> [String] {
        guard let start = text.range(of: "install_requires") else { return [] }
        let rest = text[start.upperBound...]
        let end = rest.range(of: "]")?.lowerBound ?? rest.range(of: "\n\n")?.lowerBound ?? rest.endIndex
        let block = rest[..<end]
        var names: [String] = []
        for quote in ["\"", "'"] {
            for (i, part) in block.components(separatedBy: quote).enumerated() where i % 2 == 1 { names.append(requirementName(part)) }
        }
        if names.isEmpty {  // setup.cfg: one requirement a line
            names = block.split(separator: "\n").dropFirst().map { requirementName(String($0)) }
        }
        return names
    }

    /// Keys of the TOML sections whose name passes `inSections` (`[dependencies]`, `[packages]`).
    static func tomlKeys(_ text: String, inSections: (String) -> Bool) -> [String] {
        var names: [String] = []
        var active = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                let section = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] "))
                // `[target.'cfg(unix)'.dependencies]` counts; `[dependencies.serde]` is a table (below).
                active = inSections(section.split(separator: ".").last.map(String.init) ?? section)
                continue
            }
            guard active, !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
            names.append(line[..<eq].trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"'")))
        }
        return names
    }

    /// `[dependencies.serde]` → `serde`.
    static func tomlTables(_ text: String, suffix: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard line.hasPrefix("["), line.hasSuffix("]") else { return nil }
            let parts = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).split(separator: ".")
            guard parts.count >= 2, parts[parts.count - 2].hasSuffix(suffix) else { return nil }
            return String(parts.last!)
        }
    }

    static func goModules(_ text: String) -> [String] {
        var names: [String] = []
        var inRequire = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("require (") { inRequire = true; continue }
            if inRequire && line.hasPrefix(")") { inRequire = false; continue }
            // `// indirect`: a dependency of a dependency, not something the code uses.
            if line.hasSuffix("// indirect") { continue }
            if inRequire, let first = line.split(separator: " ").first, !first.hasPrefix("//") { names.append(String(first)) }
            if line.hasPrefix("require "), !line.hasPrefix("require ("), let module = line.split(separator: " ").dropFirst().first {
                names.append(String(module))
            }
        }
        return names
    }

    static func gems(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let t = raw.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("gem ") || t.hasPrefix("gem\t") || t.hasPrefix("gem(") else { return nil }
            return t.dropFirst(3).split(whereSeparator: { "'\" ,()\t".contains($0) }).first.map(String.init)
        }
    }

    /// Gradle: `implementation("group:artifact:1.0")`, `'group:artifact'`, `group: 'g', name: 'a'`,
    /// plugins by `id(...)`, `kotlin("jvm")` and `apply plugin:`; `libs.x.y` through the version catalogue.
    static func gradle(_ text: String) -> (coordinates: [String], plugins: [String]) {
        var coordinates: [String] = []
        var plugins: [String] = []
        let coordinate = try! NSRegularExpression(pattern: #"["']([A-Za-z0-9_.\-]+):([A-Za-z0-9_.\-]+)(:[^"'\s]*)?["']"#)
        let named = try! NSRegularExpression(pattern: #"group\s*[:=]\s*["']([A-Za-z0-9_.\-]+)["']\s*,\s*name\s*[:=]\s*["']([A-Za-z0-9_.\-]+)["']"#)
        let plugin = try! NSRegularExpression(pattern: #"(?:\bid\s*\(?\s*|apply\s+plugin\s*:\s*)["']([A-Za-z0-9_.\-]+)["']"#)
        let kotlin = try! NSRegularExpression(pattern: #"\bkotlin\s*\(\s*["']([A-Za-z0-9_.\-]+)["']\s*\)"#)
        let ns = text as NSString
        func groups(_ re: NSRegularExpression) -> [[String]] {
            re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
                (1..<m.numberOfRanges).map { m.range(at: $0).location == NSNotFound ? "" : ns.substring(with: m.range(at: $0)) }
            }
        }
        for g in groups(coordinate) where g[0].contains(".") || g[0].contains("-") || g[0] == "junit" || g[0] == "mysql" {
            coordinates.append("\(g[0]):\(g[1])")
        }
        for g in groups(named) { coordinates.append("\(g[0]):\(g[1])") }
        for g in groups(plugin) { plugins.append(g[0]) }
        for g in groups(kotlin) {
            // `kotlin("jvm")` is a plugin inside `plugins {}`; `kotlin("stdlib")` a dependency.
            plugins.append("org.jetbrains.kotlin.\(g[0])")
        }
        return (coordinates, plugins)
    }

    /// `gradle/libs.versions.toml`: libraries by `module = "g:a"`, `group`/`name`, or `"g:a:v"`;
    /// plugins by `id = "..."`.
    static func versionCatalog(_ text: String) -> (coordinates: [String], plugins: [String]) {
        var coordinates: [String] = []
        var plugins: [String] = []
        var section = ""
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") { section = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")); continue }
            func value(_ key: String) -> String? {
                guard let r = line.range(of: #"\b\#(key)\s*=\s*"([^"]+)""#, options: .regularExpression) else { return nil }
                let match = line[r]
                guard let q = match.firstIndex(of: "\"") else { return nil }
                return String(match[match.index(after: q)...].dropLast())
            }
            switch section {
            case "libraries":
                if let module = value("module") { coordinates.append(module) }
                else if let group = value("group"), let name = value("name") { coordinates.append("\(group):\(name)") }
                else if let eq = line.firstIndex(of: "="), let v = line[line.index(after: eq)...].split(separator: "\"").first(where: { $0.contains(":") }) {
                    let parts = v.split(separator: ":")
                    if parts.count >= 2 { coordinates.append("\(parts[0]):\(parts[1])") }
                }
            case "plugins":
                if let id = value("id") { plugins.append(id) }
            default: break
            }
        }
        return (coordinates, plugins)
    }

    /// Maven: `<dependency>`, `<parent>` and `<plugin>` blocks (groupId:artifactId).
    static func pom(_ text: String) -> [String] {
        let block = try! NSRegularExpression(pattern: #"<(dependency|parent|plugin)>(.*?)</\1>"#, options: [.dotMatchesLineSeparators])
        let ns = text as NSString
        return block.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            let body = ns.substring(with: m.range(at: 2))
            func tag(_ name: String) -> String? {
                guard let r = body.range(of: "<\(name)>"), let e = body.range(of: "</\(name)>", range: r.upperBound..<body.endIndex) else { return nil }
                return body[r.upperBound..<e.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard let artifact = tag("artifactId") else { return nil }
            return "\(tag("groupId") ?? "org.apache.maven.plugins"):\(artifact)"
        }
    }

    /// `.package(url: "https://github.com/vapor/vapor.git", …)` → `vapor`.
    static func swiftPackages(_ text: String) -> [String] {
        text.components(separatedBy: "url:").dropFirst().compactMap { rest in
            guard let open = rest.firstIndex(of: "\""), let close = rest[rest.index(after: open)...].firstIndex(of: "\"") else { return nil }
            var url = String(rest[rest.index(after: open)..<close])
            if url.hasSuffix(".git") { url.removeLast(4) }
            return url.split(separator: "/").last.map { $0.lowercased() }
        }
    }

    static func nugetPackages(_ text: String) -> [String] {
        let re = try! NSRegularExpression(pattern: #"<Package(?:Reference|Version)\s+Include\s*=\s*"([^"]+)"|<package\s+id\s*=\s*"([^"]+)""#)
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            for i in 1..<m.numberOfRanges where m.range(at: i).location != NSNotFound { return ns.substring(with: m.range(at: i)) }
            return nil
        }
    }

    /// `postgres:16-alpine` → `postgres`; `docker.io/library/redis:7` → `redis`; `bitnami/kafka@sha256:…` → `bitnami/kafka`.
    static func imageName(_ reference: String) -> String {
        var s = reference.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        if let at = s.firstIndex(of: "@") { s = String(s[..<at]) }
        if let colon = s.lastIndex(of: ":"), !s[colon...].contains("/") { s = String(s[..<colon]) }
        for prefix in ["docker.io/library/", "docker.io/", "library/", "index.docker.io/"] where s.hasPrefix(prefix) { s = String(s.dropFirst(prefix.count)) }
        return s.lowercased()
    }

    static func dockerImages(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let parts = raw.trimmingCharacters(in: .whitespaces).split(separator: " ")
            guard parts.count >= 2, parts[0].uppercased() == "FROM" else { return nil }
            let image = parts.dropFirst().first { !$0.hasPrefix("--") }.map(String.init) ?? ""
            return image.contains("$") ? nil : imageName(image)
        }
    }

    static func composeImages(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let t = raw.trimmingCharacters(in: .whitespaces)
            guard t.hasPrefix("image:") else { return nil }
            let value = t.dropFirst(6).trimmingCharacters(in: .whitespaces)
            return value.contains("$") ? nil : imageName(value)
        }
    }

    /// `uses: actions/setup-java@v4` → `actions/setup-java`.
    static func actions(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { raw in
            let t = raw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "- uses:", with: "uses:")
            guard t.hasPrefix("uses:") else { return nil }
            let value = t.dropFirst(5).trimmingCharacters(in: CharacterSet(charactersIn: " \"'"))
            let name = value.split(separator: "@").first.map(String.init) ?? value
            return name.hasPrefix("./") ? nil : name.split(separator: "/").prefix(2).joined(separator: "/")
        }
    }
}
