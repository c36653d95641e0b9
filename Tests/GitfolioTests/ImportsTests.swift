import Foundation
@testable import GitfolioEvidence
import Testing

/// The byte-level import scanners give exactly the regular expressions' captures, or step aside.
@Suite struct ImportsTests {
    static let patterns: [(ImportScanner.Pattern, NSRegularExpression)] = [(.swift, Imports.swift), (.python, Imports.python), (.jvm, Imports.jvm)]

    /// Inputs where the scanner must answer (no unmodelled spaces), with what the regex captures.
    static let table: [String] = [
        "import Foundation\nimport GitfolioCore\n",
        "@testable import GitfolioEvidence\n@_exported import A\n@preconcurrency import B\n",
        "  import struct Foo.Bar\nimport class Baz\nimport func qux\nimport typealias T\n",
        "import struct 9\nimport variables\nimport letter\nimport enum\n  Inner\n",
        "import\nimport Foo\n",
        "importFoo\n// import Commented\nlet x = \"import Str\"\n",
        "@testable\n  import X\n@testableimport Y\n@objc import Z\n",
        "\r\nimport Windows\r\nimport Lines\r\n",
        "import 한국\nimport Ab한\n// 한국어 주석 import 가\n한국어 import Nope\n",
        "import café\n",
        "from os.path import join\nfrom . import x\nimport numpy as np\nimport a.b.c, d\nfrom x import(y)\n",
        "from a importer\nfrom a import_x\nfrom a\n  import b\nfrom\ta\timport\tc\n  from   pkg.sub   import *\n",
        "from a import한\nfrom a import\n",
        "import static org.junit.Assert.*;\nimport java.util.List;\nimport static\n  x.Y;\nimport static.Foo;\nimport static 9;\n",
        "package a\n\nimport org.springframework.boot.SpringApplication\nimport kotlinx.coroutines.*\n",
        "", "\n", "import", "import ", "import _", "from", "from a import", " \t \n\r",
        "x\n\n\n   import   Deep\n",
        "/* 주석 */ import Foo\n\t\t@testable   import  Bar\n",
        "import \u{FFFD}\n\u{FFFD}import X\n",
        "\u{1C}import A\nimport\u{1F}B\n\u{FEFF}import C\n",
    ]

    @Test func scannersAgreeWithTheRegularExpressions() throws {
        for text in Self.table {
            for (pattern, re) in Self.patterns {
                let scanned = ImportScanner.captures(text, pattern)
                let expected = Imports.matches(text, re)
                if let scanned {
                    #expect(scanned == expected, "\(pattern) on \(text.debugDescription)")
                } else {
                    // Only a non-ASCII continuation of an identifier may make it step aside here.
                    #expect(text.contains("import 한국") || text.contains("café") || text.contains("Ab한") || text.contains("import한"),
                            "\(pattern) gave up on \(text.debugDescription)")
                }
            }
        }
    }

    /// Unmodelled spaces and separators anywhere in a file make the scanner step aside.
    @Test(arguments: ["\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{180E}", "\u{2000}", "\u{2009}", "\u{200B}",
                      "\u{2028}", "\u{2029}", "\u{202F}", "\u{205F}", "\u{3000}"])
    func unmodelledSpacesStepAside(space: String) {
        let text = "import A\n// x\(space)y\nimport B\n"
        for (pattern, _) in Self.patterns { #expect(ImportScanner.captures(text, pattern) == nil) }
        // And what the file gives still equals the regular expression's answer.
        #expect(Imports.specifiers(path: "a.swift", text: text)?.names == Set(Imports.matches(text, Imports.swift)))
    }

    /// Korean text (strings, comments, whole lines) does not stop the scanner.
    @Test func koreanTextIsScanned() {
        let text = "import Foundation\n// 한국어 주석입니다\nlet s = \"이력서\"\n한국어로 시작하는 줄\n    import Later\n"
        #expect(ImportScanner.captures(text, .swift) == ["Foundation", "Later"])
    }

    /// Many generated files of the patterns' tokens: the scanner, when it answers, agrees.
    @Test func generatedFilesAgree() {
        let tokens = ["import", "from", " ", "  ", "\t", "\n", "\r\n", "\r", "@testable", "@_exported", "@preconcurrency", "@", "static",
                      "struct", "class", "var", "let", "typealias", "Foo", "a.b", ".", "_x", "9", "é", "한", "*", ";", "(", "\"", "#",
                      "\u{A0}", "importx", "fromage", "\u{1C}", "\u{1F}", "\u{FEFF}"]
        var rng = SplitMix(seed: 17)
        var answered = 0
        for _ in 0..<3000 {
            let count = Int(rng.next() % 14) + 1
            let text = (0..<count).map { _ in tokens[Int(rng.next() % UInt64(tokens.count))] }.joined()
            for (pattern, re) in Self.patterns {
                guard let scanned = ImportScanner.captures(text, pattern) else { continue }
                answered += 1
                #expect(scanned == Imports.matches(text, re), "\(pattern) on \(text.debugDescription)")
            }
        }
        #expect(answered > 5000)
    }

    /// The byte-level vendored-path rule agrees with the one on substrings.
    @Test func vendoredPathsByBytesAgree() {
        let paths = ["node_modules/a/index.js", "src/node_modules/x.ts", "node_modules", "a/node_modules", "a/node_modules/", "vendor/x",
                     "src/vendor.go", "build/x", "builds/x", ".build/debug/x", "x/.venv/lib/a.py", "dist", "dist/", "/dist/x", "//dist//x",
                     "web/app.min.js", "app.min.jsx", "a/b.min.css", "Cargo.lock", "a/yarn.lock", "package-lock.json", "a/package-lock.json",
                     "xpackage-lock.json", "api/x.pb.go", "S/Model.generated.swift", "generated.swift", "", "/", "///", ".lock", "lock",
                     "Pods/A/B.swift", "pods/A/B.swift", "third-party/x.c", "third_party/x.c", "a/obj/x.o", "obj", "coverage/lcov.info",
                     "__pycache__/a.pyc", "a/.gradle/x", ".idea/workspace.xml", "src/main/kotlin/App.kt", "README.md"]
        for path in paths {
            var bytes = path
            let fast = bytes.withUTF8 { Languages.isVendoredASCII($0) }
            #expect(fast == Languages.isVendoredBySplitting(path), "\(path.debugDescription)")
            #expect(Languages.isVendored(path) == Languages.isVendoredBySplitting(path))
        }
        for path in ["노드/node_modules/a.js", "a\r/vendor/x", "vendor/한.js", "café/x.min.js"] {
            var bytes = path
            #expect(bytes.withUTF8 { Languages.isVendoredASCII($0) } == nil)
            #expect(Languages.isVendored(path) == Languages.isVendoredBySplitting(path))
        }
    }

    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }
}
