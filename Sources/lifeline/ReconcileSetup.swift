import AWSWire
import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime
import LifelineStore
import Logging

/// What `serve` and `reconcile` share: the config (or discovery), the journal, the AWS clients.
struct ReconcileSetup {
    /// The journal locks this process holds, until it exits.
    nonisolated(unsafe) static var locks: [JournalLock] = []
    let reconciler: Reconciler
    let config: LifelineConfig
    let queueURL: String?
    /// The AWS transport's thread: a pass run there hands no call between threads.
    let executor: (any TaskExecutor)?

    /// `metrics`: serve's, which the AWS calls and the passes report to; one-shot commands have none.
    static func make(
        command: String,
        global: GlobalOptions,
        configPath: String?,
        queueURL: String?,
        db: String?,
        only: [String],
        metrics: ReconcileMetrics? = nil,
        writer: Bool = true,
        readOnly: Bool = false
    ) async throws -> ReconcileSetup {
        func fail(_ message: String) -> ExitCode { CommandFailure.exit("lifeline \(command): \(message)") }
        var config = LifelineConfig()
        if let configPath {
            do { config = try LifelineConfig.load(path: configPath) } catch { throw fail("\(error)") }
        }
        let selected = try only.map { text in
            guard let name = DeploymentGroupName(text) else {
                throw fail("--group \(text) is not APP/GROUP (e.g. shop/prod)")
            }
            if configPath != nil, config.group(name) == nil {
                throw fail("--group \(text) is not in \(configPath!); add it under groups")
            }
            return name
        }
        // serve's passes retry within themselves; a one-shot command ends each call in time.
        let callDeadline = command == "serve" ? nil : try global.callDeadline(command: command)
        if let queueURL, let problem = ConfigLimits.queueURLProblem(queueURL) { throw fail("--queue-url \(problem)") }
        let client: AWSClient
        var observer: (@Sendable (AWSClient.CallRecord) -> Void)?
        if let metrics { observer = { metrics.record($0) } }
        do {
            var options = AWSClient.Options(
                region: global.region ?? config.region,
                profile: global.profile,
                endpointURL: global.endpointURL,
                allowInsecureEndpoint: global.allowInsecureEndpoint
            )
            options.callDeadline = callDeadline
            options.retryMode = config.retryMode
            options.maxRequestsPerSecond = config.maxRequestsPerSecond
            client = try AWSClient.fromEnvironment(
                options,
                logger: Logger(label: "lifeline.aws"),
                observer: observer
            )
        } catch {
            throw fail("\(error)")
        }
        let aws = AWSServices(client: client)
        if configPath == nil {
            if selected.isEmpty {
                do {
                    config.groups = try await Discovery.managedGroups(aws)
                } catch {
                    throw fail("finding the groups that carry lifeline's hook: \(error)")
                }
            } else {
                config.groups = selected.map { LifelineConfig.ManagedGroup(name: $0) }
            }
        }
        let journal: any Journal
        let path = SQLiteJournal.defaultPath(flag: db, environment: ProcessInfo.processInfo.environment)
        do {
            if readOnly {
                // audit: the journal as it is, read-only; none yet is no error, just no history.
                journal =
                    FileManager.default.fileExists(atPath: path)
                    ? try SQLiteJournal(path: path, access: .readOnly) : InMemoryJournal()
            } else {
                // One writer per journal: a second serve or reconcile is refused, naming the first's pid.
                // The path is checked first, so that nothing (not even the lock file) appears beside a
                // file that is not a journal.
                _ = try SQLiteJournal.check(path)
                if writer { Self.locks.append(try JournalLock(journal: path)) }
                journal = try SQLiteJournal(path: path)
            }
        } catch {
            throw fail("\(error)")
        }
        let queue = queueURL ?? config.queueURL
        let leases = config.lease.map { lease in
            LeaseKeeper(
                table: DynamoLeaseTable(db: DynamoDBClient(client: client), table: lease.table),
                groups: config.groups.map(\.name.description),
                settings: LeaseKeeper.Settings(table: lease.table, duration: lease.duration, owner: lease.owner),
                logger: Logger(label: "lifeline.lease"),
                metrics: metrics.map { LeaseMetrics(registry: $0.registry) },
                now: { client.awsNow() }
            )
        }
        let reconciler = Reconciler(
            aws: aws,
            journal: journal,
            groups: config.groups,
            queueURL: queue,
            logger: Logger(label: "lifeline.reconcile"),
            metrics: metrics,
            leases: leases,
            hookCheckInterval: config.hookCheckInterval,
            // Every deadline, window and age on AWS's clock, learned from each answer's Date header.
            now: { client.awsNow() }
        )
        return ReconcileSetup(reconciler: reconciler, config: config, queueURL: queue, executor: client.executor)
    }
}
