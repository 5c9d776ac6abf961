import Foundation

/// Own mode with `terminating_hook: true` (DESIGN §2): an instance that scales in while a
/// deployment to it runs is held on lifeline's terminating hook, heartbeated until that deployment
/// ends, then continued; with nothing in flight to it, it is continued at once. CodeDeploy's own
/// termination hook (2023) is the reference.
extension Decision {
    mutating func handleTerminations() {
        guard policy.terminatingHook else { return }
        let hookName = group.terminateHookName
        var held = Set<String>()
        for asg in observation.autoScalingGroups {
            guard let hook = asg.hook(hookName) else { continue }
            for (instance, state) in asg.instances.sorted(by: { $0.key < $1.key }) where state == "Terminating:Wait" {
                held.insert(instance)
                let known = journal.openActions.first { $0.instanceID == instance && $0.hookName == hookName }
                let action = known ?? adoptTermination(instance, on: hook, of: asg)
                attend(action, hook: hook)
            }
        }
        for action in journal.openActions where action.hookName == hookName && !held.contains(action.instanceID) {
            let state = observation.group(action.autoScalingGroup)?.instances[action.instanceID]
            if let state {
                steps.append(
                    .close(
                        action,
                        as: action.state == .completing ? .completed : .closed,
                        reason: "the instance is \(state)"
                    )
                )
            } else if let ec2 = observation.ec2[action.instanceID], ["terminated", "shutting-down"].contains(ec2.state)
            {
                steps.append(.close(action, as: .closed, reason: "EC2 says the instance is \(ec2.state)"))
            } else {
                // No evidence its wait is over: keep it alive until AWS shows it.
                heartbeatIfDue(action, action.heartbeatTimeout ?? policy.heartbeatTimeout)
            }
        }
    }

    /// A scaling-in instance no message reported: on record now, its first heartbeat due at once
    /// (when its wait began is unknown, so the journal's deadline starts from this heartbeat).
    mutating func adoptTermination(
        _ instance: String,
        on hook: ObservedHook,
        of asg: ObservedAutoScalingGroup
    ) -> LifecycleAction {
        var action = LifecycleAction.seenWaiting(
            token: LifecycleAction.instanceToken(instance, hook: hook.name),
            instanceID: instance,
            hookName: hook.name,
            heartbeatTimeout: hook.heartbeatTimeout,
            autoScalingGroup: asg.name,
            deploymentGroup: group.description,
            launched: nil,
            now: now
        )
        action.transition = HookSpec.terminating
        steps.append(.adopt(action, reason: "scales in: waits in Terminating:Wait on \(hook.name)"))
        return action
    }

    /// Holds the instance while a deployment to it is in flight; otherwise lets it go.
    mutating func attend(_ action: LifecycleAction, hook: ObservedHook) {
        pending = true
        if action.state == .completing, let result = action.result {
            steps.append(.complete(action, result, reason: "finishing a completion that was interrupted"))
            return
        }
        // In flight: an active deployment whose target on the instance has not ended. One that has
        // not started has no targets yet, so it is not in flight to the instance.
        let inFlight = observation.deployments.first { deployment in
            deployment.isActive && ["Pending", "InProgress"].contains(deployment.targets?[action.instanceID] ?? "")
        }
        if let global = action.globalDeadline, now >= global.addingTimeInterval(-Double(hook.heartbeatTimeout) / 2) {
            steps.append(
                .complete(action, .continue, reason: "the hook's global timeout ends at \(Self.clock(global))")
            )
            return
        }
        guard let deployment = inFlight else {
            steps.append(.complete(action, .continue, reason: "no deployment is in flight to it: it may terminate"))
            return
        }
        if action.state == .waiting { steps.append(.markDeploying(action, deploymentID: deployment.id)) }
        heartbeatIfDue(action, hook.heartbeatTimeout)
        notes.append("\(action.instanceID) terminates after deployment \(deployment.id) ends on it")
        wakeups.append(now.addingTimeInterval(policy.pollInterval))
    }
}
