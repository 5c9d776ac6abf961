import Foundation

/// Time moves the world: hook timeouts apply their default result, detaches finish, deployments
/// progress, and terminated instances are finally forgotten.
extension World {
    /// Ticks from a request when the ticker has not for a quarter of a second: a stalled ticker
    /// must not stop the world's time (scheduled steps, timeouts, deployments). Twice in CI a
    /// scenario's step at 1 s had not run 20 s later while requests were answered; a stall over a
    /// second is logged (`tick-late`), so the events say when it happens.
    func tickIfLate() {
        let late = ProcessInfo.processInfo.systemUptime - lastTick
        guard late > 0.25 else { return }
        if late > 1 { log("tick-late", ["seconds": String(format: "%.1f", late)]) }
        tick()
    }

    func tick() {
        lastTick = ProcessInfo.processInfo.systemUptime
        runDueSteps()
        finishDetaches()
        if now >= actionsDueAt { timeOutActions() }
        progressDeployments()
        // Forget what AWS forgets: terminated instances after their visibility, finished actions after a while.
        let active = terminatedInstances.isEmpty ? [] : activeDeployments.values.compactMap { deployments[$0] }
        for id in terminatedInstances {
            guard let instance = instances[id] else {
                terminatedInstances.remove(id)
                continue
            }
            if isPurged(instance) && !active.contains(where: { $0.targets[id] != nil }) {
                instances[id] = nil
                terminatedInstances.remove(id)
            }
        }
        if now >= actionsForgottenAt {
            var next = Date.distantFuture
            for (token, action) in actions where action.result != nil {
                let forgetAt = action.start.addingTimeInterval(86_400)
                if now > forgetAt { actions[token] = nil } else { next = min(next, forgetAt) }
            }
            actionsForgottenAt = next
        }
    }

    /// Applies the default result of every open action whose heartbeat or global timeout passed,
    /// and notes when the next one may. An action a default result starts (an abandoned launch's
    /// terminating hook) lowers that time itself, so it is kept, not overwritten.
    private func timeOutActions() {
        actionsDueAt = .distantFuture
        for action in actions.values where action.result == nil {
            guard now >= action.globalDeadline || now >= action.heartbeatDeadline else {
                actionsDueAt = min(actionsDueAt, action.heartbeatDeadline, action.globalDeadline)
                continue
            }
            guard let hook = groups[action.group]?.hooks[action.hook] else {
                // Its hook is gone: look again in a second.
                actionsDueAt = min(actionsDueAt, now.addingTimeInterval(1))
                continue
            }
            let why = now >= action.globalDeadline ? "the global timeout passed" : "the heartbeat timeout passed"
            finishAction(action.token, result: hook.defaultResult, why: why)
        }
    }
}
