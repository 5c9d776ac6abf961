import AWSWire
import ArgumentParser
import Foundation
import LifelineRuntime

struct LeaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease",
        abstract: "The DynamoDB lease table that lets several serve replicas share the groups.",
        discussion: """
            With `lease:` in the config, each replica acts for a deployment group only while it holds \
            that group's lease, renewed at a third of its duration. A replica that dies loses its \
            groups when its leases expire; one stopped with SIGTERM gives them back at once.

            Examples:
              lifeline lease init --table lifeline-leases
              lifeline lease status --config /etc/lifeline/lifeline.yaml
            """,
        subcommands: [Init.self, Status.self]
    )

    /// Which table: both subcommands take the same two options.
    struct TableOptions: ParsableArguments {
        @Option(help: "The table (else the config's lease.table, else lifeline-leases).")
        var table: String?
        @Option(help: "The config whose lease.table to use.")
        var config: String?

        /// --table, else the config's lease.table, else lifeline-leases.
        func name(command: String) throws -> String {
            if let table { return table }
            guard let config else { return "lifeline-leases" }
            do {
                return try LifelineConfig.load(path: config).lease?.table ?? "lifeline-leases"
            } catch {
                throw CommandFailure.exit("lifeline lease \(command): \(error)")
            }
        }
    }

    struct Init: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create the lease table (pay per request, TTL on the expiry) unless it exists.",
            discussion: """
                Examples:
                  lifeline lease init
                  lifeline lease init --table lifeline-leases --region eu-west-1
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var which: TableOptions

        func run() async throws {
            global.bootstrapLogging()
            let name = try which.name(command: "init")
            do {
                let client = try global.awsClient(command: "lease init")
                print(try await LeaseAdmin.initTable(DynamoDBClient(client: client), table: name))
            } catch let failure as ExitCode {
                throw failure
            } catch {
                throw CommandFailure.exit("lifeline lease init: \(error)")
            }
        }
    }

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each deployment group's lease: owner, expiry, fencing counter.",
            discussion: """
                Examples:
                  lifeline lease status
                  lifeline lease status --format json --config /etc/lifeline/lifeline.yaml
                """
        )

        @OptionGroup var global: GlobalOptions
        @OptionGroup var which: TableOptions
        @Option(help: "Output: a table for people, or json for programs.")
        var format: OutputFormat = .table

        func run() async throws {
            global.bootstrapLogging()
            let name = try which.name(command: "status")
            do {
                let client = try global.awsClient(command: "lease status")
                let leases = LeaseAdmin.groupLeases(
                    try await DynamoLeaseTable(db: DynamoDBClient(client: client), table: name).all()
                )
                print(format == .json ? LeaseAdmin.json(leases) : LeaseAdmin.table(leases, now: client.awsNow()))
            } catch {
                throw CommandFailure.exit("lifeline lease status: \(error)")
            }
        }
    }
}
