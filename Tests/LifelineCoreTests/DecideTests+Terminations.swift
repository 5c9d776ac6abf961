import Foundation
import LifelineCore
import Testing

// MARK: The terminating hook (DESIGN §2, terminating_hook: true)

let terminatingPolicy = with(policy) { $0.terminatingHook = true }
let terminateHook = ObservedHook(
    name: group.terminateHookName,
    transition: "autoscaling:EC2_INSTANCE_TERMINATING",
    heartbeatTimeout: 300,
    defaultResult: "CONTINUE",
    notificationTargetARN: queue,
    metadata: "shop/prod"
)

/// A deployment of someone's that runs on i-1 (and on i-2, already done).
func release(_ onInstance: String) -> ObservedDeployment {
    ObservedDeployment(
        id: "d-release",
        status: "InProgress",
        revision: appV1,
        createdAt: now.addingTimeInterval(-60),
        targets: ["i-1": onInstance, "i-2": "Succeeded"]
    )
}

func terminating(_ instance: String, beat: Double? = nil) -> LifecycleAction {
    with(action(instance, state: .deploying, beat: beat)) {
        $0.hookName = group.terminateHookName
        $0.transition = "autoscaling:EC2_INSTANCE_TERMINATING"
        $0.token = "instance:\(instance)/\(group.terminateHookName)"
    }
}

let terminationCases: [DecideCase] = [
    DecideCase(
        name: "terminating hook: missing on a covered group, it is installed beside the launch hook",
        observation: observation([asg(["i-1": "InService"])]),
        journal: journal([]),
        policy: terminatingPolicy,
        expect: ["put-hook shop-asg/lifeline-terminate-prod"],
        never: ["complete"]
    ),
    DecideCase(
        name: "scales in while a deployment to it runs: held, heartbeated at once, not completed",
        observation: observation(
            [asg(["i-1": "Terminating:Wait", "i-2": "InService"], hooks: [lifelineHook, terminateHook])],
            deployments: [release("InProgress")]
        ),
        journal: journal([]),
        policy: terminatingPolicy,
        expect: ["adopt i-1", "heartbeat i-1"],
        never: ["complete"],
        note: "i-1 terminates after deployment d-release ends on it",
        pending: true
    ),
    DecideCase(
        name: "its target still Pending: held too (terminating it would fail the deployment)",
        observation: observation(
            [asg(["i-1": "Terminating:Wait"], hooks: [lifelineHook, terminateHook])],
            deployments: [release("Pending")]
        ),
        journal: journal([terminating("i-1", beat: 30)]),
        policy: terminatingPolicy,
        expect: [],
        never: ["complete", "close"]
    ),
    DecideCase(
        name: "the deployment on it has ended: continued",
        observation: observation(
            [asg(["i-1": "Terminating:Wait"], hooks: [lifelineHook, terminateHook])],
            deployments: [release("Succeeded")]
        ),
        journal: journal([terminating("i-1", beat: 30)]),
        policy: terminatingPolicy,
        expect: ["complete CONTINUE i-1"],
        never: ["heartbeat"]
    ),
    DecideCase(
        name: "nothing in flight to it: continued at once",
        observation: observation([asg(["i-1": "Terminating:Wait"], hooks: [lifelineHook, terminateHook])]),
        journal: journal([]),
        policy: terminatingPolicy,
        expect: ["adopt i-1", "complete CONTINUE i-1"],
        never: ["heartbeat", "create-deployment"]
    ),
    DecideCase(
        name: "past its wait (Terminating:Proceed): its action is closed",
        observation: observation([asg(["i-1": "Terminating:Proceed"], hooks: [lifelineHook, terminateHook])]),
        journal: journal([terminating("i-1")]),
        policy: terminatingPolicy,
        expect: ["close i-1"],
        never: ["complete", "create-deployment"]
    ),
    DecideCase(
        name: "without terminating_hook, an instance scaling in is none of lifeline's business",
        observation: observation([asg(["i-1": "Terminating:Wait"], hooks: [lifelineHook, terminateHook])]),
        journal: journal([]),
        expect: [],
        never: ["adopt", "complete", "put-hook shop-asg/lifeline-terminate-prod"]
    ),
]
