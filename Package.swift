// swift-tools-version:6.0
import PackageDescription

// Layers (arrows point down only, as in DESIGN.md):
//   ftlab → Console → {QueryLanguage, Reports, Store, Experiments} ; Experiments → Engine → CBLAS
let package = Package(
    name: "ftlab",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ftlab", targets: ["ftlab"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    ],
    targets: [
        // System libraries: OpenBLAS for matrix products, GNU readline for the REPL, zlib for
        // compressed database snapshots.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        .systemLibrary(name: "CReadline", path: "Sources/CReadline"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // Matrix products on ggml quantized blocks (C; AVX2 kernels chosen at run time).
        .target(name: "QuantKernels", cSettings: [.unsafeFlags(["-O3", "-ffp-contract=off"])]),
        .target(name: "Engine", dependencies: ["CBLAS", "QuantKernels"],
                swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]),
        .target(name: "Experiments", dependencies: ["Engine"]),
        // The SQL migrations live in the top-level Schema/ folder and are bundled as resources.
        .target(name: "StoreSchema", path: "Schema", resources: [.copy("migrations")]),
        .target(name: "Store", dependencies: [
            "StoreSchema", "CZlib",
            .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .target(name: "QueryLanguage"),
        .target(name: "Reports"),
        .target(name: "Console", dependencies: [
            "CReadline", "QueryLanguage", "Reports", "Store", "Experiments", "Engine",
        ]),
        .executableTarget(name: "ftlab", dependencies: [
            "Console", "Engine", "Experiments", "Store",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Test-only helpers shared by several test targets (seeded databases, temp folders).
        .target(name: "TestSupport", dependencies: ["Store", "Engine"], path: "Tests/TestSupport"),

        .testTarget(name: "EngineTests", dependencies: ["Engine", "TestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Engine"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "TestSupport", "Engine"]),
        .testTarget(name: "QueryLanguageTests", dependencies: ["QueryLanguage"]),
        .testTarget(name: "ReportsTests", dependencies: ["Reports"]),
        .testTarget(name: "ConsoleTests", dependencies: ["Console", "Store", "QueryLanguage", "Experiments", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
