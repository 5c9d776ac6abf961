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
            Consumes lifecycle notifications from the queue, deploys the last good revision to new \
            instances, heartbeats their actions while it runs and completes them. A pass also runs at \
            each heartbeat or deadline and every resync interval (60s), which finds instances whose \
            message was lost. On SIGTERM it finishes the AWS calls in flight (at most 30s) and exits 0.

            HTTP on --listen (loopback by default): /healthz answers while the process runs; /readyz \
            answers 200 while passes succeed (503 before the first, after 3 failures in a row, or when \
            the last is older than twice the resync interval plus a minute); /metrics in Prometheus' \
            text format.

            Examples:
              lifeline serve --config lifeline.yaml
              lifeline serve --queue-url https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events
              lifeline serve --config lifeline.yaml --listen 127.0.0.1:0     # any free port; the log says which
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The config file (YAML). Without one, lifeline manages the groups that carry its hook.")
    var config: String?

    @Option(help: "The SQS queue the hooks notify (overrides queue_url in the config).")
    var queueURL: String?

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    @Option(help: "Where /healthz, /readyz and /metrics listen (HOST:PORT; port 0 picks a free one), or off.")
    var listen = ListenAddress(host: "127.0.0.1", port: 9464)

    @Flag(help: "Allow --listen on an address that is not loopback (/metrics and /readyz need no credentials).")
    var listenBeyondLoopback = false

    func run() async throws {
        if let refusal = listen.refusal(
            command: "serve",
            allowed: listenBeyondLoopback,
            flag: "--listen-beyond-loopback"
        ) {
            throw CommandFailure.exit(refusal)
        }
        global.bootstrapLogging()
        let metrics = ReconcileMetrics()
        let setup = try await ReconcileSetup.make(
            command: "serve",
            global: global,
            configPath: config,
            queueURL: queueURL,
            db: db,
            only: [],
            metrics: metrics
        )
        let logger = Logger(label: "lifeline.serve")
        if setup.config.groups.isEmpty {
            logger.warning(
                "no deployment groups to manage: give --config, or install lifeline's hook with a config first"
            )
        }
        if setup.queueURL == nil { logger.notice("no queue: waiting instances are found by the resync only") }
        logger.notice(
            "lifeline serve: \(setup.config.groups.count) deployment group(s)",
            metadata: ["groups": "\(setup.config.groups.map(\.name.description).joined(separator: ","))"]
        )
        let readiness = Readiness(maxPassAge: 2 * setup.config.resyncInterval + 60)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if !listen.isOff {
            let server = StatusServer.make(
                host: listen.host,
                port: listen.port,
                metrics: metrics,
                readiness: readiness,
                logger: Logger(label: "lifeline.http")
            ) { url in
                logger.notice("listening on \(url) (/healthz /readyz /metrics)")
            }
            services.append(.init(service: server))
        }
        services.append(
            .init(
                service: ReconcileService(
                    reconciler: setup.reconciler,
                    queueURL: setup.queueURL,
                    readiness: readiness,
                    logger: logger
                )
            )
        )
        services.append(
            .init(
                service: RetentionService(
                    reconciler: setup.reconciler,
                    retention: setup.config.retention,
                    logger: logger
                )
            )
        )
        var configuration = ServiceGroupConfiguration(
            services: services,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = .seconds(30)
        do {
            try await ServiceGroup(configuration: configuration).run()
        } catch {
            throw CommandFailure.exit("lifeline serve: \(StatusServer.explain(error, listen: listen.description))")
        }
    }
}
