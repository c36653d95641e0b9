import Foundation

/// What a source file imports, per language, as the names its manifests declare them by.
enum Imports {
    /// The import specifiers of one file: npm package names, Python modules, Java/Kotlin/C#
    /// qualified names, Go import paths, Rust crate names, Swift modules, Ruby requires, PHP namespaces.
    static func specifiers(path: String, text: String) -> (language: Language, names: Set<String>)? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        let ext = path[path.index(after: dot)...].lowercased()
        switch ext {
        case "js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue", "svelte", "astro":
            return (.javascript, Set(matches(text, javascript).compactMap(npmPackage)))
        case "py":
            return (.python, Set(ImportScanner.captures(text, .python) ?? matches(text, python)))
        case "java", "kt", "kts", "scala", "groovy":
            return (.jvm, Set(ImportScanner.captures(text, .jvm) ?? matches(text, jvm)))
        case "go":
            return (.go, goImports(text))
        case "rs":
            return (.rust, Set(matches(text, rust)))
        case "swift":
            return (.swift, Set(ImportScanner.captures(text, .swift) ?? matches(text, swift)))
        case "rb":
            return (.ruby, Set(matches(text, ruby)))
        case "php":
            return (.php, Set(matches(text, php).map { $0.replacingOccurrences(of: "\\", with: ".") }))
        case "cs":
            return (.csharp, Set(matches(text, csharp)))
        default:
            return nil
        }
    }

    enum Language { case javascript, python, jvm, go, rust, swift, ruby, php, csharp }

    /// Whether ``specifiers(path:text:)`` reads this file's imports (by its extension), so that no
    /// other file is opened.
    static func readsImports(of path: String) -> Bool {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return false }
        return extensions.contains(path[path.index(after: dot)...].lowercased())
    }

    static let extensions: Set<String> = ["js", "jsx", "ts", "tsx", "mjs", "cjs", "mts", "cts", "vue", "svelte", "astro", "py", "java",
                                          "kt", "kts", "scala", "groovy", "go", "rs", "swift", "rb", "php", "cs"]

    static let javascript = try! NSRegularExpression(pattern:
        #"(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+\s+from\s+)?|\bexport\s+[\w*{}\s,$]+\s+from\s+|\brequire\s*\(\s*|\bimport\s*\(\s*)["']([^"'\n]+)["']"#)
    static let python = try! NSRegularExpression(pattern: #"(?m)^\s*(?:from\s+([A-Za-z_][\w.]*)\s+import\b|import\s+([A-Za-z_][\w.]*))"#)
    static let jvm = try! NSRegularExpression(pattern: #"(?m)^\s*import\s+(?:static\s+)?([A-Za-z_][\w.]*)"#)
    static let rust = try! NSRegularExpression(pattern: #"(?:\buse\s+|\bextern\s+crate\s+|[^\w:]|^)([a-z_][a-z0-9_]*)::"#)
    static let swift = try! NSRegularExpression(pattern: #"(?m)^\s*(?:@testable\s+|@_exported\s+|@preconcurrency\s+)?import\s+(?:(?:struct|class|enum|protocol|func|var|let|typealias)\s+)?([A-Za-z_]\w*)"#)
    static let ruby = try! NSRegularExpression(pattern: #"(?m)^\s*require\s*\(?\s*["']([\w\-/]+)["']"#)
    static let php = try! NSRegularExpression(pattern: #"(?m)^\s*use\s+\\?([A-Za-z_][\w\\]*)"#)
    static let csharp = try! NSRegularExpression(pattern: #"(?m)^\s*(?:global\s+)?using\s+(?:static\s+)?([A-Za-z_][\w.]*)\s*;"#)

    /// The first non-empty capture group of every match. (Swift, Python and JVM files go through
    /// ``ImportScanner`` first, which gives the same captures without bridging the text to UTF-16.)
    static func matches(_ text: String, _ re: NSRegularExpression) -> [String] {
        let ns = text as NSString
        return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            for i in 1..<m.numberOfRanges where m.range(at: i).location != NSNotFound {
                return ns.substring(with: m.range(at: i))
            }
            return nil
        }
    }

    /// `@tanstack/react-query/devtools` → `@tanstack/react-query`; `lodash/merge` → `lodash`;
    /// relative paths, aliases (`@/`, `~/`) and Node's built-ins → nil.
    static func npmPackage(_ specifier: String) -> String? {
        guard let first = specifier.first, first != ".", first != "/", first != "~", first != "#",
              !specifier.hasPrefix("@/"), !specifier.hasPrefix("node:"), !specifier.contains(":") else { return nil }
        let parts = specifier.split(separator: "/")
        if first == "@" { return parts.count >= 2 ? "\(parts[0])/\(parts[1])" : nil }
        return String(parts[0])
    }

    static func goImports(_ text: String) -> Set<String> {
        var names: Set<String> = []
        var inBlock = false
        for raw in text.split(separator: "\n") {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("import (") { inBlock = true; continue }
            if inBlock && line.hasPrefix(")") { inBlock = false; continue }
            guard inBlock || line.hasPrefix("import ") else {
                if line.hasPrefix("func ") || line.hasPrefix("type ") { break }  // imports come first
                continue
            }
            let parts = line.split(separator: "\"")
            if parts.count >= 2 { names.insert(String(parts[1])) }
        }
        return names
    }

    /// Whether an imported name belongs to a declared package, by the catalogue's import names
    /// (a prefix followed by `.` or `/` counts: `org.springframework.batch.core` is Spring Batch).
    static func matches(_ imported: String, prefixes: [String]) -> Bool {
        prefixes.contains { p in
            imported == p || imported.hasPrefix(p) && {
                let next = imported[imported.index(imported.startIndex, offsetBy: p.count)]
                return next == "." || next == "/"
            }()
        }
    }
}
