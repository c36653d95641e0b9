/// Languages by file extension, and the paths that are not the member's own code.
enum Languages {
    static let byExtension: [String: String] = [
        "swift": "Swift", "kt": "Kotlin", "kts": "Kotlin", "java": "Java", "scala": "Scala", "groovy": "Groovy",
        "js": "JavaScript", "mjs": "JavaScript", "cjs": "JavaScript", "jsx": "JavaScript", "ts": "TypeScript",
        "tsx": "TypeScript", "vue": "Vue", "svelte": "Svelte", "py": "Python", "rb": "Ruby", "php": "PHP",
        "go": "Go", "rs": "Rust", "c": "C", "h": "C", "cc": "C++", "cpp": "C++", "cxx": "C++", "hpp": "C++",
        "cs": "C#", "m": "Objective-C", "mm": "Objective-C++", "dart": "Dart", "lua": "Lua", "r": "R",
        "ex": "Elixir", "exs": "Elixir", "erl": "Erlang", "hs": "Haskell", "clj": "Clojure", "ml": "OCaml",
        "sh": "Shell", "bash": "Shell", "sql": "SQL", "html": "HTML", "css": "CSS", "scss": "SCSS",
        "sass": "Sass", "less": "Less", "gd": "GDScript", "shader": "ShaderLab", "hlsl": "HLSL", "glsl": "GLSL",
        "tf": "HCL", "ipynb": "Jupyter Notebook", "zig": "Zig", "nim": "Nim", "jl": "Julia",
    ]

    static let vendorDirs: Set<Substring> = ["node_modules", "vendor", "third_party", "third-party", "Pods", "Carthage",
                                             "dist", "build", ".build", "target", "out", "bin", "obj", ".venv", "venv",
                                             "__pycache__", ".gradle", ".idea", "coverage"]

    /// Vendored, generated or built paths, which say nothing about the member's skills.
    static func isVendored(_ path: String) -> Bool {
        var path = path
        if let answer = path.withUTF8({ isVendoredASCII($0) }) { return answer }
        return isVendoredBySplitting(path)
    }

    /// ``isVendoredBySplitting(_:)`` on the bytes of an ASCII path without carriage returns, with no
    /// substring made or hashed (every path of a clone is asked a few times); nil for other paths.
    static func isVendoredASCII(_ b: UnsafeBufferPointer<UInt8>) -> Bool? {
        let slash = UInt8(ascii: "/")
        var lastStart = -1, lastEnd = -1  // the last non-empty component
        var start = 0
        for i in 0...b.count {
            if i < b.count {
                let c = b[i]
                if c >= 0x80 || c == 0x0D { return nil }
                if c != slash { continue }
            }
            if i > start {
                // The component before this one is not the last: only directories are vendor folders.
                if lastStart >= 0, vendorDirBytes[lastEnd - lastStart]?.contains(where: { equal(b, lastStart, $0) }) == true { return true }
                lastStart = start
                lastEnd = i
            }
            start = i + 1
        }
        guard lastStart >= 0 else { return false }  // "" or slashes only: the name is the path itself, no suffix below matches
        let name = UnsafeBufferPointer(rebasing: b[lastStart..<lastEnd])
        func ends(_ suffix: [UInt8]) -> Bool { name.count >= suffix.count && equal(name, name.count - suffix.count, suffix) }
        return ends(minJS) || ends(minCSS) || ends(lock) || (name.count == packageLock.count && equal(name, 0, packageLock))
            || ends(pbGo) || ends(generatedSwift)
    }

    private static func equal(_ b: UnsafeBufferPointer<UInt8>, _ at: Int, _ word: [UInt8]) -> Bool {
        guard at + word.count <= b.count else { return false }
        for k in 0..<word.count where b[at + k] != word[k] { return false }
        return true
    }

    private static let vendorDirBytes: [Int: [[UInt8]]] = Dictionary(grouping: vendorDirs.map { Array($0.utf8) }, by: \.count)
    private static let minJS = Array(".min.js".utf8), minCSS = Array(".min.css".utf8), lock = Array(".lock".utf8)
    private static let packageLock = Array("package-lock.json".utf8), pbGo = Array(".pb.go".utf8)
    private static let generatedSwift = Array(".generated.swift".utf8)

    /// The rule itself, on the path's components as substrings.
    static func isVendoredBySplitting(_ path: String) -> Bool {
        let parts = components(path)
        if parts.dropLast().contains(where: { vendorDirs.contains($0) }) { return true }
        let name = parts.last.map(String.init) ?? path
        return name.hasSuffix(".min.js") || name.hasSuffix(".min.css") || name.hasSuffix(".lock")
            || name == "package-lock.json" || name.hasSuffix(".pb.go") || name.hasSuffix(".generated.swift")
    }

    /// `path.split(separator: "/")`, as bytes when the path is ASCII without a carriage return
    /// (then every character is one byte): every tracked path is split a few times, and splitting
    /// by characters cost most of the analysis of a repository's file list.
    static func components(_ path: String) -> [Substring] {
        guard path.utf8.allSatisfy({ $0 < 0x80 && $0 != 0x0d }) else { return path.split(separator: "/") }
        return path.utf8.split(separator: UInt8(ascii: "/")).map { Substring($0) }
    }

    static func language(of path: String) -> String? {
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return nil }
        return byExtension[path[path.index(after: dot)...].lowercased()]
    }
}
