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

let cases: [DecideCase] = [
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
            deployments: [
                ObservedDeployment(id: "d-1", status: "Succeeded", revision: appV1, targets: ["i-1": "Succeeded"])
            ]
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
        name: "lifeline's deployment succeeded without targeting the instance: one more deployment, not a CONTINUE",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [ObservedDeployment(id: "d-1", status: "Succeeded", revision: appV1, targets: [:])]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["create-deployment i-1"],
        never: ["complete"]
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
        name: "an instance its group does not list (yet) keeps its action: that alone is no evidence",
        observation: observation([asg([:])]),
        journal: journal([action("i-1", state: .deploying)]),
        expect: [],
        never: ["close", "complete"],
        pending: true
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

@Suite("decide")
struct DecideTests {
    @Test("each branch of decide", arguments: cases + loopCases + firstRuleCases + evidenceCases)
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
        arguments: cases + loopCases + firstRuleCases + evidenceCases
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
        evidenceInvariants(c, plan)
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
