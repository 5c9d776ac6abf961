import Foundation
import LifelineCore
import Testing

// MARK: AWS is the truth: actions close on evidence, CONTINUE only after the code is there

/// A deployment of lifeline's for i-1 that ended without targeting it.
func missed(_ id: String, age: Double) -> ObservedDeployment {
    ObservedDeployment(
        id: id,
        status: "Succeeded",
        revision: appV1,
        description: "lifeline:shop/prod:p-\(id)",
        createdAt: now.addingTimeInterval(-age),
        targets: ["i-0": "Succeeded"]
    )
}

let notOurs = ObservedDeployment(
    id: "d-release",
    status: "InProgress",
    revision: appV2,
    description: "release 2 by the release pipeline",
    createdAt: now.addingTimeInterval(-30),
    targets: ["i-1": "Succeeded", "i-ghost": "InProgress"],
    targetsComplete: true
)

let evidenceCases: [DecideCase] = [
    DecideCase(
        name: "not listed by its group and EC2 says terminated: closed",
        observation: with(observation([asg([:])])) {
            $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "terminated")]
        },
        journal: journal([action("i-1", state: .deploying)]),
        expect: ["close i-1"],
        never: ["complete", "heartbeat"]
    ),
    DecideCase(
        name: "unknown to EC2 and unlisted for longer than the grace period: closed",
        observation: with(observation([asg([:])])) { $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "unknown")] },
        journal: journal([action("i-1", age: 700, beat: 20)]),
        expect: ["close i-1"],
        never: ["complete"]
    ),
    DecideCase(
        name: "unknown to EC2 for less than the grace period: a launch EC2 does not show yet, kept and heartbeated",
        observation: with(observation([asg([:])])) { $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "unknown")] },
        journal: journal([action("i-1", age: 200)]),
        expect: ["heartbeat i-1"],
        never: ["close", "complete"],
        pending: true
    ),
    DecideCase(
        name: "past the wait (Pending:Proceed): closed",
        observation: observation([asg(["i-1": "Pending:Proceed"])]),
        journal: journal([action("i-1", state: .deploying)]),
        expect: ["close i-1"],
        never: ["complete"]
    ),
    DecideCase(
        name: "an instance that waits again after its action was finished is adopted again",
        observation: observation([asg(["i-1": "Pending:Wait"])]),
        journal: JournalView(finishedInstances: ["i-1"], lastGood: known.lastGood),
        expect: ["adopt i-1", "create-deployment i-1"]
    ),
    DecideCase(
        name: "two of lifeline's deployments ended without targeting the instance: on_failure, said, counted",
        observation: observation(
            [asg(["i-1": "Pending:Wait", "i-0": "InService"])],
            deployments: [missed("d-1", age: 600), missed("d-2", age: 120)]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 700, beat: 30)],
            deployments: [record("d-1", instances: ["i-1"]), record("d-2", instances: ["i-1"])]
        ),
        expect: ["breaker shop/prod", "complete ABANDON i-1"],
        never: ["create-deployment", "complete CONTINUE"],
        note: "the deployment group's selection misses instances of shop-asg"
    ),
    DecideCase(
        name: "its target succeeded with a revision that is not the last good one, in a failed deployment: on_failure",
        observation: observation(
            [asg(["i-1": "Pending:Wait"])],
            deployments: [
                ObservedDeployment(id: "d-1", status: "Failed", revision: appV2, targets: ["i-1": "Succeeded"])
            ]
        ),
        journal: journal([action("i-1", state: .deploying)], deployments: [record("d-1", instances: ["i-1"])]),
        expect: ["complete ABANDON i-1"],
        never: ["complete CONTINUE"]
    ),
    DecideCase(
        name: "the global timeout is near and the last good revision succeeded on the instance: CONTINUE",
        observation: observation(
            [asg(["i-1": "Pending:Wait", "i-2": "Pending:Wait"])],
            deployments: [
                ObservedDeployment(
                    id: "d-1",
                    status: "InProgress",
                    revision: appV1,
                    targets: ["i-1": "Succeeded", "i-2": "InProgress"]
                )
            ]
        ),
        journal: journal(
            [action("i-1", state: .deploying, age: 29_900, beat: 10)],
            deployments: [record("d-1", instances: ["i-1"])]
        ),
        expect: ["complete CONTINUE i-1"],
        never: ["complete ABANDON"]
    ),
    DecideCase(
        name: "own mode never stops a release someone else started, however gone its pending targets look",
        observation: with(observation([asg(["i-1": "Pending:Wait"])], deployments: [notOurs])) { $0.ec2 = ghostGone },
        journal: journal([action("i-1", state: .waiting, age: 200)]),
        expect: ["heartbeat i-1"],
        never: ["stop-deployment", "complete"],
        note: "lifeline did not create it"
    ),
    DecideCase(
        name: "with the loop breaker open, own mode stops even someone else's deployment that waits on ghosts",
        observation: with(observation([asg(["i-1": "Pending:Wait"])], deployments: [notOurs])) { $0.ec2 = ghostGone },
        journal: breakerJournal([action("i-1")], breaker: openBreaker),
        expect: ["stop-deployment d-release"]
    ),
    DecideCase(
        name: "supervise abandon-gone leaves an instance EC2 does not know (yet) alone",
        observation: with(observation([cdWaiting])) {
            $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "unknown")]
        },
        journal: JournalView(lastGood: known.lastGood),
        policy: GroupPolicy(mode: .supervise, pollInterval: 10, resyncInterval: 60, allow: [.abandonGone]),
        expect: [],
        never: ["complete"]
    ),
    DecideCase(
        name: "supervise abandon-gone abandons an instance EC2 shows shutting down",
        observation: with(observation([cdWaiting])) {
            $0.ec2 = ["i-1": MatchSet.Instance(id: "i-1", state: "shutting-down")]
        },
        journal: JournalView(lastGood: known.lastGood),
        policy: GroupPolicy(mode: .supervise, pollInterval: 10, resyncInterval: 60, allow: [.abandonGone]),
        expect: ["complete ABANDON i-1"]
    ),
]

/// The two invariants of "AWS is the truth", checked over every row of the table.
func evidenceInvariants(_ c: DecideCase, _ plan: Plan) {
    let breakerOpen =
        c.journal.breaker?.isOpen == true || plan.steps.contains { $0.summary.kind == "breaker open" }
    let nothingGood = c.observation.lastSuccessful == nil && c.journal.lastGood == nil
    for step in plan.steps {
        // A terminating action's CONTINUE lets an instance go, it puts nothing in service.
        guard case let .complete(action, result, _) = step, action.state != .completing,
            action.transition != "autoscaling:EC2_INSTANCE_TERMINATING"
        else { continue }
        let id = action.instanceID
        let targets = c.observation.deployments.compactMap { $0.targets?[id] }
        let ec2 = c.observation.ec2[id]?.state ?? ""
        switch result {
        case .continue:
            // No CONTINUE without a succeeded target of this instance (an open breaker, a group with
            // nothing good to deploy and a policy that continues on failure are the documented exceptions).
            #expect(
                targets.contains("Succeeded") || breakerOpen || nothingGood || c.policy.onFailure == .continue,
                "\(c.name): CONTINUE of \(id) without a succeeded target"
            )
        case .abandon:
            // No ABANDON before AWS's own deadline, unless AWS shows why: a target that did not succeed
            // with the last good revision, selection misses, the breaker, or EC2 ending the instance.
            let timeout = Double(action.heartbeatTimeout ?? c.policy.heartbeatTimeout)
            let atDeadline = action.globalDeadline.map { now >= $0.addingTimeInterval(-timeout / 2) } ?? false
            let evidence =
                targets.contains { $0 != "Succeeded" }
                || c.observation.deployments.contains { $0.targets?[id] == "Succeeded" && $0.revision != appV1 }
                || c.observation.deployments.filter { !$0.isActive && $0.targets?[id] == nil }.count >= 2
                || breakerOpen || ["terminated", "shutting-down"].contains(ec2)
            #expect(evidence || atDeadline, "\(c.name): ABANDON of \(id) before AWS's deadline, with no evidence")
        }
    }
}

@Suite("decide: times from AWS, not from a message")
struct SeenWaitingTests {
    let launch = now.addingTimeInterval(-100)

    func seen(launched: Date?, claimed: Date?) -> LifecycleAction {
        LifecycleAction.seenWaiting(
            token: "tok",
            instanceID: "i-1",
            hookName: group.hookName,
            heartbeatTimeout: 300,
            autoScalingGroup: "shop-asg",
            deploymentGroup: "shop/prod",
            launched: launched,
            claimed: claimed,
            now: now
        )
    }

    @Test("an old Time cannot bring the global deadline before the launch's")
    func oldTime() {
        let action = seen(launched: launch, claimed: now.addingTimeInterval(-86_400))
        #expect(action.globalDeadline == launch.addingTimeInterval(30_000))
    }

    @Test("a Time in the future counts as now; the heartbeat clock starts at the launch whatever the Time")
    func futureTime() {
        let action = seen(launched: launch, claimed: now.addingTimeInterval(3600))
        #expect(action.globalDeadline == now.addingTimeInterval(30_000))
        #expect(HeartbeatSchedule.nextDue(action, timeout: 300) == launch.addingTimeInterval(150))
    }

    @Test("without a launch time: the wait starts when lifeline saw it, and the first heartbeat is due at once")
    func noLaunch() {
        let action = seen(launched: nil, claimed: now.addingTimeInterval(-86_400))
        #expect(action.globalDeadline == now.addingTimeInterval(30_000))
        #expect(HeartbeatSchedule.nextDue(action, timeout: 300) <= now)
    }

    @Test("adopted again under a fresh key; its times come from the launch")
    func adoptedAgain() throws {
        let plan = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) { $0.launchTimes = ["i-1": launch] },
            JournalView(finishedInstances: ["i-1"], lastGood: known.lastGood),
            now: now,
            policy: policy
        )
        let adopted = try #require(plan.steps.compactMap { if case let .adopt(a, _) = $0 { a } else { nil } }.first)
        #expect(adopted.token != LifecycleAction.instanceToken("i-1", hook: group.hookName) && adopted.hasInstanceToken)
        #expect(adopted.firstSeen == launch && adopted.globalDeadline == launch.addingTimeInterval(30_000))
    }

    @Test("selection misses are kept in the breaker, dated by the second deployment that missed")
    func missesCount() throws {
        let plan = decide(
            observation(
                [asg(["i-1": "Pending:Wait"])],
                deployments: [missed("d-1", age: 600), missed("d-2", age: 120)]
            ),
            journal(
                [action("i-1", state: .deploying, age: 700, beat: 30)],
                deployments: [record("d-1", instances: ["i-1"]), record("d-2", instances: ["i-1"])]
            ),
            now: now,
            policy: policy
        )
        let saved = try #require(plan.steps.compactMap { if case let .saveBreaker(b, _) = $0 { b } else { nil } }.first)
        #expect(saved.misses == [now.addingTimeInterval(-120)])
        // With two loop cycles in the window already, this miss is the third: the breaker opens.
        var loops = journal(
            [action("i-1", state: .deploying, age: 700, beat: 30)],
            deployments: [record("d-1", instances: ["i-1"]), record("d-2", instances: ["i-1"])]
        )
        loops.breaker = BreakerState(
            deploymentGroup: "shop/prod",
            cycles: [now.addingTimeInterval(-900), now.addingTimeInterval(-600)],
            version: 1
        )
        let opening = decide(
            observation(
                [asg(["i-1": "Pending:Wait"])],
                deployments: [missed("d-1", age: 600), missed("d-2", age: 120)]
            ),
            loops,
            now: now,
            policy: policy
        )
        #expect(opening.steps.contains { $0.summary.kind == "breaker open" })
    }

    @Test("instances that wait unreported are adopted in the order of their ids, whatever the answer's order")
    func adoptedInOrder() {
        let waiting = ["i-30", "i-4", "i-1b", "i-07", "i-2"]
        let plan = decide(
            observation([asg(Dictionary(uniqueKeysWithValues: waiting.map { ($0, "Pending:Wait") }))]),
            known,
            now: now,
            policy: policy
        )
        let adopted = plan.steps.compactMap { if case let .adopt(action, _) = $0 { action.instanceID } else { nil } }
        #expect(adopted == waiting.sorted())
    }
}
