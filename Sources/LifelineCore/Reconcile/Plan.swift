import Foundation

/// What one pass decided for one deployment group: a value, so it can be printed (`--dry-run`),
/// compared in a test, and executed by the runtime step by step.
public struct Plan: Sendable, Equatable {
    /// Deterministic: the same observation at the same moment gives the same id.
    public var id: String
    public var deploymentGroup: DeploymentGroupName
    public var steps: [PlanStep]
    /// Findings that need no action from lifeline but a person should know (double hooks, no revision).
    public var notes: [String]
    /// When the group should be looked at again.
    public var nextPassAt: Date
    /// Open actions remain once the steps are done: the group is not settled yet.
    public var pending: Bool

    public init(
        id: String,
        deploymentGroup: DeploymentGroupName,
        steps: [PlanStep] = [],
        notes: [String] = [],
        nextPassAt: Date,
        pending: Bool = false
    ) {
        self.id = id
        self.deploymentGroup = deploymentGroup
        self.steps = steps
        self.notes = notes
        self.nextPassAt = nextPassAt
        self.pending = pending
    }

    public var isEmpty: Bool { steps.isEmpty }
}

public enum PlanStep: Sendable, Equatable {
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
        case let .createDeployment(d):
            (
                "create-deployment", d.instances.joined(separator: ","),
                "\(d.revision.summary), outdated instances only, \(d.description)"
            )
        case let .markDeploying(action, id): ("deploying", action.instanceID, "covered by \(id)")
        case let .heartbeat(action, _, reason): ("heartbeat", action.instanceID, reason)
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

    /// The action a step changes, if any.
    public var action: LifecycleAction? {
        switch self {
        case let .adopt(a, _), let .markDeploying(a, _), let .heartbeat(a, _, _), let .complete(a, _, _),
            let .close(a, _, _):
            a
        default: nil
        }
    }
}

/// lifeline's launching hook as it should be on one Auto Scaling group.
public struct HookSpec: Sendable, Equatable, Codable {
    public var name: String
    public var autoScalingGroup: String
    public var heartbeatTimeout: Int
    public var defaultResult: String
    public var notificationTargetARN: String?
    public var roleARN: String?
    /// `APP/GROUP`: lets lifeline find its deployment groups again without a config.
    public var metadata: String

    public init(
        name: String,
        autoScalingGroup: String,
        heartbeatTimeout: Int,
        defaultResult: String = "ABANDON",
        notificationTargetARN: String?,
        roleARN: String?,
        metadata: String
    ) {
        self.name = name
        self.autoScalingGroup = autoScalingGroup
        self.heartbeatTimeout = heartbeatTimeout
        self.defaultResult = defaultResult
        self.notificationTargetARN = notificationTargetARN
        self.roleARN = roleARN
        self.metadata = metadata
    }
}

/// One deployment of the last good revision to every outdated instance of a deployment group.
public struct FollowOnDeployment: Sendable, Equatable, Codable {
    public var deploymentGroup: DeploymentGroupName
    public var planID: String
    public var revision: Revision
    /// The waiting instances it is for.
    public var instances: [String]

    public init(deploymentGroup: DeploymentGroupName, planID: String, revision: Revision, instances: [String]) {
        self.deploymentGroup = deploymentGroup
        self.planID = planID
        self.revision = revision
        self.instances = instances
    }

    /// Finds the deployment again after a crash (DESIGN §3).
    public var description: String { Self.marker(deploymentGroup, planID) }

    public static func marker(_ group: DeploymentGroupName, _ planID: String) -> String {
        "lifeline:\(group):\(planID)"
    }
}
