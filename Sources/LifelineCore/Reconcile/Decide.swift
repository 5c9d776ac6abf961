import Foundation

/// The reconcile loop's pure core (DESIGN §3): what to do for one deployment group, given what
/// AWS showed and what the journal remembers. No I/O and no clock: `now` comes in.
public func decide(_ observation: Observation, _ journal: JournalView, now: Date, policy: GroupPolicy) -> Plan {
    var decision = Decision(observation, journal, now: now, policy: policy)
    return decision.run()
}

/// One run of `decide`: accumulates steps, notes and wake-up times.
struct Decision {
    let o: Observation
    let journal: JournalView
    let now: Date
    let policy: GroupPolicy
    let planID: String
    var steps: [PlanStep] = []
    var notes: [String] = []
    var wakeups: [Date] = []
    var pending = false

    init(_ o: Observation, _ journal: JournalView, now: Date, policy: GroupPolicy) {
        self.o = o
        self.journal = journal
        self.now = now
        self.policy = policy
        let waiting = o.autoScalingGroups.flatMap { $0.instances.filter { $0.value == "Pending:Wait" }.keys }.sorted()
        planID = PlanID.make(group: o.deploymentGroup, now: now, instances: waiting + journal.openActions.map(\.token))
    }

    var group: DeploymentGroupName { o.deploymentGroup }

    mutating func run() -> Plan {
        guard o.exists else {
            notes.append(
                "CodeDeploy does not know \(group) in this account and region: fix the config or create the deployment group"
            )
            return plan()
        }
        let breakerOpen = loopBreaker()
        let stuck = stuckDeployment(breakerOpen: breakerOpen)
        if policy.mode == .supervise {
            supervise(breakerOpen: breakerOpen, stuck: stuck)
            if pending || stuck != nil { wakeups.append(now.addingTimeInterval(policy.pollInterval)) }
            return plan()
        }
        repairHooks()
        let lastGood = lastGoodRevision()
        var needDeployment: [LifecycleAction] = []
        for action in actionsToHandle() {
            if let needing = handle(action, lastGood: lastGood, breakerOpen: breakerOpen, stuck: stuck) {
                needDeployment.append(needing)
            }
        }
        if let revision = lastGood?.revision, !needDeployment.isEmpty {
            let instances = needDeployment.map(\.instanceID).sorted()
            steps.append(
                .createDeployment(
                    FollowOnDeployment(deploymentGroup: group, planID: planID, revision: revision, instances: instances)
                )
            )
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
        }
        if let stuck {
            steps.append(stop(stuck))
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
        }
        return plan()
    }

    func plan() -> Plan {
        let next = (wakeups + [now.addingTimeInterval(policy.resyncInterval)]).min()!
        return Plan(
            id: planID,
            deploymentGroup: group,
            steps: steps,
            notes: notes,
            nextPassAt: max(next, now),
            pending: pending
        )
    }

    // MARK: Hooks

    /// lifeline's launching hook on every covered group, as configured (DESIGN §2, own mode).
    mutating func repairHooks() {
        for asg in o.autoScalingGroups {
            let existing = asg.hook(group.hookName)
            // Auto Scaling requires a role for a new hook that notifies; without one the hook holds
            // instances and the resync finds them.
            let target = (policy.hookRoleARN != nil || existing?.notificationTargetARN != nil) ? o.queueARN : nil
            let spec = HookSpec(
                name: group.hookName,
                autoScalingGroup: asg.name,
                heartbeatTimeout: policy.heartbeatTimeout,
                notificationTargetARN: target,
                roleARN: policy.hookRoleARN,
                metadata: group.description
            )
            if let hook = existing {
                var drift: [String] = []
                if !hook.isLaunching { drift.append("transition \(hook.transition)") }
                if hook.heartbeatTimeout != spec.heartbeatTimeout {
                    drift.append("heartbeat timeout \(hook.heartbeatTimeout)s, configured \(spec.heartbeatTimeout)s")
                }
                if hook.defaultResult != spec.defaultResult { drift.append("default result \(hook.defaultResult)") }
                if let target, hook.notificationTargetARN != target {
                    drift.append("notifies \(hook.notificationTargetARN ?? "nothing") instead of lifeline's queue")
                }
                if !drift.isEmpty { steps.append(.putHook(spec, reason: "drifted: " + drift.joined(separator: "; "))) }
            } else {
                steps.append(.putHook(spec, reason: "lifeline's launch hook is missing on \(asg.name)"))
            }
            if target == nil, o.queueARN != nil {
                notes.append(
                    "\(asg.name): the hook has no notification target without hook.role_arn; waiting instances are found by the resync"
                )
            }
            for hook in asg.codeDeployLaunchHooks {
                notes.append(
                    "double deployments: CodeDeploy's own hook \(hook.name) is also on \(asg.name); lifeline leaves launch deployments to CodeDeploy and completes its hook after them. Match by tags only and remove the group from the deployment group to let lifeline deploy."
                )
            }
        }
    }

    // MARK: Revision

    /// CodeDeploy's last successful deployment; the journal's record when CodeDeploy shows none.
    mutating func lastGoodRevision() -> LastGoodRevision? {
        guard let last = o.lastSuccessful, let revision = last.revision else { return journal.lastGood }
        let good = LastGoodRevision(
            deploymentGroup: group.description,
            revision: revision,
            deploymentID: last.id,
            recordedAt: now
        )
        if journal.lastGood?.deploymentID != last.id || journal.lastGood?.revision != revision {
            steps.append(.setLastGood(good))
        }
        return good
    }

    // MARK: Actions

    /// The journal's open actions, plus instances waiting on lifeline's hook that no message
    /// reported; one action per instance.
    mutating func actionsToHandle() -> [LifecycleAction] {
        var actions = journal.openActions.filter { $0.transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
        for asg in o.autoScalingGroups {
            guard let hook = asg.hook(group.hookName), hook.isLaunching else { continue }
            for (instance, state) in asg.instances.sorted(by: { $0.key < $1.key })
            where state == "Pending:Wait" && !journal.knownInstances.contains(instance) {
                actions.append(
                    adopt(
                        instance,
                        on: hook,
                        of: asg,
                        reason: "waits in Pending:Wait on \(hook.name) and no message reported it"
                    )
                )
            }
        }
        // Two records of one instance (a message and a resync raced): keep the one with AWS's token.
        var kept: [String: LifecycleAction] = [:]
        for action in actions {
            guard let other = kept[action.instanceID] else {
                kept[action.instanceID] = action
                continue
            }
            let (keep, drop) = other.hasInstanceToken && !action.hasInstanceToken ? (action, other) : (other, action)
            kept[action.instanceID] = keep
            if drop.version > 0 {
                steps.append(.close(drop, as: .closed, reason: "duplicate record of the action \(keep.token)"))
            }
        }
        return actions.filter { kept[$0.instanceID]?.token == $0.token }
    }

    /// Decides one action; returns it when it needs the follow-on deployment.
    mutating func handle(
        _ action: LifecycleAction,
        lastGood: LastGoodRevision?,
        breakerOpen: Bool,
        stuck: ObservedDeployment?
    ) -> LifecycleAction? {
        guard let asg = o.group(action.autoScalingGroup) else {
            steps.append(.close(action, as: .closed, reason: "Auto Scaling group \(action.autoScalingGroup) is gone"))
            return nil
        }
        let state = asg.instances[action.instanceID]
        guard state == "Pending:Wait" else {
            let final: LifecycleAction.State = action.state == .completing ? .completed : .closed
            steps.append(
                .close(
                    action,
                    as: final,
                    reason: state.map { "the instance is \($0)" } ?? "the instance is no longer in \(asg.name)"
                )
            )
            return nil
        }
        pending = true
        if action.state == .completing, let result = action.result {
            steps.append(.complete(action, result, reason: "finishing a completion that was interrupted"))
            return nil
        }
        if breakerOpen {
            steps.append(
                .complete(
                    action,
                    policy.loopBreaker.result,
                    reason: "the loop breaker is open: no follow-on deployment"
                )
            )
            return nil
        }
        if let stuck, stuck.targets?[action.instanceID] == "Succeeded" {
            steps.append(
                .complete(
                    action,
                    .continue,
                    reason: "deployment \(stuck.id) succeeded on the instance; completing before it is stopped"
                )
            )
            return nil
        }
        let heartbeat = asg.hook(action.hookName)?.heartbeatTimeout ?? policy.heartbeatTimeout
        if let global = action.globalDeadline, now >= global.addingTimeInterval(-Double(heartbeat) / 2) {
            steps.append(
                .complete(
                    action,
                    policy.onFailure,
                    reason: "the hook's global timeout ends at \(Self.clock(global)); completing before it does"
                )
            )
            return nil
        }
        if let deployment = covering(action) {
            if deployment.isActive {
                if action.state == .waiting { steps.append(.markDeploying(action, deploymentID: deployment.id)) }
                track(deployment, reason: "covers waiting instances")
                heartbeatIfDue(action, heartbeat)
                wakeups.append(now.addingTimeInterval(policy.pollInterval))
            } else if let targets = deployment.targets {
                complete(action, after: deployment, targetStatus: targets[action.instanceID])
            } else {
                wakeups.append(now.addingTimeInterval(policy.pollInterval))
            }
            return nil
        }
        heartbeatIfDue(action, heartbeat)
        if let active = o.activeDeployment {
            notes.append(
                "\(action.instanceID) waits for deployment \(active.id) to end, then gets a follow-on deployment"
            )
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
            return nil
        }
        if !asg.codeDeployLaunchHooks.isEmpty {
            wakeups.append(now.addingTimeInterval(policy.pollInterval))
            return nil
        }
        guard lastGood != nil else {
            steps.append(
                .complete(action, .continue, reason: "no revision has succeeded in \(group) yet: nothing to deploy")
            )
            return nil
        }
        return action
    }

    /// The newest deployment that targets the instance, or that lifeline created for it.
    func covering(_ action: LifecycleAction) -> ObservedDeployment? {
        o.deployments
            .filter { d in
                d.targets?[action.instanceID] != nil
                    || journal.deployments.contains { $0.id == d.id && $0.instances.contains(action.instanceID) }
            }
            .max { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }
    }

    mutating func complete(_ action: LifecycleAction, after deployment: ObservedDeployment, targetStatus: String?) {
        let result: LifecycleAction.Result
        let reason: String
        switch targetStatus {
        case "Succeeded":
            (result, reason) = (.continue, "deployment \(deployment.id) succeeded on the instance")
        case nil where deployment.status == "Succeeded":
            (result, reason) = (
                .continue, "deployment \(deployment.id) succeeded; the instance already ran its revision"
            )
        default:
            result = policy.onFailure
            reason =
                "deployment \(deployment.id) \(deployment.status.lowercased()); on the instance: \(targetStatus ?? "not deployed")"
        }
        steps.append(.complete(action, result, reason: reason))
        track(deployment, reason: "ended")
    }

    /// Records a deployment the journal does not have yet, or its new status.
    mutating func track(_ deployment: ObservedDeployment, reason: String) {
        let known = journal.deployments.first { $0.id == deployment.id }
        guard known?.status != deployment.status else { return }
        guard !steps.contains(where: { if case let .track(r, _) = $0 { r.id == deployment.id } else { false } }) else {
            return
        }
        let covered = journal.openActions.map(\.instanceID).filter { deployment.targets?[$0] != nil }
        let record = DeploymentRecord(
            id: deployment.id,
            deploymentGroup: group.description,
            planID: known?.planID ?? PlanID.from(description: deployment.description),
            revision: deployment.revision ?? known?.revision ?? Revision(revisionType: nil),
            instances: known?.instances ?? covered,
            status: deployment.status,
            createdAt: known?.createdAt ?? deployment.createdAt ?? now,
            updatedAt: now
        )
        steps.append(.track(record, reason: reason))
    }

    mutating func heartbeatIfDue(_ action: LifecycleAction, _ heartbeatTimeout: Int) {
        let half = Double(heartbeatTimeout) / 2
        let due: Date
        if let last = action.lastHeartbeat {
            due = last.addingTimeInterval(half)
        } else if let deadline = action.heartbeatDeadline {
            due = deadline.addingTimeInterval(-half)
        } else {
            due = now  // when the wait began is unknown: keep it alive now
        }
        if due <= now {
            steps.append(
                .heartbeat(
                    action,
                    timeout: heartbeatTimeout,
                    reason: "half of the \(heartbeatTimeout)s heartbeat timeout has passed"
                )
            )
            wakeups.append(now.addingTimeInterval(half))
        } else {
            wakeups.append(due)
        }
    }

    static func clock(_ date: Date) -> String { date.formatted(.iso8601) }
}

extension LifecycleAction {
    /// The key of an action found by resync, whose token is unknown: AWS is then addressed by instance id.
    public static func instanceToken(_ instanceID: String) -> String { "instance:\(instanceID)" }
    public var hasInstanceToken: Bool { token.hasPrefix("instance:") }

    /// Auto Scaling's cap on the whole wait: min(48 h, 100 × HeartbeatTimeout).
    public static func globalTimeout(heartbeatTimeout: Int) -> TimeInterval {
        min(48 * 3600, 100 * Double(heartbeatTimeout))
    }
}

/// Plan ids: deterministic (the same inputs give the same id) and short enough for a description.
enum PlanID {
    static func make(group: DeploymentGroupName, now: Date, instances: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ([group.description] + instances).joined(separator: ",").utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return "p\(Int(now.timeIntervalSince1970))-" + String(hash & 0xffff_ffff, radix: 16)
    }

    /// The plan id in a `lifeline:<group>:<plan-id>` description.
    static func from(description: String?) -> String? {
        guard let description, description.hasPrefix("lifeline:"), let colon = description.lastIndex(of: ":") else {
            return nil
        }
        return String(description[description.index(after: colon)...])
    }
}
