import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// The reconcile loop's shell (DESIGN §3): resolve what a crash interrupted, observe, decide,
/// act write-ahead, and say when to look again. One pass covers every managed group.
public actor Reconciler {
    let aws: AWSServices
    let journal: any Journal
    let groups: [LifelineConfig.ManagedGroup]
    let queueURL: String?
    let logger: Logger
    let now: @Sendable () -> Date
    /// `serve`'s metrics; nil in one-shot commands, which export none (and so skip the gauges' reads).
    public nonisolated let metrics: ReconcileMetrics?
    private(set) var queueARN: String?
    /// Auto Scaling group → the deployment group lifeline manages it for, as last observed.
    private(set) var owners: [String: DeploymentGroupName] = [:]

    public init(
        aws: AWSServices,
        journal: any Journal,
        groups: [LifelineConfig.ManagedGroup],
        queueURL: String?,
        logger: Logger,
        metrics: ReconcileMetrics? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.aws = aws
        self.journal = journal
        self.groups = groups
        self.queueURL = queueURL
        self.logger = logger
        self.metrics = metrics
        self.now = now
    }

    public struct PassReport: Sendable {
        public var plans: [Plan]
        /// One line per step that failed; the next pass tries again.
        public var failures: [String]
        public var nextPassAt: Date
        /// Configured deployment groups CodeDeploy does not know.
        public var unknownGroups: [DeploymentGroupName]
        /// Open actions remain (or a step failed): `reconcile` exits 2.
        public var pending: Bool { !failures.isEmpty || plans.contains(where: \.pending) }
    }

    /// One pass. `only` limits it to some groups; `dryRun` decides and changes nothing.
    public func pass(only: Set<DeploymentGroupName>? = nil, dryRun: Bool = false) async throws -> PassReport {
        let selected = groups(only)
        if !dryRun { try await resolveInterruptedIntents() }
        _ = try await queueARNIfConfigured()
        let seen = try await Observer(aws: aws, journal: journal, now: now).observe(selected, queueARN: queueARN)
        for observed in seen {
            for asg in observed.observation.autoScalingGroups { owners[asg.name] = observed.group.name }
        }
        let at = now()
        let plans = seen.map { decide($0.observation, $0.journal, now: at, policy: $0.group.policy) }
        var failures: [String] = []
        if !dryRun {
            try await journal.appendMany(
                plans.flatMap { plan in
                    plan.steps.filter { !$0.isBookkeeping }.map { step in
                        let (kind, target, detail) = step.summary
                        return JournalEntry(
                            at: at,
                            deploymentGroup: plan.deploymentGroup.description,
                            instanceID: step.action?.instanceID,
                            decision: kind,
                            reason: "\(target): \(detail)"
                        )
                    }
                }
            )
            for plan in plans { log(plan) }
            let executor = PlanExecutor(aws: aws, journal: journal, logger: logger, metrics: metrics, now: now)
            failures = try await concurrentMap(plans.filter { !$0.isEmpty }) { await executor.execute($0) }.flatMap {
                $0
            }
            if let metrics {
                metrics.state(
                    open: try await journal.openActions(),
                    breakers: try await journal.breakers(),
                    stale: Dictionary(
                        uniqueKeysWithValues: seen.map {
                            ($0.group.name, $0.observation.ec2.values.filter(\.isGone).count)
                        }
                    ),
                    groups: selected.map(\.name),
                    now: now()
                )
            }
        }
        let next = plans.map(\.nextPassAt).min() ?? at.addingTimeInterval(60)
        let unknown = seen.filter { !$0.observation.exists }.map(\.group.name)
        for name in unknown {
            logger.error("CodeDeploy does not know \(name) in this account and region: check the config and the region")
        }
        return PassReport(
            plans: plans,
            failures: failures,
            nextPassAt: failures.isEmpty ? next : min(next, at.addingTimeInterval(5)),
            unknownGroups: unknown
        )
    }

    /// One log line per decision.
    private func log(_ plan: Plan) {
        for step in plan.steps {
            let (kind, target, detail) = step.summary
            logger.log(
                level: step.isBookkeeping ? .debug : .info,
                "\(kind) \(target): \(detail)",
                metadata: ["group": "\(plan.deploymentGroup)", "plan": "\(plan.id)"]
            )
        }
        for note in plan.notes { logger.notice("\(note)", metadata: ["group": "\(plan.deploymentGroup)"]) }
    }

    /// The managed groups, or those of them named in `only`.
    func groups(_ only: Set<DeploymentGroupName>?) -> [LifelineConfig.ManagedGroup] {
        only.map { names in groups.filter { names.contains($0.name) } } ?? groups
    }

    /// The queue's ARN, read once: lifeline's hooks notify it.
    func queueARNIfConfigured() async throws -> String? {
        if queueARN == nil, let url = queueURL {
            queueARN = try await aws.sqs.getQueueAttributes(queueURL: url, names: ["QueueArn"])["QueueArn"]
        }
        return queueARN
    }

    public func owner(ofAutoScalingGroup name: String) -> DeploymentGroupName? { owners[name] }
    public func policy(of name: DeploymentGroupName) -> GroupPolicy? { groups.first { $0.name == name }?.policy }
}
