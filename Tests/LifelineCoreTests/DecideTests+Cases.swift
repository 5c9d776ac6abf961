import Foundation
import LifelineCore

/// DESIGN §3's rules: heartbeats by the hook's own timeout, a deployment that has not started.
let firstRuleCases: [DecideCase] = [
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

let loopCases: [DecideCase] = [
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

func with<T>(_ value: T, _ change: (inout T) -> Void) -> T {
    var copy = value
    change(&copy)
    return copy
}
