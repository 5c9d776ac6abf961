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
        for s in seen {
            for asg in s.observation.autoScalingGroups { owners[asg.name] = s.group.name }
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

    /// Intents without an outcome are what a crash cut short. A deployment is looked up by the
    /// marker in its description, never created twice; a completion is finished by the next
    /// decision (the action is marked completing with the intended result).
    func resolveInterruptedIntents() async throws {
        for intent in try await journal.openIntents() {
            let at = now()
            switch intent.kind {
            case .createDeployment:
                guard let group = intent.deploymentGroup.flatMap(DeploymentGroupName.init), let planID = intent.planID
                else {
                    try await journal.finishIntent(
                        id: intent.id!,
                        outcome: .failed,
                        detail: "no group or plan id",
                        at: at
                    )
                    continue
                }
                let marker = FollowOnDeployment.marker(group, planID)
                let ids = try await aws.codeDeploy.listDeployments(
                    application: group.application,
                    group: group.name,
                    statuses: [],
                    createdAfter: intent.createdAt.addingTimeInterval(-60)
                )
                let found =
                    ids.isEmpty
                    ? [] : try await aws.codeDeploy.batchGetDeployments(ids: ids).filter { $0.description == marker }
                if let d = found.first, let id = d.deploymentId {
                    let planned = (try? JSONDecoder().decode(FollowOnDeployment.self, from: Data(intent.payload.utf8)))
                    let record = DeploymentRecord(
                        id: id,
                        deploymentGroup: group.description,
                        planID: planID,
                        revision: d.revision.map(Revision.init) ?? Revision(revisionType: nil),
                        instances: planned?.instances ?? [],
                        status: d.status ?? "Created",
                        createdAt: d.createTime ?? intent.createdAt
                    )
                    try await journal.finishIntent(
                        id: intent.id!,
                        outcome: .done,
                        detail: id,
                        at: at,
                        action: nil,
                        deployment: record
                    )
                    logger.notice(
                        "found deployment \(id) again after a restart (\(marker)); not creating another",
                        metadata: ["group": "\(group)"]
                    )
                } else {
                    try await journal.finishIntent(
                        id: intent.id!,
                        outcome: .failed,
                        detail: "not found in CodeDeploy after a restart: never created",
                        at: at
                    )
                }
            case .complete:
                if let token = intent.actionToken, var action = try await journal.action(token: token),
                    action.state.isOpen, action.state != .completing,
                    let result = (try? JSONDecoder().decode(CompletionIntent.self, from: Data(intent.payload.utf8)))?
                        .result
                {
                    action.state = .completing
                    action.result = result
                    try await journal.finishIntent(
                        id: intent.id!,
                        outcome: .moot,
                        detail: "interrupted; completing again",
                        at: at,
                        action: action
                    )
                } else {
                    try await journal.finishIntent(id: intent.id!, outcome: .moot, detail: "interrupted", at: at)
                }
            case .heartbeat, .stopDeployment, .putHook:
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: .moot,
                    detail: "interrupted; the next pass decides again",
                    at: at
                )
            }
        }
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
