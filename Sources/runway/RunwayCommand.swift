import ArgumentParser

/// The operator CLI.
@main
struct RunwayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runway",
        abstract: "Operate Runway: migrate the database, inspect jobs and pools, check AWS access.",
        subcommands: [MigrateCommand.self, JobsCommand.self, JobCommand.self, PoolsCommand.self, AWSCommand.self]
    )
}
