import Foundation

/// Own mode: each open or newly found lifecycle action, and the deployment that covers it.
extension Decision {
    /// The journal's open actions, plus instances waiting on lifeline's hook that no message
    /// reported; one action per instance.
    mutating func actionsToHandle() -> [LifecycleAction] {
        var actions = journal.openActions.filter { $0.transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
        for asg in observation.autoScalingGroups {
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
        guard let asg = observation.group(action.autoScalingGroup) else {
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
        let heartbeat =
            asg.hook(action.hookName)?.heartbeatTimeout ?? action.heartbeatTimeout ?? policy.heartbeatTimeout
        if action.heartbeatTimeout != heartbeat {
            steps.append(.setHeartbeatTimeout(action, seconds: heartbeat))
        }
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
                if ["Created", "Queued"].contains(deployment.status) {
                    let note =
                        "deployment \(deployment.id) has not started yet (\(deployment.status)); its waiting"
                        + " instances are kept alive with heartbeats until it does"
                    if !notes.contains(note) { notes.append(note) }
                }
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
                "deployment \(deployment.id) \(deployment.status.lowercased()); on the instance: "
                + "\(targetStatus ?? "not deployed")"
        }
        steps.append(.complete(action, result, reason: reason))
        track(deployment, reason: "ended")
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
