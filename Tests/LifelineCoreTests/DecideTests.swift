import Foundation
import LifelineCore
import Testing

private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let group = DeploymentGroupName(application: "shop", name: "prod")
private let queue = "arn:aws:sqs:us-east-1:123456789012:lifeline-events"
private let appV1 = Revision(
    revisionType: "S3",
    s3Location: .init(bucket: "artifacts", key: "app-1.zip", bundleType: "zip")
)
private let appV2 = Revision(
    revisionType: "S3",
    s3Location: .init(bucket: "artifacts", key: "app-2.zip", bundleType: "zip")
)
private let policy = GroupPolicy(
    heartbeatTimeout: 300,
    hookRoleARN: "arn:aws:iam::123456789012:role/hook",
    pollInterval: 10,
    resyncInterval: 60
)
private let lifelineHook = ObservedHook(
    name: group.hookName,
    heartbeatTimeout: 300,
    notificationTargetARN: queue,
    metadata: "shop/prod"
)
private let codeDeployHook = ObservedHook(
    name: "CodeDeploy-managed-automatic-launch-deployment-hook-prod-1234",
    heartbeatTimeout: 600
)

/// An action in the journal: waiting since `age` seconds, last heartbeat `beat` seconds ago.
private func action(
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

private func asg(_ instances: [String: String], hooks: [ObservedHook] = [lifelineHook]) -> ObservedAutoScalingGroup {
    ObservedAutoScalingGroup(name: "shop-asg", instances: instances, hooks: hooks)
}

private let lastSuccessful = ObservedDeployment(
    id: "d-good",
    status: "Succeeded",
    revision: appV1,
    createdAt: now.addingTimeInterval(-3600)
)

private func observation(
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

private let known = JournalView(
    lastGood: LastGoodRevision(deploymentGroup: "shop/prod", revision: appV1, deploymentID: "d-good", recordedAt: now)
)

private func journal(
    _ actions: [LifecycleAction],
    deployments: [DeploymentRecord] = [],
    known extra: Set<String> = []
) -> JournalView {
    JournalView(openActions: actions, knownInstances: extra, deployments: deployments, lastGood: known.lastGood)
}

private func record(_ id: String, instances: [String], status: String = "InProgress") -> DeploymentRecord {
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

private let defaultPolicy = policy

private func steps(_ plan: Plan) -> [String] { plan.steps.map { "\($0.summary.kind) \($0.summary.target)" } }

private let cases: [DecideCase] = [
    DecideCase(
        name: "installs the launch hook where it is missing",
        observation: observation([asg([:], hooks: [])]),
        journal: known,
        expect: ["put-hook shop-asg/lifeline-launch-prod"],
        pending: false
    ),
    DecideCase(
        name: "repairs a hook whose heartbeat timeout drifted",
        observation: observation([
            asg([:], hooks: [ObservedHook(name: group.hookName, heartbeatTimeout: 600, notificationTargetARN: queue)])
        ]),
        journal: known,
        expect: ["put-hook shop-asg/lifeline-launch-prod"]
    ),
    DecideCase(
        name: "repairs a hook that notifies another queue",
        observation: observation([
            asg(
                [:],
                hooks: [
                    ObservedHook(
                        name: group.hookName,
                        heartbeatTimeout: 300,
                        notificationTargetARN: "arn:aws:sqs:us-east-1:123456789012:other"
                    )
                ]
            )
        ]),
        journal: known,
        expect: ["put-hook shop-asg/lifeline-launch-prod"]
    ),
    DecideCase(
        name: "leaves a correct hook alone",
        observation: observation([asg([:])]),
        journal: known,
        expect: [],
        never: ["put-hook"],
        pending: false
    ),
    DecideCase(
        name: "one follow-on deployment covers every waiting instance",
        observation: observation([asg(["i-1": "Pending:Wait", "i-2": "Pending:Wait", "i-0": "InService"])]),
        journal: journal([action("i-1"), action("i-2")]),
        expect: ["create-deployment i-1,i-2"],
        never: ["complete"],
        pending: true
    ),
    DecideCase(
        name: "adopts an instance whose message was lost and deploys to it with the others",
        observation: observation([asg(["i-1": "Pending:Wait", "i-3": "Pending:Wait"])]),
        journal: journal([action("i-1")]),
        expect: ["adopt i-3", "heartbeat i-3", "create-deployment i-1,i-3"]
    ),
    DecideCase(
        name: "never adopts an instance the journal already finished",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: journal([], known: ["i-1"]),
        expect: [],
        never: ["adopt", "create-deployment"]
    ),
    DecideCase(
        name: "waits for an active deployment that does not cover the instance, heartbeating",
        observation: observation(
            [asg(["i-1": "Pending:Wait", "i-0": "InService"])],
            deployments: [ObservedDeployment(id: "d-release", status: "InProgress", revision: appV2, targets: [:])]
        ),
        journal: journal([action("i-1", age: 200)]),
        expect: ["heartbeat i-1"],
        never: ["create-deployment", "complete"],
        note: "waits for deployment d-release",
        pending: true
    ),
    DecideCase(
        name: "a covering deployment marks the action deploying and heartbeats when half the timeout passed",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
        ),
        journal: journal([action("i-1", age: 400, beat: 151)]),
        expect: ["deploying i-1", "heartbeat i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "no heartbeat before half the timeout",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 400, beat: 100)],
            deployments: [record("d-1", instances: ["i-1"])]
        ),
        expect: [],
        never: ["heartbeat", "create-deployment"]
    ),
    DecideCase(
        name: "succeeded on the instance: CONTINUE",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Succeeded", targets: ["i-1": "Succeeded"])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete CONTINUE i-1"],
        never: ["heartbeat"]
    ),
    DecideCase(
        name: "failed on the instance: ABANDON",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Failed", targets: ["i-1": "Failed"])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete ABANDON i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "failed on the instance with on_failure continue: CONTINUE",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Failed", targets: ["i-1": "Failed"])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        policy: GroupPolicy(onFailure: .continue, hookRoleARN: "r"),
        expect: ["complete CONTINUE i-1"]
    ),
    DecideCase(
        name: "skipped on the instance (one at a time stopped early): ABANDON",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Failed", targets: ["i-1": "Skipped"])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete ABANDON i-1"]
    ),
    DecideCase(
        name: "a stopped deployment: ABANDON",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Stopped", targets: ["i-1": "Skipped"])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete ABANDON i-1"]
    ),
    DecideCase(
        name: "lifeline's deployment succeeded without targeting an up-to-date instance: CONTINUE",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Succeeded", targets: [:])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete CONTINUE i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "an ended deployment whose targets were not read: wait, do not guess",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Failed", targets: nil)]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: [],
        never: ["complete", "create-deployment"]
    ),
    DecideCase(
        name: "an instance no longer in the group closes its action without a call",
        observation: observation([asg([:])]),
        journal: journal([action("i-1", state: .deploying)]),
        expect: ["close i-1"],
        never: ["complete", "heartbeat"],
        pending: false
    ),
    DecideCase(
        name: "an instance already InService closes its action",
        observation: observation([asg(["i-1": "InService"])]),
        journal: journal([action("i-1")]),
        expect: ["close i-1"],
        never: ["complete"]
    ),
    DecideCase(
        name: "a gone Auto Scaling group closes its actions",
        observation: observation([]),
        journal: journal([action("i-1")]),
        expect: ["close i-1"]
    ),
    DecideCase(
        name: "an interrupted completion is sent again with its result",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: journal([action("i-1", state: .completing, result: .abandon)]),
        expect: ["complete ABANDON i-1"],
        never: ["create-deployment", "heartbeat"]
    ),
    DecideCase(
        name: "the global timeout is near: complete with the policy's result before it",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 29_900, beat: 10)],
            deployments: [record("d-1", instances: ["i-1"])]
        ),
        expect: ["complete ABANDON i-1"],
        never: ["heartbeat"]
    ),
    DecideCase(
        name: "nothing ever succeeded in the group: CONTINUE, nothing to deploy",
        observation: observation([asg(["i-1": "Pending:Wait"])], lastSuccessful: nil),
        journal: JournalView(openActions: [action("i-1")]),
        expect: ["complete CONTINUE i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "CodeDeploy's own hook is also there: say so and do not deploy twice",
        observation: observation([asg(["i-1": "Pending:Wait"], hooks: [lifelineHook, codeDeployHook])]),
        journal: journal([action("i-1", age: 200)]),
        expect: ["heartbeat i-1"],
        never: ["create-deployment"],
        note: "double deployments"
    ),
    DecideCase(
        name: "CodeDeploy's launch deployment covers the instance: its result decides",
        observation: observation(
            [asg(["i-1": "Pending:Wait"], hooks: [lifelineHook, codeDeployHook])],
            deployments: [ObservedDeployment(id: "d-cd", status: "Failed", targets: ["i-1": "Failed"])]
        ),
        journal: journal([action("i-1", state: .deploying)]),
        expect: ["complete ABANDON i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "a new last successful deployment becomes the last good revision",
        observation: observation(
            [asg([:])],
            lastSuccessful: ObservedDeployment(id: "d-new", status: "Succeeded", revision: appV2)
        ),
        journal: known,
        expect: ["last-good-revision d-new"]
    ),
    DecideCase(
        name: "the journal's last good revision serves when CodeDeploy shows none",
        observation: observation([asg(["i-1": "Pending:Wait"])], lastSuccessful: nil),
        journal: journal([action("i-1")]),
        expect: ["create-deployment i-1"]
    ),
    DecideCase(
        name: "a deployment group CodeDeploy does not know: a note, no steps",
        observation: observation([], exists: false),
        journal: journal([action("i-1")]),
        expect: [],
        never: ["close", "complete"],
        note: "does not know"
    ),
    DecideCase(
        name: "supervise mode does not deploy or install hooks",
        observation: observation([asg(["i-1": "Pending:Wait"], hooks: [])]),
        journal: journal([action("i-1")]),
        policy: GroupPolicy(mode: .supervise),
        expect: [],
        never: ["put-hook", "create-deployment"],
        note: "supervise"
    ),
    DecideCase(
        name: "two records of one instance: the one with AWS's token is kept",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: journal([action("i-1", token: LifecycleAction.instanceToken("i-1")), action("i-1")]),
        expect: ["close i-1", "create-deployment i-1"]
    ),
]

// MARK: Loops, stuck deployments, supervise (DESIGN §4)

private func breakerJournal(
    _ actions: [LifecycleAction],
    breaker: BreakerState,
    deployments: [DeploymentRecord] = []
) -> JournalView {
    JournalView(openActions: actions, deployments: deployments, lastGood: known.lastGood, breaker: breaker)
}

private let threeCycles = LoopScan(
    through: "d-last",
    cycles: [now.addingTimeInterval(-900), now.addingTimeInterval(-500), now.addingTimeInterval(-60)]
)
private let openBreaker = BreakerState(
    deploymentGroup: "shop/prod",
    isOpen: true,
    openedAt: now.addingTimeInterval(-120),
    reason: "3 cycles",
    cycles: threeCycles.cycles,
    version: 2
)
private let supervise = GroupPolicy(mode: .supervise, pollInterval: 10, resyncInterval: 60)
private let cdWaiting = asg(["i-1": "Pending:Wait"], hooks: [codeDeployHook])
/// A launch deployment that deployed to i-1 and waits on the terminated ghost.
private let stuck = ObservedDeployment(
    id: "d-stuck",
    status: "InProgress",
    createdAt: now.addingTimeInterval(-30),
    targets: ["i-1": "Succeeded", "i-ghost": "InProgress"],
    targetsComplete: true
)
private let ghostGone: [String: MatchSet.Instance] = [
    "i-ghost": MatchSet.Instance(id: "i-ghost", state: "terminated"),
    "i-1": MatchSet.Instance(id: "i-1", state: "running"),
]

/// DESIGN §3's rules: heartbeats by the hook's own timeout, a deployment that has not started.
private let firstRuleCases: [DecideCase] = [
    DecideCase(
        name: "the hook's own heartbeat timeout rules: recorded with 300 s, the hook says 30 s, half of it passed",
        observation: observation(
            [
                asg(
                    ["i-1": "Pending:Wait"],
                    hooks: [ObservedHook(name: group.hookName, heartbeatTimeout: 30, notificationTargetARN: queue)]
                )
            ],
            deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 20)],
            deployments: [record("d-1", instances: ["i-1"])]
        ),
        policy: GroupPolicy(heartbeatTimeout: 300, hookRoleARN: "r"),
        expect: ["hook-timeout i-1", "heartbeat i-1"],
        never: ["complete", "create-deployment"]
    ),
    DecideCase(
        name: "a follow-on deployment still Created (no targets yet) covers its instances: heartbeat, no second one",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Created", targets: [:])]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 200)],
            deployments: [record("d-1", instances: ["i-1"], status: "Created")]
        ),
        expect: ["heartbeat i-1"],
        never: ["create-deployment", "complete"],
        note: "has not started yet (Created)",
        pending: true
    ),
    DecideCase(
        name: "a Queued deployment someone else started: the waiting instance is kept alive and waits for it",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-user", status: "Queued", targets: [:])]
        ),
        journal: journal([action("i-1", age: 200)]),
        expect: ["heartbeat i-1"],
        never: ["create-deployment", "complete"],
        note: "waits for deployment d-user to end",
        pending: true
    ),
]

private let loopCases: [DecideCase] = [
    DecideCase(
        name:
            "three failed launch deployments in the window open the breaker: the waiting instance gets its result, "
            + "no deployment",
        observation: with(observation([asg(["i-1": "Pending:Wait"])])) { $0.loopScan = threeCycles },
        journal: journal([action("i-1")]),
        expect: ["breaker open shop/prod", "complete CONTINUE i-1"],
        never: ["create-deployment", "heartbeat"],
        note: "loop breaker open"
    ),
    DecideCase(
        name: "two cycles are counted and do not open it",
        observation: with(observation([asg(["i-1": "Pending:Wait"])])) {
            $0.loopScan = LoopScan(through: "d-last", cycles: Array(threeCycles.cycles.suffix(2)))
        },
        journal: journal([action("i-1")]),
        expect: ["breaker shop/prod", "create-deployment i-1"],
        never: ["breaker open", "complete"]
    ),
    DecideCase(
        name: "cycles older than the window slide out",
        observation: with(observation([asg(["i-1": "Pending:Wait"])])) {
            $0.loopScan = LoopScan(
                through: "d-last",
                cycles: [now.addingTimeInterval(-4000), now.addingTimeInterval(-2000), now.addingTimeInterval(-60)]
            )
        },
        journal: journal([action("i-1")]),
        expect: ["create-deployment i-1"],
        never: ["breaker open", "complete"]
    ),
    DecideCase(
        name: "cycles before a breaker reset do not count",
        observation: with(observation([asg(["i-1": "Pending:Wait"])])) { $0.loopScan = threeCycles },
        journal: breakerJournal(
            [action("i-1")],
            breaker: BreakerState(deploymentGroup: "shop/prod", resetAt: now.addingTimeInterval(-100), version: 3)
        ),
        expect: ["create-deployment i-1"],
        never: ["breaker open", "complete"]
    ),
    DecideCase(
        name: "an open breaker stays open until reset: no follow-on deployment",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: breakerJournal([action("i-1")], breaker: openBreaker),
        expect: ["complete CONTINUE i-1"],
        never: ["create-deployment", "breaker"]
    ),
    DecideCase(
        name: "the breaker's result may be ABANDON",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: breakerJournal([action("i-1")], breaker: openBreaker),
        policy: GroupPolicy(heartbeatTimeout: 300, loopBreaker: LoopBreakerPolicy(result: .abandon)),
        expect: ["complete ABANDON i-1"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name:
            "a deployment that only waits on a gone instance: the deployed one is continued first, then it is stopped",
        observation: with(observation([asg(["i-1": "Pending:Wait"])], deployments: [stuck])) { $0.ec2 = ghostGone },
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-stuck", instances: ["i-1"])]),
        expect: ["complete CONTINUE i-1", "stop-deployment d-stuck"],
        never: ["create-deployment"]
    ),
    DecideCase(
        name: "not stopped while a live target still deploys",
        observation: with(
            observation(
                [asg(["i-1": "Pending:Wait"])],
                deployments: [
                    ObservedDeployment(
                        id: "d-1",
                        status: "InProgress",
                        targets: ["i-1": "InProgress", "i-ghost": "InProgress"],
                        targetsComplete: true
                    )
                ]
            )
        ) { $0.ec2 = ghostGone },
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: [],
        never: ["stop-deployment", "complete"]
    ),
    DecideCase(
        name: "not stopped when only some targets were read",
        observation: with(
            observation([asg(["i-1": "Pending:Wait"])], deployments: [with(stuck) { $0.targetsComplete = false }])
        ) { $0.ec2 = ghostGone },
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-stuck", instances: ["i-1"])]),
        expect: [],
        never: ["stop-deployment"]
    ),
    DecideCase(
        name: "supervise without allowances: the loop is reported, nothing is done",
        observation: with(observation([cdWaiting], deployments: [stuck])) {
            $0.loopScan = threeCycles
            $0.ec2 = ghostGone
        },
        journal: known,
        policy: supervise,
        expect: ["breaker shop/prod"],
        never: ["breaker open", "complete", "stop-deployment", "adopt", "put-hook"],
        note: "stays closed"
    ),
    DecideCase(
        name:
            "supervise with open-breaker: the breaker opens, CodeDeploy's waiting instance is continued, the stuck "
            + "deployment stopped",
        observation: with(observation([cdWaiting], deployments: [stuck])) {
            $0.loopScan = threeCycles
            $0.ec2 = ghostGone
        },
        journal: known,
        policy: with(supervise) { $0.allow = [.openBreaker] },
        expect: ["breaker open shop/prod", "adopt i-1", "complete CONTINUE i-1", "stop-deployment d-stuck"],
        never: ["create-deployment", "put-hook"]
    ),
    DecideCase(
        name: "supervise with stop-stuck: the deployed instance is continued, then the deployment stopped",
        observation: with(observation([cdWaiting], deployments: [stuck])) { $0.ec2 = ghostGone },
        journal: known,
        policy: with(supervise) { $0.allow = [.stopStuck] },
        expect: ["adopt i-1", "complete CONTINUE i-1", "stop-deployment d-stuck"]
    ),
    DecideCase(
        name: "supervise with abandon-gone: a waiting instance EC2 says is terminated is abandoned",
        observation: with(observation([cdWaiting])) {
            $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "terminated")]
        },
        journal: known,
        policy: with(supervise) { $0.allow = [.abandonGone] },
        expect: ["adopt i-1", "complete ABANDON i-1"]
    ),
]

private func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}

@Suite("decide")
struct DecideTests {
    @Test("each branch of decide", arguments: cases + loopCases + firstRuleCases)
    func branch(_ c: DecideCase) {
        let plan = decide(c.observation, c.journal, now: now, policy: c.policy)
        let got = steps(plan)
        var cursor = got.startIndex
        for wanted in c.expect {
            guard let found = got[cursor...].firstIndex(of: wanted) else {
                Issue.record("\(c.name): expected '\(wanted)' in order in \(got)")
                return
            }
            cursor = got.index(after: found)
        }
        for kind in c.never {
            #expect(!got.contains { $0.hasPrefix(kind) }, "\(c.name): '\(kind)' must not be in \(got)")
        }
        if let note = c.note {
            #expect(plan.notes.contains { $0.contains(note) }, "\(c.name): no note '\(note)' in \(plan.notes)")
        }
        if let pending = c.pending { #expect(plan.pending == pending) }
    }

    @Test(
        "in every case: one completion per action, no heartbeat after it, no second deployment for an instance",
        arguments: cases + loopCases + firstRuleCases
    )
    func invariants(_ c: DecideCase) {
        let plan = decide(c.observation, c.journal, now: now, policy: c.policy)
        var completed: Set<String> = []
        var beaten: Set<String> = []
        for step in plan.steps {
            switch step {
            case let .complete(a, _, _):
                #expect(completed.insert(a.token).inserted, "two completions of \(a.token)")
            case let .heartbeat(a, _, _):
                #expect(!completed.contains(a.token), "heartbeat after completing \(a.token)")
                beaten.insert(a.token)
            default: break
            }
        }
        // Neither before nor after: one action never gets both in a plan.
        #expect(completed.isDisjoint(with: beaten), "\(c.name): heartbeat and completion of one action in one plan")
        let creations = plan.steps.compactMap { if case let .createDeployment(d) = $0 { d } else { nil } }
        #expect(creations.count <= 1)
        for d in creations {
            #expect(
                c.observation.activeDeployment == nil,
                "created while \(c.observation.activeDeployment?.id ?? "") is active"
            )
            let covered = Set(c.observation.deployments.flatMap { $0.targets.map { Array($0.keys) } ?? [] })
            #expect(covered.isDisjoint(with: d.instances), "deploys again to an instance a deployment already covers")
            #expect(d.revision == (c.observation.lastSuccessful?.revision ?? c.journal.lastGood?.revision))
            #expect(d.description == "lifeline:shop/prod:\(plan.id)")
        }
        for step in plan.steps {
            if case let .adopt(a, _) = step { #expect(!c.journal.knownInstances.contains(a.instanceID)) }
        }
        #expect(plan.nextPassAt >= now && plan.nextPassAt <= now.addingTimeInterval(c.policy.resyncInterval))
    }

    @Test("the same inputs give the same plan, id included")
    func deterministic() {
        let c = cases[4]
        #expect(
            decide(c.observation, c.journal, now: now, policy: c.policy)
                == decide(c.observation, c.journal, now: now, policy: c.policy)
        )
    }

    @Test("the next pass is due at the earliest heartbeat")
    func nextPassAtHeartbeat() {
        let plan = decide(
            observation(
                [asg(["i-1": "Pending:Wait"])],
                deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
            ),
            journal(
                [action("i-1", state: .deploying, age: 400, beat: 140)],
                deployments: [record("d-1", instances: ["i-1"])]
            ),
            now: now,
            policy: GroupPolicy(hookRoleARN: "r", pollInterval: 30, resyncInterval: 60)
        )
        #expect(plan.nextPassAt == now.addingTimeInterval(10), "heartbeat due 150 s after the last one, 140 s ago")
    }

    @Test(
        "a breaker saved only as the failure scan's bookmark is bookkeeping; cycles and an open breaker are decisions"
    )
    func breakerBookkeeping() throws {
        let slid = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) {
                $0.loopScan = LoopScan(through: "d-last", cycles: [now.addingTimeInterval(-4000)])
            },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        let bookmark = try #require(slid.steps.first { $0.summary.kind == "breaker" })
        #expect(bookmark.isBookkeeping)
        let two = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) {
                $0.loopScan = LoopScan(through: "d-last", cycles: Array(threeCycles.cycles.suffix(2)))
            },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        #expect(two.steps.contains { $0.summary.kind == "breaker" && !$0.isBookkeeping })
        let open = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) { $0.loopScan = threeCycles },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        #expect(open.steps.contains { $0.summary.kind == "breaker open" && !$0.isBookkeeping })
        #expect(!open.steps.contains { $0.isBookkeeping })
    }

    @Test("a failed release never becomes the revision new instances get")
    func neverAFailedRevision() {
        let failedRelease = ObservedDeployment(
            id: "d-bad",
            status: "Failed",
            revision: appV2,
            createdAt: now.addingTimeInterval(-30),
            targets: [:]
        )
        let plan = decide(
            observation([asg(["i-1": "Pending:Wait"])], deployments: [failedRelease]),
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        let created = plan.steps.compactMap { if case let .createDeployment(d) = $0 { d } else { nil } }
        #expect(created.map(\.revision) == [appV1])
        #expect(!plan.steps.contains { if case .setLastGood = $0 { true } else { false } })
    }
}
