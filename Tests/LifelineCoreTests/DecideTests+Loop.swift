import Foundation
import LifelineCore

/// The reconcile loop's main branches (DESIGN §4): hooks, adoption, deployments, completion, heartbeats.
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
