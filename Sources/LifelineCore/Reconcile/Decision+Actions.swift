import Foundation

/// Own mode: each open or newly found lifecycle action, and the deployment that covers it.
extension Decision {
    /// The journal's open actions, plus instances waiting on lifeline's hook that no message
    /// reported; one action per instance.
    mutating func actionsToHandle() -> [LifecycleAction] {
        var actions = journal.openActions.filter { $0.transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
        for asg in observation.autoScalingGroups {
            guard let hook = asg.hook(group.hookName), hook.isLaunching else { continue }
            // The few that wait and are unknown, in order (not all the group's instances sorted).
            let unknown = asg.instances.compactMap { instance, state in
                state == "Pending:Wait" && !journal.knownInstances.contains(instance) ? instance : nil
            }
            for instance in unknown.sorted() {
                actions.append(
                    adopt(
                        instance,
                        on: hook,
                        of: asg,
                        reason: journal.finishedInstances.contains(instance)
                            ? "waits again in Pending:Wait on \(hook.name) after its earlier action was finished"
                            : "waits in Pending:Wait on \(hook.name) and no message reported it"
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
        guard let asg = observation.group(action.autoScalingGroup) else {
            steps.append(.close(action, as: .closed, reason: "Auto Scaling group \(action.autoScalingGroup) is gone"))
            return nil
        }
        let heartbeat =
            asg.hook(action.hookName)?.heartbeatTimeout ?? action.heartbeatTimeout ?? policy.heartbeatTimeout
        let state = asg.instances[action.instanceID]
        guard state == "Pending:Wait" else {
            if let evidence = pastTheWait(action, state: state, in: asg) {
                let final: LifecycleAction.State = action.state == .completing ? .completed : .closed
                steps.append(.close(action, as: final, reason: evidence))
            } else {
                // Not listed yet (a launch Auto Scaling's answer does not show yet): no evidence
                // that the wait is over, so the action stays open and alive.
                pending = true
                heartbeatIfDue(action, heartbeat)
                wakeups.append(now.addingTimeInterval(policy.pollInterval))
            }
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
        if let stuck, stuck.targets?[action.instanceID] == "Succeeded", delivers(stuck, lastGood) {
            steps.append(
                .complete(
                    action,
                    .continue,
                    reason: "deployment \(stuck.id) succeeded on the instance; completing before it is stopped"
                )
            )
            return nil
        }
        if action.heartbeatTimeout != heartbeat {
            steps.append(.setHeartbeatTimeout(action, seconds: heartbeat))
        }
        let covering = covering(action)
        if let global = action.globalDeadline, now >= global.addingTimeInterval(-Double(heartbeat) / 2) {
            // The instance's own target decides, not the policy: code that is there gets CONTINUE.
            let deployed = covering.flatMap { deployment in
                deployment.targets?[action.instanceID] == "Succeeded" && delivers(deployment, lastGood)
                    ? deployment : nil
            }
            let timeout = "the hook's global timeout ends at \(Self.clock(global)); completing before it does"
            steps.append(
                deployed.map { .complete(action, .continue, reason: "\(timeout): \($0.id) succeeded on the instance") }
                    ?? .complete(action, policy.onFailure, reason: "\(timeout), and the instance has no code yet")
            )
            return nil
        }
        if let deployment = covering {
            if deployment.isActive {
                if action.state == .waiting { steps.append(.markDeploying(action, deploymentID: deployment.id)) }
                if ["Created", "Queued"].contains(deployment.status) {
                    let note =
                        "deployment \(deployment.id) has not started yet (\(deployment.status)); its waiting"
                        + " instances are kept alive with heartbeats until it does"
                    if !notes.contains(note) { notes.append(note) }
                }
                track(deployment, reason: "covers waiting instances")
                heartbeatIfDue(action, heartbeat)
                wakeups.append(now.addingTimeInterval(policy.pollInterval))
                return nil
            }
            guard let targets = deployment.targets else {
                wakeups.append(now.addingTimeInterval(policy.pollInterval))
                return nil
            }
            track(deployment, reason: "ended")
            if let status = targets[action.instanceID] {
                complete(action, after: deployment, targetStatus: status, lastGood: lastGood)
                return nil
            }
            // It ended without targeting the instance: no evidence the code is there.
            if let missed = selectionMisses[action.instanceID] {
                let why =
                    "the deployment group's selection misses instances of \(asg.name): \(missed.count) of "
                    + "lifeline's deployments (\(missed.map(\.id).joined(separator: ", "))) ended without "
                    + "targeting \(action.instanceID)"
                if !notes.contains(where: { $0.hasPrefix("the deployment group's selection misses") }) {
                    notes.append(
                        "\(why); check its Auto Scaling groups and tag filters (`lifeline audit \(group)`). Each such "
                            + "instance counts towards the loop breaker"
                    )
                }
                steps.append(.complete(action, policy.onFailure, reason: why))
                return nil
            }
        }
        heartbeatIfDue(action, heartbeat)
        if let active = observation.activeDeployment {
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

    /// What AWS shows that the action's wait is over, if anything: a state past the wait, or EC2
    /// saying the instance is terminated, or knowing nothing of it for longer than a grace period.
    /// An instance its Auto Scaling group does not list is not evidence by itself.
    func pastTheWait(_ action: LifecycleAction, state: String?, in asg: ObservedAutoScalingGroup) -> String? {
        if let state, state != "Pending" { return "the instance is \(state)" }
        guard state == nil, let ec2 = observation.ec2[action.instanceID] else { return nil }
        switch ec2.state {
        case "terminated", "shutting-down":
            return "EC2 says the instance is \(ec2.state) and \(asg.name) no longer lists it"
        case "unknown" where now >= action.firstSeen.addingTimeInterval(LifecycleAction.unknownGrace):
            return
                "neither \(asg.name) nor EC2 has listed the instance for \(DurationText.text(LifecycleAction.unknownGrace))"
        default:
            return nil
        }
    }

    /// Whether a deployment put the last good revision on its targets: it is the last successful
    /// one, or it deploys that revision.
    func delivers(_ deployment: ObservedDeployment, _ lastGood: LastGoodRevision?) -> Bool {
        deployment.id == observation.lastSuccessful?.id
            || (deployment.revision != nil && deployment.revision == lastGood?.revision)
    }

    /// The newest deployment that targets the instance, or that lifeline created for it.
    func covering(_ action: LifecycleAction) -> ObservedDeployment? {
        observation.deployments
            .filter { deployment in
                deployment.targets?[action.instanceID] != nil
                    || journal.deployments.contains {
                        $0.id == deployment.id && $0.instances.contains(action.instanceID)
                    }
            }
            .max { ($0.createdAt ?? .distantPast) < ($1.createdAt ?? .distantPast) }
    }

    /// The result of an ended deployment's target on the instance: CONTINUE only where the last
    /// good revision succeeded on it.
    mutating func complete(
        _ action: LifecycleAction,
        after deployment: ObservedDeployment,
        targetStatus: String,
        lastGood: LastGoodRevision?
    ) {
        if targetStatus == "Succeeded", delivers(deployment, lastGood) {
            steps.append(.complete(action, .continue, reason: "deployment \(deployment.id) succeeded on the instance"))
            return
        }
        let revision =
            targetStatus == "Succeeded"
            ? " with \(deployment.revision?.summary ?? "a revision") that is not the last good one" : ""
        steps.append(
            .complete(
                action,
                policy.onFailure,
                reason:
                    "deployment \(deployment.id) \(deployment.status.lowercased()); on the instance: \(targetStatus)"
                    + revision
            )
        )
    }

    /// Records a deployment the journal does not have yet, or its new status.
    mutating func track(_ deployment: ObservedDeployment, reason: String) {
        let known = journal.deployments.first { $0.id == deployment.id }
        guard known?.status != deployment.status else { return }
        guard
            !steps.contains(where: { if case let .track(record, _) = $0 { record.id == deployment.id } else { false } })
        else {
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
        let due = HeartbeatSchedule.nextDue(action, timeout: heartbeatTimeout)
        if due <= now {
            steps.append(
                .heartbeat(
                    action,
                    timeout: heartbeatTimeout,
                    reason: "half of the \(heartbeatTimeout)s heartbeat timeout has passed"
                )
            )
            wakeups.append(now.addingTimeInterval(Double(heartbeatTimeout) / 2))
        } else {
            wakeups.append(due)
        }
    }
}
