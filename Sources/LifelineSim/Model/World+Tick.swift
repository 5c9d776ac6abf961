import Foundation

/// Time moves the world: hook timeouts apply their default result, detaches finish, deployments
/// progress, and terminated instances are finally forgotten.
extension World {
    func tick() {
        runDueSteps()
        finishDetaches()
        for action in actions.values where action.result == nil {
            guard let hook = groups[action.group]?.hooks[action.hook] else { continue }
            if now >= action.globalDeadline {
                finishAction(action.token, result: hook.defaultResult, why: "the global timeout passed")
            } else if now >= action.heartbeatDeadline {
                finishAction(action.token, result: hook.defaultResult, why: "the heartbeat timeout passed")
            }
        }
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
        for (token, action) in actions where action.result != nil && now.timeIntervalSince(action.start) > 86_400 {
            actions[token] = nil
        }
    }
}
