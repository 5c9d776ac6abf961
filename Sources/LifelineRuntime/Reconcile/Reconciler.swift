import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// The reconcile loop's shell (DESIGN §3): resolve what a crash interrupted, observe, decide,
/// act write-ahead, and say when to look again. One pass covers every managed group that is due.
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
    /// (Auto Scaling group, hook) → the deployment group lifeline manages it for, as last observed.
    private(set) var owners: [HookKey: DeploymentGroupName] = [:]
    /// Whether an observation has run: before it, no message can be told managed or foreign.
    private(set) var observedOnce = false
    /// (Auto Scaling group, hook) → the HeartbeatTimeout of lifeline's hook there, as last observed.
    private(set) var hookTimeouts: [HookKey: Int] = [:]
    /// Which groups are failing, since when, and when each is tried again.
    private(set) var health = GroupHealth()
    /// This replica's leases when several share the groups (DESIGN §11): it acts only for the
    /// groups it holds. Nil: it owns every configured group.
    public nonisolated let leases: LeaseKeeper?
    /// How long a verified reading of an Auto Scaling group's hooks is trusted (0: read every pass).
    let hookCheckInterval: TimeInterval
    /// Each group's own next pass (DESIGN §3): its earliest heartbeat, deadline or poll, else the
    /// resync. A group with no entry is due now.
    private(set) var dueAt: [DeploymentGroupName: Date] = [:]
    /// Auto Scaling groups whose hooks something pointed at drift on since the last pass.
    private(set) var suspectHooks: Set<String> = []
    /// The hooks each covered Auto Scaling group had at the last pass: a message naming another is a sign of drift.
    private(set) var knownHooks: [String: Set<String>] = [:]
    /// Groups a message named since the last pass, with the Auto Scaling groups the messages named.
    var hinted: [DeploymentGroupName: Set<String>] = [:]
    /// The Auto Scaling groups each group covered at its last observation.
    private var coverage: [DeploymentGroupName: Set<String>] = [:]
    /// Groups a pass is reconciling now: a message's pass runs beside the resync's, never for the same group.
    private var inFlight: Set<DeploymentGroupName> = []
    /// Started deployments' target lists, read once (their targets are fixed); bounded.
    private var targetLists: [String: Set<String>] = [:]
    /// Heartbeats on their way, whichever task sends them: one action's heartbeat goes out once.
    nonisolated let heartbeatsInFlight = HeartbeatsInFlight()
    /// Plans carried out at once: more than the 16 connections the transport opens to a host. A
    /// plan whose outcome waits for its commit (up to 2 ms, `GroupCommit`) holds no connection,
    /// and 64 keep the 16 busy meanwhile.
    static let plansAtOnce = 64

    public init(
        aws: AWSServices,
        journal: any Journal,
        groups: [LifelineConfig.ManagedGroup],
        queueURL: String?,
        logger: Logger,
        metrics: ReconcileMetrics? = nil,
        leases: LeaseKeeper? = nil,
        hookCheckInterval: TimeInterval = 600,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.leases = leases
        self.hookCheckInterval = hookCheckInterval
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
        /// Groups that could not be observed this pass (AWS refused or failed a read), with why.
        /// Every other group was reconciled; these are retried with backoff.
        public var failedGroups: [DeploymentGroupName: String] = [:]
        public var nextPassAt: Date
        /// Configured deployment groups CodeDeploy does not know.
        public var unknownGroups: [DeploymentGroupName]
        /// Open actions remain (or a step failed): `reconcile` exits 2.
        public var pending: Bool { !failures.isEmpty || !failedGroups.isEmpty || plans.contains(where: \.pending) }
    }

    /// One pass (DESIGN §3). Heartbeats first, from the journal alone; then per group: resolve
    /// what a crash interrupted, observe (batched), decide, act. A group whose reads fail sits the
    /// pass out and is retried with backoff; it never stops another group. `only` limits the pass
    /// to some groups (and tries them even while they back off); `dryRun` decides and changes nothing.
    /// `sweep: false` when another task already sweeps heartbeats (serve's heartbeat task).
    /// `hintedOnly`: only the groups messages named (serve's message passes, which run beside the
    /// resync's so that a message never waits for a pass over every group).
    public func pass(
        only: Set<DeploymentGroupName>? = nil,
        dryRun: Bool = false,
        sweep: Bool = true,
        hintedOnly: Bool = false
    ) async throws -> PassReport {
        var failures: [String] = []
        if !dryRun && sweep { failures += try await heartbeats.sweep() }
        let started = now()
        let held = dryRun ? nil : await leases?.heldGroups()
        // A group another replica holds now is that replica's to report, failing or not.
        for group in health.failing.keys where held.map({ !$0.contains(group.description) }) ?? false {
            _ = health.succeeded(group)
        }
        // Selected and marked in flight without a suspension between: two passes never take one group.
        let busy = inFlight
        let selected = groups(only).filter { group in
            !busy.contains(group.name) && (held?.contains(group.name.description) ?? true)
                && (only != nil
                    || (health.isDue(group.name, at: started)
                        && (hinted[group.name] != nil || (!hintedOnly && isDue(group.name, at: started)))))
        }
        let taken = Set(selected.map(\.name))
        inFlight.formUnion(taken)
        defer { inFlight.subtract(taken) }
        // Only our groups' intents: another pass's open intents may be its calls under way. A group
        // not selected keeps its interrupted intent until a pass takes it, and nothing acts for it before.
        var failed = dryRun ? [:] : try await resolveInterruptedIntents(of: taken, ungrouped: busy.isEmpty)
        do {
            _ = try await queueARNIfConfigured()
        } catch {
            // Own mode needs the queue's ARN for its hooks; supervise mode does not.
            for group in selected where group.policy.mode == .own && failed[group.name] == nil {
                failed[group.name] = GroupFailure(error, while: "reading the queue's ARN")
            }
        }
        var observer = Observer(aws: aws, journal: journal, now: now)
        observer.hookCheckInterval = hookCheckInterval
        observer.suspectHooks = suspectHooks
        observer.targetLists = targetLists
        // Only messages' groups, each observed before: read the Auto Scaling groups they covered
        // and the ones the messages named, not every group (a tag match is found at the resync).
        let toObserve = selected.filter { failed[$0.name] == nil }
        if only == nil, !toObserve.isEmpty,
            toObserve.allSatisfy({ hinted[$0.name] != nil && coverage[$0.name] != nil && !isDue($0.name, at: started) })
        {
            observer.onlyAutoScalingGroups = toObserve.reduce(into: Set<String>()) { names, group in
                names.formUnion(coverage[group.name] ?? [])
                names.formUnion(hinted[group.name] ?? [])
            }
        }
        for group in toObserve { hinted[group.name] = nil }
        let observed = try await observer.observe(toObserve, queueARN: queueARN)
        suspectHooks.subtract(observed.hooksRead)
        coverage.merge(observed.covered) { _, new in new }
        if targetLists.count + observed.targetLists.count > 1_000 { targetLists = [:] }
        targetLists.merge(observed.targetLists) { _, new in new }
        failed.merge(observed.failures) { first, _ in first }
        let seen = observed.seen
        owners.merge(observed.owners) { _, new in new }
        observedOnce = true
        for observed in seen {
            for asg in observed.observation.autoScalingGroups {
                if let hook = asg.hook(observed.group.name.hookName) {
                    hookTimeouts[HookKey(autoScalingGroup: asg.name, hook: hook.name)] = hook.heartbeatTimeout
                }
                knownHooks[asg.name] = Set(asg.hooks.map(\.name))
            }
        }
        let at = now()
        let plans = await Self.decideAll(seen, at: at)
        for plan in plans { dueAt[plan.deploymentGroup] = plan.nextPassAt }
        // A failing group's next try is its backoff's; one that could not be read is due again.
        for group in selected where failed[group.name] != nil { dueAt[group.name] = nil }
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
            var executor = planExecutor
            // One transaction for every plan's bookkeeping and deployment intents; the other
            // write-ahead steps keep their own.
            let (unrecorded, written) = await executor.recordBookkeeping(plans.filter { !$0.isEmpty })
            executor.written = written
            failures += unrecorded.values.sorted()
            let acting = plans.filter { !$0.isEmpty && unrecorded[$0.deploymentGroup] == nil }
            let results = try await concurrentMap(acting, limit: Self.plansAtOnce) { [executor] in
                await executor.execute($0, bookkept: true)
            }
            failures += results.flatMap { $0 }
            // A group whose step failed tries again soon; the others keep their own time.
            for (plan, failed) in zip(acting, results) where !failed.isEmpty {
                dueAt[plan.deploymentGroup] = min(plan.nextPassAt, at.addingTimeInterval(5))
            }
            for group in unrecorded.keys { dueAt[group] = at.addingTimeInterval(5) }
            record(failed: failed, observed: seen.map(\.group.name), at: at)
            if let metrics {
                metrics.state(
                    // With leases, the actions of groups another replica holds are its to count.
                    open: try await journal.openActions().filter { held?.contains($0.deploymentGroup ?? "") ?? true },
                    breakers: try await journal.breakers(),
                    stale: await Self.staleCounts(seen),
                    groups: selected.map(\.name),
                    failing: health.failing.mapValues(\.failure.description),
                    now: now()
                )
            }
        }
        let unknown = seen.filter { !$0.observation.exists }.map(\.group.name)
        for name in unknown {
            logger.error("CodeDeploy does not know \(name) in this account and region: check the config and the region")
        }
        let next = nextDue(held: held, elsewhere: inFlight.subtracting(taken))
        let fallback = at.addingTimeInterval(60)
        return PassReport(
            plans: plans,
            failures: failures,
            failedGroups: failed.mapValues(\.description),
            nextPassAt: failures.isEmpty ? (next ?? fallback) : min(next ?? fallback, at.addingTimeInterval(5)),
            unknownGroups: unknown
        )
    }

    /// The heartbeat sweep over the journal (DESIGN §3, heartbeats first), sharing the plan steps'
    /// heartbeats in flight.
    nonisolated var heartbeats: HeartbeatSender { planExecutor.heartbeats }

    private nonisolated var planExecutor: PlanExecutor {
        PlanExecutor(
            aws: aws,
            journal: journal,
            logger: logger,
            metrics: metrics,
            now: now,
            leases: leases,
            heartbeatsInFlight: heartbeatsInFlight
        )
    }

    /// Each group's health after the pass: one log line when a group begins failing, fails
    /// differently, or recovers; never one per pass.
    private func record(failed: [DeploymentGroupName: GroupFailure], observed: [DeploymentGroupName], at: Date) {
        for (group, error) in failed.sorted(by: { $0.key.description < $1.key.description }) {
            metrics?.groupFailed(group)
            switch health.failed(group, error, at: at) {
            case .began?, .changed?:
                logger.error(
                    "\(group) cannot be reconciled: \(error); its heartbeats go on, and it is tried again with backoff",
                    metadata: ["group": "\(group)"]
                )
            default: break
            }
        }
        for group in observed where failed[group] == nil {
            if case let .recovered(passes)? = health.succeeded(group) {
                logger.notice(
                    "\(group) is reconciled again after \(passes) failed pass(es)",
                    metadata: ["group": "\(group)"]
                )
            }
        }
    }

    /// One log line per decision.
    private func log(_ plan: Plan) {
        for step in plan.steps {
            // The message is made inside swift-log's autoclosure: only when the level is written.
            logger.log(
                level: step.isBookkeeping ? .debug : .info,
                "\(Self.line(step))",
                metadata: ["group": "\(plan.deploymentGroup)", "plan": "\(plan.id)"]
            )
        }
        for note in plan.notes { logger.notice("\(note)", metadata: ["group": "\(plan.deploymentGroup)"]) }
    }

    private static func line(_ step: PlanStep) -> String {
        let (kind, target, detail) = step.summary
        return "\(kind) \(target): \(detail)"
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

    /// Where a lifecycle message belongs, as far as the passes so far have learned.
    public enum Route: Sendable, Equatable {
        /// A managed group's hook: the group, its policy, and the hook's timeout as last observed.
        case managed(DeploymentGroupName, GroupPolicy, hookTimeout: Int?)
        /// No managed group covers this Auto Scaling group with this hook: another tool's message.
        case foreign
        /// No observation has run yet: hold the message, do not release it.
        case notYetKnown
        /// A configured group this replica holds no lease on: the replica that does acts on it.
        case leasedElsewhere(DeploymentGroupName)
    }

    public func route(autoScalingGroup: String, hook: String) async -> Route {
        let key = HookKey(autoScalingGroup: autoScalingGroup, hook: hook)
        if let leases,
            let group = groups.first(where: {
                [$0.name.hookName, $0.name.terminateHookName].contains(hook) || owners[key] == $0.name
            }),
            !(await leases.heldGroups().contains(group.name.description))
        {
            return .leasedElsewhere(group.name)
        }
        if let owner = owners[key], let policy = policy(of: owner) {
            // A hook the last reading of this group did not have: the reading is out of date.
            if let known = knownHooks[autoScalingGroup], !known.contains(hook) {
                suspectHooks.insert(autoScalingGroup)
            }
            return .managed(owner, policy, hookTimeout: hookTimeouts[key])
        }
        return observedOnce ? .foreign : .notYetKnown
    }
    /// The groups failing now, with their last error (for `/readyz`).
    public func failingGroups() -> [DeploymentGroupName: String] { health.failing.mapValues(\.failure.description) }
    public func policy(of name: DeploymentGroupName) -> GroupPolicy? { groups.first { $0.name == name }?.policy }
}
