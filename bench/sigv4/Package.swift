// swift-tools-version:6.0
import PackageDescription

// SigV4 signing throughput for `make bench-aws` (scripts/bench-aws.sh); depends on Runway by path.
let package = Package(
    name: "SigV4Bench",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Runway", path: "../..")],
    targets: [
        .executableTarget(
            name: "sigv4-bench",
            dependencies: [.product(name: "RunwayAWS", package: "Runway")],
            path: "Sources",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
