// swift-tools-version:6.0
import PackageDescription

// Runway: three services (producer, publisher, orchestrator) and an operator CLI (runway).
// Dependencies point down: services → stores/clients → HTTP/Postgres/AWS/Signing → C modules.
let swiftSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
]

let package = Package(
    name: "Runway",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "producer", targets: ["Producer"]),
        .executable(name: "publisher", targets: ["Publisher"]),
        .executable(name: "orchestrator", targets: ["Orchestrator"]),
        .executable(name: "runway", targets: ["runway"]),
        // For bench/sigv4 (a separate package depending on this one by path).
        .library(name: "RunwayAWS", targets: ["AWS"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.0"),
    ],
    targets: [
        // C libraries.
        .systemLibrary(name: "CLibPQ", pkgConfig: "libpq", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),
        // curl_easy_setopt/getinfo are variadic: a tiny C target gives Swift typed wrappers.
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("curl")]),
        // epoll, eventfd and accept4 for the HTTP server's reactor (not exported by the Glibc module).
        .target(name: "CEpoll"),

        // Protocol and client layers.
        .target(name: "HTTP", dependencies: ["CEpoll", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "HTTPClient", dependencies: ["CCurl", "HTTP", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "Signing", dependencies: ["COpenSSL"], swiftSettings: swiftSettings),
        .target(name: "Postgres", dependencies: ["CLibPQ", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "AWS", dependencies: ["HTTPClient", "Signing", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "Kubernetes", dependencies: ["HTTPClient", "AWS", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(name: "GitHub", dependencies: ["HTTPClient", "Signing", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(
            name: "JobStore",
            dependencies: ["Postgres", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Migrations")],
            swiftSettings: swiftSettings
        ),

        // Service kit and service logic.
        .target(
            name: "RunwayKit",
            dependencies: ["HTTP", "HTTPClient", "Signing", .product(name: "Logging", package: "swift-log"), .product(name: "Yams", package: "Yams")],
            swiftSettings: swiftSettings
        ),
        .target(name: "ProducerCore", dependencies: ["RunwayKit", "JobStore", "GitHub", "Signing"], swiftSettings: swiftSettings),
        .target(name: "PublisherCore", dependencies: ["RunwayKit", "JobStore", "Postgres", "HTTP", "HTTPClient", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .target(
            name: "OrchestratorCore",
            dependencies: ["RunwayKit", "AWS", "Kubernetes", "GitHub", "HTTP", "HTTPClient", "Signing", .product(name: "Logging", package: "swift-log")],
            swiftSettings: swiftSettings
        ),

        // Executables: a short main that wires config → service.
        .executableTarget(name: "Producer", dependencies: ["ProducerCore"], swiftSettings: swiftSettings),
        .executableTarget(name: "Publisher", dependencies: ["PublisherCore"], swiftSettings: swiftSettings),
        .executableTarget(name: "Orchestrator", dependencies: ["OrchestratorCore"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "runway",
            dependencies: [
                "RunwayKit", "JobStore", "AWS", "Kubernetes", "HTTPClient", "HTTP", "Postgres",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        // Load driver for `make bench-store` (scripts/bench-store.sh).
        .executableTarget(name: "JobStoreBench", dependencies: ["JobStore", "Postgres", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        // libFuzzer entry point for the HTTP request parser (`make fuzz`).
        .executableTarget(name: "HTTPParserFuzz", dependencies: ["HTTP"], swiftSettings: swiftSettings),

        // Tests. Shared test support (stand-in processes, per-test database schemas).
        .target(
            name: "RunwayTestSupport",
            dependencies: ["Postgres", "AWS", "HTTPClient", .product(name: "Logging", package: "swift-log")],
            path: "Tests/RunwayTestSupport",
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "HTTPClient"], swiftSettings: swiftSettings),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "HTTP"], swiftSettings: swiftSettings),
        .testTarget(name: "SigningTests", dependencies: ["Signing"], swiftSettings: swiftSettings),
        .testTarget(name: "PostgresTests", dependencies: ["RunwayTestSupport", "Postgres"], swiftSettings: swiftSettings),
        .testTarget(name: "JobStoreTests", dependencies: ["RunwayTestSupport", "JobStore", "Postgres"], swiftSettings: swiftSettings),
        .testTarget(name: "AWSTests", dependencies: ["RunwayTestSupport", "AWS", "HTTP", "HTTPClient"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "KubernetesTests", dependencies: ["RunwayTestSupport", "Kubernetes", "AWS", "HTTP", "HTTPClient"], swiftSettings: swiftSettings),
        .testTarget(name: "GitHubTests", dependencies: ["GitHub", "Signing", "HTTPClient", "HTTP"], resources: [.copy("Fixtures")], swiftSettings: swiftSettings),
        .testTarget(name: "PublisherTests", dependencies: ["PublisherCore", "JobStore", "Postgres", "RunwayKit", "HTTP", "HTTPClient"], swiftSettings: swiftSettings),
        .testTarget(name: "RunwayKitTests", dependencies: ["RunwayKit"], swiftSettings: swiftSettings),
        .testTarget(
            name: "ProducerTests",
            dependencies: ["ProducerCore", "JobStore", "Postgres", "GitHub", "RunwayKit", "HTTP", "HTTPClient", "Signing"],
            resources: [.copy("Fixtures")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "OrchestratorTests",
            dependencies: ["RunwayTestSupport", "OrchestratorCore", "RunwayKit", "AWS", "Kubernetes", "GitHub", "HTTP", "HTTPClient"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["AWS", "HTTP", "HTTPClient", "Postgres", "GitHub", "JobStore", "RunwayKit", "Signing"],
            swiftSettings: swiftSettings
        ),
    ]
)
