// swift-tools-version:6.0
// Runway's side of `make bench-http`: the project's own HTTP module (Sources/HTTP, linked here so
// this package builds in release mode on its own) serving the same two routes as bench/hummingbird.
import PackageDescription

let package = Package(
    name: "RunwayHTTPBench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log.git", from: "1.6.0"),
    ],
    targets: [
        .target(name: "CEpoll", path: "Sources/CEpoll"),
        .target(
            name: "HTTP",
            dependencies: ["CEpoll", .product(name: "Logging", package: "swift-log")],
            path: "Sources/HTTP",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .executableTarget(
            name: "runway-http-bench",
            dependencies: ["HTTP", .product(name: "Logging", package: "swift-log")],
            path: "Sources/runway-http-bench",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
    ]
)
