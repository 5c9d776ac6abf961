import Foundation

/// DESIGN §4 inside `decide`: the loop breaker, deployments that only wait on instances that are
/// gone, and supervise mode, where CodeDeploy owns the hooks and lifeline acts only where allowed.
extension Decision {
    /// Counts the group's loop cycles in the window and opens the breaker when they reach the
    /// threshold (in supervise mode only with `allow: [open-breaker]`). Returns whether it is open.
    mutating func loopBreaker() -> Bool {
        let settings = policy.loopBreaker
        let stored = journal.breaker
        var next = stored ?? BreakerState(deploymentGroup: group.description)
        let since = max(now.addingTimeInterval(-settings.window), next.resetAt ?? .distantPast)
        if let scan = observation.loopScan {
            next.cycles = scan.cycles.filter { $0 >= since }.sorted()
            next.scannedThrough = scan.through
        } else {
            next.cycles = next.cycles.filter { $0 >= since }
        }
        // A selection miss is dated by the second deployment that missed (one per deployment, like
        // a failed launch deployment's cycle): the same date in every pass, so it counts once.
        let missed = selectionMisses.values.compactMap { $0.last?.createdAt ?? now }
        next.misses = Array(Set(next.misses + missed)).filter { $0 >= since }.sorted()
        let count = next.cycles.count + next.misses.count
        let misses = next.misses.isEmpty ? "" : " (\(next.misses.count) of them instances the selection missed)"
        var reason = "\(count) loop cycle(s) in the last \(DurationText.text(settings.window))\(misses)"
        if !next.isOpen, count >= settings.maxCycles {
            let loop =
                "\(count) launch → failed deployment → ABANDON → relaunch cycles within "
                + "\(DurationText.text(settings.window)) (threshold \(settings.maxCycles))\(misses)"
            if policy.may(.openBreaker) {
                next.isOpen = true
                next.openedAt = now
                next.reason = loop
                reason = "the loop breaker opens: \(loop)"
            } else {
                notes.append(
                    "\(group) loops: \(loop). Supervise mode without allow: [open-breaker]: the breaker stays closed"
                )
            }
        }
        if next != stored ?? BreakerState(deploymentGroup: group.description) {
            steps.append(.saveBreaker(next, reason: reason))
        }
        if next.isOpen {
            wakeups.append(now.addingTimeInterval(policy.pollInterval))  // a group in trouble: look often
            notes.append(
                "loop breaker open since \(Self.clock(next.openedAt ?? now)): \(next.reason ?? "a loop"). No "
                    + "follow-on deployments; waiting instances get \(settings.result.rawValue). Close it with "
                    + "`lifeline breaker reset \(group)`"
            )
        }
        return next.isOpen
    }

    /// The active deployment, when every target it still waits on is gone (the ghost of seed 004)
    /// and lifeline may stop it; with the targets it did deploy to.
    mutating func stuckDeployment(breakerOpen: Bool) -> ObservedDeployment? {
        guard let active = observation.activeDeployment, active.targetsComplete else { return nil }
        let remaining = active.remainingTargets
        guard !remaining.isEmpty, remaining.allSatisfy(observation.isGone) else { return nil }
        let ghosts = remaining.map { "\($0) (\(observation.ec2[$0]?.state ?? "gone"))" }.joined(separator: ", ")
        // Own mode stops only lifeline's own deployments (or any while the breaker is open): a
        // release someone else started is theirs to stop.
        let ours =
            PlanID.from(description: active.description) != nil
            && FollowOnDeployment.isMarked(active.description, for: group)
        if policy.mode == .own, !ours, !breakerOpen {
            notes.append(
                "deployment \(active.id) only waits on instances that are gone: \(ghosts). lifeline did not create it, "
                    + "so it leaves it to whoever did (it stops any deployment only while the loop breaker is open)"
            )
            return nil
        }
        guard breakerOpen || policy.may(.stopStuck) else {
            notes.append(
                "deployment \(active.id) only waits on instances that are gone: \(ghosts). allow: [stop-stuck] lets "
                    + "lifeline stop it"
            )
            return nil
        }
        notes.append("deployment \(active.id) only waits on instances that are gone: \(ghosts)")
        return active
    }

    /// The step that stops the stuck deployment; it goes after the completions of its deployed instances.
    func stop(_ stuck: ObservedDeployment) -> PlanStep {
        let ghosts = stuck.remainingTargets
        return .stopDeployment(
            id: stuck.id,
            reason:
                "it only waits on \(ghosts.joined(separator: ", ")), which EC2 says "
                + "\(ghosts.count == 1 ? "is" : "are") gone"
        )
    }

    /// Supervise mode: CodeDeploy owns the hooks and deploys; lifeline completes an action only
    /// where the policy allows it (gone instance, open breaker, deployed by a stuck deployment).
    mutating func supervise(breakerOpen: Bool, stuck: ObservedDeployment?) {
        notes.append(
            "supervise mode: CodeDeploy owns the hooks and deploys; lifeline reports (lifeline audit) and acts only "
                + "where allowed"
        )
        var handled = Set<String>()
        for asg in observation.autoScalingGroups {
            let waiting = asg.instances.filter { $0.value == "Pending:Wait" }.keys.sorted()
            handled.formUnion(waiting)
            guard let hook = asg.codeDeployLaunchHooks.first ?? asg.hooks.first(where: \.isLaunching) else { continue }
            for instance in waiting {
                let outcome: (LifecycleAction.Result, String)?
                // Only what EC2 shows ending: `unknown` may be a launch EC2 does not show yet.
                if let ec2 = observation.ec2[instance], ["terminated", "shutting-down"].contains(ec2.state),
                    policy.may(.abandonGone)
                {
                    outcome = (.abandon, "EC2 says the instance is \(observation.ec2[instance]?.state ?? "gone")")
                } else if breakerOpen {
                    outcome = (policy.loopBreaker.result, "the loop breaker is open")
                } else if let stuck, stuck.targets?[instance] == "Succeeded" {
                    outcome = (
                        .continue,
                        "deployed by \(stuck.id); completing before that deployment is stopped, so that stopping it "
                            + "does not abandon the instance"
                    )
                } else {
                    outcome = nil
                }
                guard let (result, reason) = outcome else { continue }
                pending = true
                let action =
                    journal.openActions.first { $0.instanceID == instance }
                    ?? adopt(instance, on: hook, of: asg, reason: "waits on \(hook.name): \(reason)")
                steps.append(.complete(action, result, reason: reason))
            }
        }
        for action in journal.openActions where !handled.contains(action.instanceID) {
            steps.append(
                .close(
                    action,
                    as: action.state == .completing ? .completed : .closed,
                    reason: "the instance no longer waits"
                )
            )
        }
        if let stuck { steps.append(stop(stuck)) }
    }

    /// Records an action found waiting without a message; returns it.
    mutating func adopt(
        _ instance: String,
        on hook: ObservedHook,
        of asg: ObservedAutoScalingGroup,
        reason: String
    ) -> LifecycleAction {
        let action = LifecycleAction.seenWaiting(
            token: journal.finishedInstances.contains(instance)
                ? LifecycleAction.instanceToken(instance, hook: hook.name, again: now)
                : LifecycleAction.instanceToken(instance, hook: hook.name),
            instanceID: instance,
            hookName: hook.name,
            heartbeatTimeout: hook.heartbeatTimeout,
            autoScalingGroup: asg.name,
            deploymentGroup: group.description,
            launched: observation.launchTimes[instance],
            now: now
        )
        steps.append(.adopt(action, reason: reason))
        return action
    }
}
