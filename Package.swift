// swift-tools-version:6.0
import Foundation
import PackageDescription

// Release builds let lifeline's own modules inline and specialize each other's code (about 1.5 %
// fewer instructions in a cold pass, callgrind).
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-cross-module-optimization"], .when(configuration: .release)),
]

let package = Package(
    name: "lifeline",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "lifeline", targets: ["lifeline"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // System libraries: typed shims for the variadic C calls Swift cannot make live in shim.h.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CLifelineSystem"),

        .target(name: "SigV4", dependencies: ["COpenSSL"], swiftSettings: strict),
        .target(name: "JSONCoding", swiftSettings: strict),
        .target(
            name: "AWSWire",
            dependencies: [
                "SigV4", "JSONCoding", "CCurl", "COpenSSL", "CLifelineSystem",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(name: "LifelineCore", dependencies: ["JSONCoding"], swiftSettings: strict),
        .target(
            name: "LifelineStore",
            dependencies: ["LifelineCore", "JSONCoding", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: strict
        ),
        // The loopback AWS simulator. Its codecs are its own: it never imports AWSWire.
        .target(
            name: "LifelineSim",
            dependencies: [
                "SigV4", "COpenSSL", .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "LifelineRuntime",
            dependencies: [
                "AWSWire", "JSONCoding", "LifelineCore", "LifelineStore",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                // lifeline.yaml: libyaml, the parser inside Yams (`ConfigYAML` composes its events).
                .product(name: "Yams", package: "Yams"),
                // serve's /healthz, /readyz and /metrics.
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lifeline",
            dependencies: [
                "AWSWire",
                "CLifelineSystem",
                "LifelineCore",
                "LifelineStore",
                "LifelineRuntime",
                "LifelineSim",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        // The writer the journal crash test kills (Tests/LifelineStoreTests/JournalCrashTests.swift).
        .executableTarget(
            name: "JournalCrashChild",
            dependencies: ["LifelineStore", "LifelineCore"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "LifelineBench",
            dependencies: ["SigV4", "AWSWire", "LifelineCore", "LifelineStore", "LifelineSim"],
            swiftSettings: strict
        ),

        .testTarget(
            name: "LifelineStoreTests",
            dependencies: ["LifelineStore", "LifelineCore", "JournalCrashChild"],
            swiftSettings: strict
        ),
        .testTarget(name: "LifelineCoreTests", dependencies: ["LifelineCore"], swiftSettings: strict),
        // Snapshots/: the audit in every format, compared byte for byte (LIFELINE_RECORD_SNAPSHOTS=1 rewrites them).
        .testTarget(
            name: "LifelineRuntimeTests",
            dependencies: [
                "LifelineRuntime", "LifelineCore", "LifelineStore", "AWSWire",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Snapshots"],
            swiftSettings: strict
        ),
        .testTarget(name: "SigV4Tests", dependencies: ["SigV4"], swiftSettings: strict),
        .testTarget(name: "JSONCodingTests", dependencies: ["JSONCoding"], swiftSettings: strict),
        .testTarget(
            name: "AWSWireTests",
            dependencies: ["AWSWire", "SigV4", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Runs the built executable: it must be built first (`swift build --build-tests` builds it).
        .testTarget(
            name: "LifelineCommandTests",
            dependencies: ["lifeline", "LifelineStore", "LifelineCore"],
            swiftSettings: strict
        ),
    ]
)

// The libFuzzer target exists only for `scripts/fuzz` (LIFELINE_FUZZ=1, built with -sanitize=fuzzer,
// whose runtime brings `main`): an ordinary build never sees it.
if ProcessInfo.processInfo.environment["LIFELINE_FUZZ"] == "1" {
    package.targets.append(
        .executableTarget(
            name: "LifelineFuzz",
            dependencies: ["AWSWire", "LifelineCore", "LifelineRuntime"],
            swiftSettings: strict + [.unsafeFlags(["-parse-as-library"])]
        )
    )
}
