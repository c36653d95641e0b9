// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .swiftLanguageMode(.v6),
]


/// The function executables, declared once: each is built from `Functions/<name>/main.swift` with these
/// dependencies, and the list of names reaches the code through the C target `CFunctionCatalog`
/// (`FunctionCatalog.names`), which `serve`, `deploy` and the benchmarks read. Those that call out link
/// the HTTP client; `resume` alone links Pango and Cairo; `session`, `like` and `view` link neither
/// Foundation nor swift-crypto, so they start about as fast as a minimal Swift executable.
let functions: [(name: String, dependencies: [Target.Dependency])] = [
    ("auth-callback", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("comment", ["FunctionCore", "GitfolioFunctions"]),
    ("generate", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("like", ["FunctionCore", "HubFunctions"]),
    ("login", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("logout", ["FunctionCore", "GitfolioFunctions"]),
    ("me", ["FunctionCore", "GitfolioFunctions"]),
    ("notifications", ["FunctionCore", "GitfolioFunctions"]),
    ("pay-webhook", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("repositories", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("resume", ["FunctionCore", "RenderFunctions"]),
    ("revise", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("session", ["FunctionCore", "SessionFunction"]),
    ("subscription", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
    ("view", ["FunctionCore", "HubFunctions"]),
]

/// Functions a scheduler runs, one-shot, never over HTTP (`FunctionCatalog.scheduled`): built like the
/// others, but `serve` and `deploy` do not route `/api/<name>` to them, and the runner refuses to answer
/// them in warm or CGI mode (`FunctionRunner.runScheduled`).
let scheduled: [(name: String, dependencies: [Target.Dependency])] = [
    ("nightly", ["FunctionCore", "GitfolioFunctions", "GitfolioHTTP"]),
]

let package = Package(
    name: "Gitfolio",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gitfolio", targets: ["gitfolio"]),
    ] + (functions + scheduled).map { .executable(name: $0.name, targets: [$0.name]) },
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.2"),
    ],
    targets: [
        // The Foundation-free base: the function protocol and its one runner (modes, framing, limits,
        // the error shape), the strict JSON reader, configuration, logging, SHA-256, request checks.
        .target(name: "FunctionCore", dependencies: ["CFunctionCatalog"], swiftSettings: strict),
        // The names of `functions` and `scheduled` above, compiled in (see FunctionCatalog).
        .target(name: "CFunctionCatalog", cSettings: [
            .define("GITFOLIO_FUNCTION_NAMES", to: "\"" + functions.map(\.name).joined(separator: ",") + "\""),
            .define("GITFOLIO_SCHEDULED_NAMES", to: "\"" + scheduled.map(\.name).joined(separator: ",") + "\""),
        ]),
        // Codable on top of the runner: JSON to typed values and back, request bodies as Decodable types,
        // the one field-naming 400. Apart, so that the fast functions do not link it.
        .target(name: "FunctionCodable", dependencies: ["FunctionCore"], swiftSettings: strict),
        // The domain values (job roles, school types, plans and their limits, Asia/Seoul dates), Foundation-free.
        .target(name: "GitfolioDomain", swiftSettings: strict),
        // SQLite's C API from Debian (libsqlite3-dev).
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // The store's Foundation-free half: the SQLite connection, migrations, transactions, errors, and
        // the queries the fast functions share with the rest (sessions).
        .target(name: "StoreCore", dependencies: ["FunctionCore", "GitfolioDomain", "CSQLite"], swiftSettings: strict),
        // Foundation-level shared pieces: the profile and its rules, text rules, secrets (AES-GCM), the
        // clock and outbound HTTP seams.
        .target(
            name: "GitfolioCore",
            dependencies: ["FunctionCore", "FunctionCodable", "GitfolioDomain", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The real outbound HTTP client (URLSession; libcurl on Linux), only where a function calls out.
        .target(
            name: "GitfolioHTTP",
            dependencies: ["GitfolioCore"],
            swiftSettings: strict,
            // Needed when FoundationNetworking is linked statically (--static-swift-stdlib).
            linkerSettings: [.linkedLibrary("curl")]
        ),
        // Evidence from a developer's work: local git clones and GitHub's data. The technology catalogue's
        // data (Catalogue/technologies.tsv) is embedded as Swift source by scripts/embed-catalogue.sh, so the
        // executables never look for a file at run time.
        .target(name: "GitfolioEvidence", dependencies: ["GitfolioCore"], exclude: ["Catalogue/technologies.tsv"], swiftSettings: strict),
        // Everything Gitfolio asks GitHub (sign-in, repositories, details), with its caches.
        .target(name: "GitfolioGitHub", dependencies: ["GitfolioCore", "GitfolioEvidence"], swiftSettings: strict),
        // The resume document, the offline writer, the grounding check and text renderings.
        .target(name: "GitfolioResume", dependencies: ["GitfolioCore", "GitfolioEvidence"], swiftSettings: strict),
        // Pango and Cairo from Debian (libpango1.0-dev, libcairo2-dev), for the PDF renderer.
        .systemLibrary(
            name: "CPangoCairo",
            path: "Sources/CPangoCairo",
            pkgConfig: "pangocairo",
            providers: [.apt(["libpango1.0-dev", "libcairo2-dev"])]
        ),
        // Cairo's PDF streams at zlib's fastest level (see the target's header).
        .target(name: "CFastDeflate", linkerSettings: [.linkedLibrary("z")]),
        // Cairo's per-glyph cmap reads answered from a table of the document's characters (see its header).
        .target(name: "CCairoCmap"),
        // The three templates, defined once, rendered as HTML and (through Pango and Cairo) as PDF and PNG.
        .target(name: "GitfolioRender", dependencies: ["GitfolioCore", "GitfolioResume", "CPangoCairo", "CFastDeflate", "CCairoCmap"], swiftSettings: strict),
        // Language models: OpenAI-compatible Chat Completions and Anthropic Messages, one retry policy.
        .target(name: "GitfolioLLM", dependencies: ["GitfolioCore"], swiftSettings: strict),
        // KakaoPay's recurring payments (ready, approve, subscription, inactive, status, order), through the HTTP seam.
        .target(name: "GitfolioPay", dependencies: ["GitfolioCore"], swiftSettings: strict),
        // The store: every query, with domain types in and out, on StoreCore's connection.
        .target(name: "GitfolioStore", dependencies: ["GitfolioCore", "StoreCore", "GitfolioResume", "GitfolioGitHub"], swiftSettings: strict),
        // `GET /api/session` (who is signed in) without Foundation or swift-crypto: fast one-shot start-up.
        .target(name: "SessionFunction", dependencies: ["FunctionCore", "StoreCore"], swiftSettings: strict),
        // `like` and `view`, which readers trigger from every resume page: without Foundation, like `session`.
        .target(name: "HubFunctions", dependencies: ["FunctionCore", "StoreCore"], swiftSettings: strict),
        // The handlers behind the function executables, one file per function.
        .target(
            name: "GitfolioFunctions",
            dependencies: ["GitfolioCore", "GitfolioStore", "GitfolioGitHub", "GitfolioEvidence", "GitfolioResume", "GitfolioLLM", "GitfolioPay"],
            swiftSettings: strict
        ),
        // The `resume` function's handler: apart, so that only its executable links Pango and Cairo.
        .target(
            name: "RenderFunctions",
            dependencies: ["GitfolioCore", "GitfolioStore", "GitfolioFunctions", "GitfolioResume", "GitfolioRender"],
            swiftSettings: strict
        ),
        // The static-site builder.
        .target(
            name: "SiteBuilder",
            dependencies: ["GitfolioCore", "GitfolioStore", "GitfolioResume", "GitfolioRender", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // A generic HTTP/1.1 server on SwiftNIO for whole requests and responses, hardened for
        // `gitfolio serve`: limits, timeouts, a connection cap, default (security) headers.
        .target(
            name: "HTTPServer",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"), .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // `gitfolio bench`: the functions, the offline writer and the PDF renderer, each against a reference.
        .target(
            name: "GitfolioBench",
            dependencies: [
                "FunctionCore", "StoreCore", "GitfolioCore", "GitfolioStore", "GitfolioEvidence", "GitfolioResume", "GitfolioRender", "SiteBuilder", "GitfolioFunctions",
                "GitfolioPay", "GitfolioHTTP",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The `gitfolio` command: build, serve, deploy, migrate, evidence, resume, render, import (and bench).
        .target(
            name: "GitfolioCLI",
            dependencies: [
                "GitfolioBench", "GitfolioCore", "StoreCore", "GitfolioStore", "GitfolioFunctions", "SiteBuilder", "GitfolioEvidence",
                "GitfolioGitHub", "GitfolioResume", "GitfolioHTTP", "GitfolioRender", "HTTPServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "gitfolio", dependencies: ["GitfolioCLI"], swiftSettings: strict),
        // The reference for the one-shot benchmark: a minimal Swift executable.
        .executableTarget(name: "bench-minimal", swiftSettings: strict),
        // A second reference: the same, but decoding the event with Foundation's JSONDecoder.
        .executableTarget(name: "bench-foundation", swiftSettings: strict),
        .target(
            name: "GitfolioTestSupport",
            dependencies: ["GitfolioCore", "GitfolioEvidence", "HTTPServer"],
            path: "Tests/GitfolioTestSupport",
            swiftSettings: strict
        ),
        // The GitHub import benchmark, against the fake GitHub of the test support.
        .executableTarget(
            name: "bench-github-import",
            dependencies: ["GitfolioTestSupport", "GitfolioGitHub", "GitfolioStore", "GitfolioHTTP"],
            path: "Tests/Benchmarks/GitHubImport",
            swiftSettings: strict
        ),
        // The fake KakaoPay as a process, for the browser tests and `gitfolio bench nightly`.
        .executableTarget(
            name: "fake-kakaopay",
            dependencies: ["GitfolioTestSupport"],
            path: "Tests/FakeKakaoPayServer",
            swiftSettings: strict
        ),
        // The fake GitHub as a process, for the browser tests.
        .executableTarget(
            name: "fake-github",
            dependencies: ["GitfolioTestSupport"],
            path: "Tests/FakeGitHubServer",
            swiftSettings: strict
        ),
        // The coverage-guided fuzz targets (one function per parser of outside input), shared by the
        // libFuzzer driver below and the suite's corpus replay (FuzzCorpusTests).
        .target(
            name: "FuzzTargets",
            dependencies: ["FunctionCore", "GitfolioCore", "GitfolioEvidence", "GitfolioGitHub", "GitfolioResume", "GitfolioLLM", "GitfolioPay"],
            path: "Tests/Fuzz/Targets",
            swiftSettings: strict
        ),
        .testTarget(
            name: "GitfolioTests",
            dependencies: [
                "FunctionCore", "FunctionCodable", "GitfolioDomain", "StoreCore", "CSQLite", "GitfolioCore", "GitfolioStore", "GitfolioFunctions", "SiteBuilder",
                "SessionFunction", "HubFunctions", "GitfolioCLI", "GitfolioTestSupport", "HTTPServer", "GitfolioHTTP", "GitfolioEvidence", "GitfolioGitHub",
                "GitfolioResume", "GitfolioLLM", "GitfolioRender", "RenderFunctions", "GitfolioPay", "FuzzTargets", "CFastDeflate", "CCairoCmap", "CPangoCairo",
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
    ] + (functions + scheduled).map {
        .executableTarget(name: $0.name, dependencies: $0.dependencies, path: "Functions/\($0.name)", swiftSettings: strict)
    }
)

// The libFuzzer driver, only when asked for (`GITFOLIO_FUZZ=1 swift build --sanitize=fuzzer …`, see
// scripts/fuzz.sh): it has no `main` of its own (libFuzzer's is linked in), so a plain build leaves it out.
if Context.environment["GITFOLIO_FUZZ"] == "1" {
    package.targets.append(.executableTarget(name: "gitfolio-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/Driver",
                                             swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]))
    package.products.append(.executable(name: "gitfolio-fuzz", targets: ["gitfolio-fuzz"]))
}
