// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .swiftLanguageMode(.v6),
]

/// One thin executable per function: `Functions/<name>/main.swift`. Those that call GitHub link
/// the HTTP client; the others stay free of libcurl, which keeps their start-up short.
let functionNames = ["login", "auth-callback", "logout", "me", "generate", "revise", "repositories", "resume"]
let callsOut: Set<String> = ["login", "auth-callback", "generate", "revise", "repositories"]

let package = Package(
    name: "Gitfolio",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "gitfolio", targets: ["gitfolio"]),
        .executable(name: "session", targets: ["session"]),
    ] + functionNames.map { .executable(name: $0, targets: [$0]) },
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.2"),
    ],
    targets: [
        // Domain values, configuration, errors, crypto and outbound HTTP (GitHub).
        .target(
            name: "GitfolioCore",
            dependencies: ["FunctionCore", .product(name: "Crypto", package: "swift-crypto")],
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
        // Evidence from a developer's work: local git clones (and, later, GitHub data).
        .target(name: "GitfolioEvidence", dependencies: ["GitfolioCore"], swiftSettings: strict),
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
        // The three templates, defined once, rendered as HTML and (through Pango and Cairo) as PDF and PNG.
        .target(name: "GitfolioRender", dependencies: ["GitfolioCore", "GitfolioResume", "CPangoCairo", "CFastDeflate"], swiftSettings: strict),
        // Language models: OpenAI-compatible Chat Completions and Anthropic Messages, one retry policy.
        .target(name: "GitfolioLLM", dependencies: ["GitfolioCore"], swiftSettings: strict),
        // SQLite through GRDB: schema, migrations and queries.
        .target(
            name: "GitfolioStore",
            dependencies: ["GitfolioCore", "GitfolioEvidence", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The Foundation-free base of the function protocol: fd I/O, CGI, limits, JSON, SHA-256, and
        // the runner of functions built without Foundation (`session`).
        .target(name: "FunctionCore", swiftSettings: strict),
        // The function protocol: event types and the one-shot, warm and CGI runners.
        .target(name: "FunctionRuntime", dependencies: ["GitfolioCore", "FunctionCore"], swiftSettings: strict),
        // SQLite's C API from Debian (libsqlite3-dev), for the function built without GRDB.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        // `GET /api/session` (who is signed in) without Foundation, GRDB or swift-crypto: fast one-shot start-up.
        .target(name: "SessionFunction", dependencies: ["FunctionCore", "CSQLite"], swiftSettings: strict),
        .executableTarget(name: "session", dependencies: ["SessionFunction", "FunctionCore"], path: "Functions/session",
                          swiftSettings: strict),
        // The handlers behind every function executable.
        .target(
            name: "GitfolioFunctions",
            dependencies: ["GitfolioCore", "GitfolioStore", "FunctionCore", "FunctionRuntime", "GitfolioEvidence", "GitfolioResume", "GitfolioLLM"],
            swiftSettings: strict
        ),
        // The `resume` function's handlers: apart, so that only its executable links Pango and Cairo.
        .target(
            name: "RenderFunctions",
            dependencies: ["GitfolioCore", "GitfolioStore", "FunctionRuntime", "GitfolioFunctions", "GitfolioResume", "GitfolioRender"],
            swiftSettings: strict
        ),
        // The static-site builder.
        .target(
            name: "SiteBuilder",
            dependencies: ["GitfolioCore", "FunctionCore", "GitfolioStore", "GitfolioResume", "GitfolioRender", .product(name: "Crypto", package: "swift-crypto")],
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
                "GitfolioCore", "GitfolioStore", "FunctionRuntime", "GitfolioEvidence", "GitfolioResume", "GitfolioRender",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),
        // The `gitfolio` command: build, serve, deploy, migrate, evidence, resume, render, import (and bench).
        .target(
            name: "GitfolioCLI",
            dependencies: [
                "GitfolioBench", "GitfolioCore", "GitfolioStore", "FunctionCore", "FunctionRuntime", "GitfolioFunctions", "SiteBuilder", "GitfolioEvidence", "GitfolioResume", "GitfolioHTTP",
                "GitfolioRender", "HTTPServer",
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
            dependencies: ["GitfolioTestSupport", "GitfolioEvidence", "GitfolioStore", "GitfolioHTTP"],
            path: "Tests/Benchmarks/GitHubImport",
            swiftSettings: strict
        ),
        // The fake GitHub as a process, for the browser tests.
        .executableTarget(
            name: "fake-github",
            dependencies: ["GitfolioTestSupport"],
            path: "Tests/FakeGitHubServer",
            swiftSettings: strict
        ),
        .testTarget(
            name: "GitfolioTests",
            dependencies: [
                "GitfolioCore", "GitfolioStore", "FunctionCore", "FunctionRuntime", "GitfolioFunctions", "SiteBuilder",
                "SessionFunction", "GitfolioCLI", "GitfolioTestSupport", "HTTPServer", "GitfolioHTTP", "GitfolioEvidence", "GitfolioResume", "GitfolioLLM", "GitfolioRender", "RenderFunctions",
            ],
            exclude: ["Golden"],
            swiftSettings: strict
        ),
    ] + functionNames.map {
        .executableTarget(
            name: $0,
            dependencies: ["GitfolioFunctions", "FunctionRuntime"] + (callsOut.contains($0) ? ["GitfolioHTTP"] : [])
                + ($0 == "resume" ? ["RenderFunctions"] : []),
            path: "Functions/\($0)",
            swiftSettings: strict
        )
    }
)
