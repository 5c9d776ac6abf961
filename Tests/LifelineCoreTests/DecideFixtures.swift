import Foundation
import LifelineCore
import Testing

let now = Date(timeIntervalSince1970: 1_800_000_000)
let group = DeploymentGroupName(application: "shop", name: "prod")
let queue = "arn:aws:sqs:us-east-1:123456789012:lifeline-events"
let appV1 = Revision(
    revisionType: "S3",
    s3Location: .init(bucket: "artifacts", key: "app-1.zip", bundleType: "zip")
)
let appV2 = Revision(
    revisionType: "S3",
    s3Location: .init(bucket: "artifacts", key: "app-2.zip", bundleType: "zip")
)
let policy = GroupPolicy(
    heartbeatTimeout: 300,
    hookRoleARN: "arn:aws:iam::123456789012:role/hook",
    pollInterval: 10,
    resyncInterval: 60
)
let lifelineHook = ObservedHook(
    name: group.hookName,
    heartbeatTimeout: 300,
    notificationTargetARN: queue,
    metadata: "shop/prod"
)
let codeDeployHook = ObservedHook(
    name: "CodeDeploy-managed-automatic-launch-deployment-hook-prod-1234",
    heartbeatTimeout: 600
)

/// An action in the journal: waiting since `age` seconds, last heartbeat `beat` seconds ago.
func action(
    _ instance: String,
    state: LifecycleAction.State = .waiting,
    age: Double = 10,
    beat: Double? = nil,
    result: LifecycleAction.Result? = nil,
    token: String? = nil
) -> LifecycleAction {
    let start = now.addingTimeInterval(-age)
    let lastHeartbeat = beat.map { now.addingTimeInterval(-$0) }
    return LifecycleAction(
        token: token ?? "tok-\(instance)",
        instanceID: instance,
        hookName: group.hookName,
        autoScalingGroup: "shop-asg",
        deploymentGroup: "shop/prod",
        firstSeen: start,
        // As the journal keeps it: a heartbeat moves the deadline to its time plus the hook's timeout.
        heartbeatDeadline: (lastHeartbeat ?? start).addingTimeInterval(300),
        globalDeadline: start.addingTimeInterval(30_000),
        lastHeartbeat: lastHeartbeat,
        state: state,
        result: result,
        version: 1,
        heartbeatTimeout: 300
    )
}

func asg(_ instances: [String: String], hooks: [ObservedHook] = [lifelineHook]) -> ObservedAutoScalingGroup {
    ObservedAutoScalingGroup(name: "shop-asg", instances: instances, hooks: hooks)
}

let lastSuccessful = ObservedDeployment(
    id: "d-good",
    status: "Succeeded",
    revision: appV1,
    createdAt: now.addingTimeInterval(-3600)
)

func observation(
    _ asgs: [ObservedAutoScalingGroup],
    deployments: [ObservedDeployment] = [],
    lastSuccessful: ObservedDeployment? = lastSuccessful,
    exists: Bool = true
) -> Observation {
    Observation(
        deploymentGroup: group,
        exists: exists,
        queueARN: queue,
        autoScalingGroups: asgs,
        lastSuccessful: lastSuccessful,
        deployments: deployments
    )
}

let known = JournalView(
    lastGood: LastGoodRevision(deploymentGroup: "shop/prod", revision: appV1, deploymentID: "d-good", recordedAt: now)
)

func journal(
    _ actions: [LifecycleAction],
    deployments: [DeploymentRecord] = [],
    known extra: Set<String> = []
) -> JournalView {
    JournalView(openActions: actions, knownInstances: extra, deployments: deployments, lastGood: known.lastGood)
}

func record(_ id: String, instances: [String], status: String = "InProgress") -> DeploymentRecord {
    DeploymentRecord(
        id: id,
        deploymentGroup: "shop/prod",
        planID: "p1",
        revision: appV1,
        instances: instances,
        status: status,
        createdAt: now.addingTimeInterval(-60)
    )
}

/// One row of the table: what was seen, what the journal held, and what the plan must (and must not) contain.
struct DecideCase: CustomTestStringConvertible, Sendable {
    var name: String
    var observation: Observation
    var journal: JournalView
    var policy: GroupPolicy = defaultPolicy
    /// Step summaries (`kind target`) that must be in the plan, in order among themselves.
    var expect: [String]
    /// Step kinds that must not appear.
    var never: [String] = []
    var note: String? = nil
    var pending: Bool? = nil
    var testDescription: String { name }
}

let defaultPolicy = policy

func steps(_ plan: Plan) -> [String] { plan.steps.map { "\($0.summary.kind) \($0.summary.target)" } }

// MARK: Loops, stuck deployments, supervise (DESIGN §4)

func breakerJournal(
    _ actions: [LifecycleAction],
    breaker: BreakerState,
    deployments: [DeploymentRecord] = []
) -> JournalView {
    JournalView(openActions: actions, deployments: deployments, lastGood: known.lastGood, breaker: breaker)
}

let threeCycles = LoopScan(
    through: "d-last",
    cycles: [now.addingTimeInterval(-900), now.addingTimeInterval(-500), now.addingTimeInterval(-60)]
)
let openBreaker = BreakerState(
    deploymentGroup: "shop/prod",
    isOpen: true,
    openedAt: now.addingTimeInterval(-120),
    reason: "3 cycles",
    cycles: threeCycles.cycles,
    version: 2
)
let supervise = GroupPolicy(mode: .supervise, pollInterval: 10, resyncInterval: 60)
let cdWaiting = asg(["i-1": "Pending:Wait"], hooks: [codeDeployHook])
/// A launch deployment that deployed to i-1 and waits on the terminated ghost.
let stuck = ObservedDeployment(
    id: "d-stuck",
    status: "InProgress",
    revision: appV1,
    description: "lifeline:shop/prod:p1",
    createdAt: now.addingTimeInterval(-30),
    targets: ["i-1": "Succeeded", "i-ghost": "InProgress"],
    targetsComplete: true
)
let ghostGone: [String: MatchSet.Instance] = [
    "i-ghost": MatchSet.Instance(id: "i-ghost", state: "terminated"),
    "i-1": MatchSet.Instance(id: "i-1", state: "running"),
]
