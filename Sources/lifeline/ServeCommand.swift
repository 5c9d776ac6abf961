import ArgumentParser
import Foundation
import LifelineRuntime
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the reconciler until SIGTERM or SIGINT.",
        discussion: """
            Consumes lifecycle notifications from the queue, deploys the last good revision to new
            instances, heartbeats their actions while it runs and completes them. A pass also runs at
            each heartbeat or deadline and every resync interval (60s), which finds instances whose
            message was lost. On SIGTERM it finishes the AWS calls in flight (at most 30s) and exits 0.

            Examples:
              lifeline serve --config lifeline.yaml
              lifeline serve --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "The config file (YAML). Without one, lifeline manages the groups that carry its hook.")
    var config: String?

    @Option(help: "The SQS queue the hooks notify (overrides queue_url in the config).")
    var queueURL: String?

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    func run() async throws {
        global.bootstrapLogging()
        let setup = try await ReconcileSetup.make(command: "serve", global: global, configPath: config, queueURL: queueURL, db: db, only: [])
        let logger = Logger(label: "lifeline.serve")
        if setup.config.groups.isEmpty {
            logger.warning("no deployment groups to manage: give --config, or install lifeline's hook with a config first")
        }
        if setup.queueURL == nil { logger.notice("no queue: waiting instances are found by the resync only") }
        logger.notice("lifeline serve: \(setup.config.groups.count) deployment group(s)", metadata: ["groups": "\(setup.config.groups.map(\.name.description).joined(separator: ","))"])
        let service = ReconcileService(reconciler: setup.reconciler, queueURL: setup.queueURL, logger: logger)
        var configuration = ServiceGroupConfiguration(services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        try await ServiceGroup(configuration: configuration).run()
    }
}
