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
