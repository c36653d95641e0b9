import Foundation
@testable import GitfolioEvidence
import Testing

@Suite struct CatalogueTests {
    @Test func embeddedCatalogueIsTheDataFile() throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/GitfolioEvidence/Catalogue/technologies.tsv")
        let text = try String(contentsOf: file, encoding: .utf8)
        // Run scripts/embed-catalogue.sh after editing technologies.tsv.
        #expect(Catalogue.tsv == text.trimmingCharacters(in: .newlines))
    }

    @Test func catalogueHasNoCarriageReturns() {
        // The catalogue is split into lines as bytes, which matches splitting by characters only without "\r\n".
        #expect(!Catalogue.tsv.utf8.contains(0x0d))
    }

    @Test(arguments: ["src/a.ts", "a//b/", "/abs/x", "", "한글/경로.swift", "a/\u{301}b/c", "x\r\n/y", "Dockerfile"])
    func pathComponentsAsCharactersSplitThem(path: String) {
        #expect(Languages.components(path) == path.split(separator: "/"))
    }

    @Test func fileEntriesAreTheRowsWhoseGlobMatches() {
        let rows = Catalogue.shared.entries.filter { $0.ecosystem == .file }
        // Paths from every row's glob (its stars as nothing and as text, in a folder and not) and a few others.
        var paths = ["README.md", "src/app.ts", "", "*", "a/b/", "docs/ci.yml", "x/Dockerfile.dev", "é/compose.yaml"]
        for row in rows {
            for filler in ["", "x", "a.b"] {
                let path = row.package.replacingOccurrences(of: "*", with: filler)
                paths += [path, "sub/" + path, path + "x", "x" + path]
            }
        }
        for path in paths {
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let expected = rows.filter { Catalogue.glob($0.package, $0.package.contains("/") ? path : name) }
            #expect(Catalogue.shared.fileEntries(matching: path) == expected, "\(path)")
        }
    }

    @Test func hasAtLeast1500MappingsAcrossEcosystems() {
        let entries = Catalogue.shared.entries
        #expect(entries.count >= 1500)
        for ecosystem in [Ecosystem.npm, .pypi, .maven, .go, .cargo, .gem, .composer, .nuget, .swift, .image, .file] {
            #expect(entries.contains { $0.ecosystem == ecosystem }, "\(ecosystem)")
        }
    }

    @Test(arguments: [
        (Ecosystem.npm, "@tanstack/react-query", "TanStack Query"), (.npm, "@radix-ui/react-dialog", "Radix UI"),
        (.pypi, "scikit_learn", "scikit-learn"), (.maven, "org.springframework.boot:spring-boot-starter-batch", "Spring Batch"),
        (.go, "github.com/gin-gonic/gin", "Gin"), (.cargo, "axum", "Axum"), (.gem, "sidekiq", "Sidekiq"), (.swift, "vapor", "Vapor"),
    ])
    func namesPackagesAsResumesDo(ecosystem: Ecosystem, package: String, name: String) {
        #expect(Catalogue.shared.entry(ecosystem, package)?.name == name)
    }
}
