import Foundation

/// Indirect: a step holds a whole action or deployment, and a pass copies its steps many times
/// (into plans, the executor, the report); a box is a retain to copy, its contents were dozens.
public indirect enum PlanStep: Sendable, Equatable {
    /// Install or repair lifeline's launching hook.
    case putHook(HookSpec, reason: String)
    /// Record an action found waiting without a message (resync).
    case adopt(LifecycleAction, reason: String)
    case setLastGood(LastGoodRevision)
    /// Remember a deployment that covers open actions, or its new status.
    case track(DeploymentRecord, reason: String)
    case createDeployment(FollowOnDeployment)
    /// The action is covered by a running deployment.
    case markDeploying(LifecycleAction, deploymentID: String)
    /// `timeout`: the hook's heartbeat timeout, seconds: the new deadline is now + timeout.
    case heartbeat(LifecycleAction, timeout: Int, reason: String)
    /// Journal only: the hook's HeartbeatTimeout as Auto Scaling reports it, which the journal's
    /// heartbeat schedule then uses (the action was recorded before the hook was read, or it changed).
    case setHeartbeatTimeout(LifecycleAction, seconds: Int)
    case complete(LifecycleAction, LifecycleAction.Result, reason: String)
    /// Journal only: the action ended without lifeline (instance gone, completed elsewhere), or
    /// its completion was confirmed.
    case close(LifecycleAction, as: LifecycleAction.State, reason: String)
    /// Stop a deployment that only waits on instances that are gone (DESIGN §4).
    case stopDeployment(id: String, reason: String)
    /// Store the group's loop breaker: new cycle counts, or opened.
    case saveBreaker(BreakerState, reason: String)

    /// `(kind, target, detail)`: one line of the plan for people and logs.
    public var summary: (kind: String, target: String, detail: String) {
        switch self {
        case let .putHook(hook, reason): ("put-hook", "\(hook.autoScalingGroup)/\(hook.name)", reason)
        case let .adopt(action, reason): ("adopt", action.instanceID, reason)
        case let .setLastGood(good): ("last-good-revision", good.deploymentID ?? "-", good.revision.summary)
        case let .track(record, reason): ("track-deployment", record.id, "\(record.status): \(reason)")
        case let .createDeployment(deployment):
            (
                "create-deployment", deployment.instances.joined(separator: ","),
                "\(deployment.revision.summary), outdated instances only, \(deployment.description)"
            )
        case let .markDeploying(action, id): ("deploying", action.instanceID, "covered by \(id)")
        case let .heartbeat(action, _, reason): ("heartbeat", action.instanceID, reason)
        case let .setHeartbeatTimeout(action, seconds):
            ("hook-timeout", action.instanceID, "the hook's heartbeat timeout is \(seconds)s")
        case let .complete(action, result, reason): ("complete \(result.rawValue)", action.instanceID, reason)
        case let .close(action, state, reason): ("close", action.instanceID, "\(state.rawValue): \(reason)")
        case let .stopDeployment(id, reason): ("stop-deployment", id, reason)
        case let .saveBreaker(breaker, reason):
            (breaker.isOpen ? "breaker open" : "breaker", breaker.deploymentGroup, reason)
        }
    }

    /// Records what lifeline looked at rather than a decision: a closed breaker with no cycle in
    /// the window (the failure scan's bookmark). Kept out of the decision journal and the info log.
    public var isBookkeeping: Bool {
        if case let .saveBreaker(breaker, _) = self { return !breaker.isOpen && breaker.cycles.isEmpty }
        return false
    }

    /// Whether the step changes AWS (the rest change only the journal): with leases, such a step
    /// needs a lease that outlasts the call (DESIGN §11).
    public var callsAWS: Bool {
        switch self {
        case .putHook, .createDeployment, .heartbeat, .complete, .stopDeployment: true
        default: false
        }
    }

    /// The action a step changes, if any.
    public var action: LifecycleAction? {
        switch self {
        case let .adopt(action, _), let .markDeploying(action, _), let .heartbeat(action, _, _),
            let .setHeartbeatTimeout(action, _),
            let .complete(action, _, _), let .close(action, _, _):
            action
        default: nil
        }
    }
}
