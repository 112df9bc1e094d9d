// swift-tools-version:6.0
// Yardstick for `make bench-http`: a minimal Hummingbird 2 server answering the same two routes as
// bench/runway-http. Its own package and .build; nothing in the Runway package depends on it.
import PackageDescription

let package = Package(
    name: "HummingbirdBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.0.0"),
    ],
    targets: [
        .executableTarget(
            name: "hb-bench",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "Sources/hb-bench"
        ),
    ]
)
