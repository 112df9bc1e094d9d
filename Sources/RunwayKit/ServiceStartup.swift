import Foundation
import Logging

/// The first steps every service's `main` takes.
public enum ServiceStartup {
    /// Loads a service's configuration. On failure prints every problem to stderr, prefixed with
    /// the service name, and returns nil (the caller exits 2); on success bootstraps logging from
    /// the common settings and returns the configuration with the service's logger.
    public static func configure<Config>(
        _ name: String, common: (Config) -> CommonConfig, load: () throws -> Config
    ) -> (config: Config, logger: Logger)? {
        let config: Config
        do {
            config = try load()
        } catch {
            FileHandle.standardError.write(Data("\(name): \(error)\n".utf8))
            return nil
        }
        let settings = common(config)
        LoggingSetup.bootstrap(format: settings.logFormat, level: settings.logLevel)
        return (config, Logger(label: "runway.\(name)"))
    }

    /// The effective settings as one `KEY=value` string (secrets are already redacted by `ConfigReader`).
    public static func describe(_ effective: [String: String]) -> String {
        effective.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
