import Foundation

/// Own mode: lifeline's hook on every covered group, and the revision it deploys.
extension Decision {
    /// lifeline's launching hook on every covered group, as configured (DESIGN §2, own mode).
    mutating func repairHooks() {
        for asg in observation.autoScalingGroups {
            let existing = asg.hook(group.hookName)
            // Auto Scaling requires a role for a new hook that notifies; without one the hook holds
            // instances and the resync finds them.
            let target =
                (policy.hookRoleARN != nil || existing?.notificationTargetARN != nil) ? observation.queueARN : nil
            let spec = HookSpec(
                name: group.hookName,
                autoScalingGroup: asg.name,
                heartbeatTimeout: policy.heartbeatTimeout,
                notificationTargetARN: target,
                roleARN: policy.hookRoleARN,
                metadata: group.description
            )
            ensure(spec, existing: existing, missing: "lifeline's launch hook is missing on \(asg.name)")
            if target == nil, observation.queueARN != nil {
                notes.append(
                    "\(asg.name): the hook has no notification target without hook.role_arn; waiting instances are "
                        + "found by the resync"
                )
            }
            if policy.terminatingHook { repairTerminateHook(on: asg, target: target) }
            for hook in asg.codeDeployLaunchHooks {
                notes.append(
                    "double deployments: CodeDeploy's own hook \(hook.name) is also on \(asg.name); lifeline leaves "
                        + "launch deployments to CodeDeploy and completes its hook after them. Match by tags only "
                        + "and remove the group from the deployment group to let lifeline deploy."
                )
            }
        }
    }

    /// lifeline's terminating hook (`terminating_hook: true`): DefaultResult CONTINUE, so that an
    /// instance lifeline does not attend to still terminates when the hook's timeout runs out.
    mutating func repairTerminateHook(on asg: ObservedAutoScalingGroup, target: String?) {
        let spec = HookSpec(
            name: group.terminateHookName,
            autoScalingGroup: asg.name,
            heartbeatTimeout: policy.heartbeatTimeout,
            defaultResult: "CONTINUE",
            notificationTargetARN: target,
            roleARN: policy.hookRoleARN,
            metadata: group.description,
            transition: HookSpec.terminating
        )
        ensure(spec, existing: asg.hook(spec.name), missing: "lifeline's terminating hook is missing on \(asg.name)")
    }

    /// One of lifeline's hooks as `spec` says: put when missing or when it drifted, with what drifted.
    mutating func ensure(_ spec: HookSpec, existing: ObservedHook?, missing: String) {
        guard let hook = existing else {
            steps.append(.putHook(spec, reason: missing))
            return
        }
        var drift: [String] = []
        if hook.transition != (spec.transition ?? HookSpec.launching) { drift.append("transition \(hook.transition)") }
        if hook.heartbeatTimeout != spec.heartbeatTimeout {
            drift.append("heartbeat timeout \(hook.heartbeatTimeout)s, configured \(spec.heartbeatTimeout)s")
        }
        if hook.defaultResult != spec.defaultResult { drift.append("default result \(hook.defaultResult)") }
        if let target = spec.notificationTargetARN, hook.notificationTargetARN != target {
            drift.append("notifies \(hook.notificationTargetARN ?? "nothing") instead of lifeline's queue")
        }
        if !drift.isEmpty { steps.append(.putHook(spec, reason: "drifted: " + drift.joined(separator: "; "))) }
    }

    // MARK: Revision

    /// The newest successful deployment seen (`Observation.newestSuccess`); the journal's record
    /// when CodeDeploy shows none.
    mutating func lastGoodRevision() -> LastGoodRevision? {
        guard let last = observation.newestSuccess, let revision = last.revision else { return journal.lastGood }
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
}
