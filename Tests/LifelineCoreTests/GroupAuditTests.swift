import Foundation
import LifelineCore
import Testing

// `now` and `group` (shop/prod) are DecideFixtures'.
private let v1 = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app-1.zip", bundleType: "zip"))
private let v3 = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app-3.zip", bundleType: "zip"))
private let appTag = TagFilter(key: "app", value: "shop")
private let memberTags = ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]

/// One audit of shop/prod, and what an SRE reading it must see.
struct AuditCase: Sendable, CustomTestStringConvertible {
    var name: String
    var members: [String: String] = ["i-live": "InService"]
    var candidates: [MatchSet.Instance] = [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags)]
    /// Default: the release a day ago that put the last good revision on i-live.
    var history = DeploymentHistory(deployments: [
        deployment("d-last", ago: 86_400, targeted: ["i-live"], succeeded: ["i-live"])
    ])
    var tagSet: [[TagFilter]] = []
    var hooks: [ObservedHook] = []
    var launchTimes: [String: Date] = [:]
    var openActions: [LifecycleAction] = []
    var journalLastGood: Revision? = nil
    var mode: GroupPolicy.Mode = .supervise
    // Expected:
    var classes: [String: MatchSet.Class]
    var risks: [String: MatchSet.Risk] = [:]
    var findings: [Finding.Kind] = []
    /// Instance → words its entry's why must hold.
    var why: [String: String] = [:]
    /// Words the last command of the first finding's remedy must hold.
    var remedy: String? = nil

    var testDescription: String { name }

    func audit() -> GroupAudit {
        let observation = Observation(
            deploymentGroup: group,
            autoScalingGroups: [ObservedAutoScalingGroup(name: "shop-prod", instances: members, hooks: hooks)],
            lastSuccessful: ObservedDeployment(id: "d-last", status: "Succeeded", revision: v3),
            launchTimes: launchTimes,
            tagFilters: tagSet.isEmpty ? [appTag] : [],
            tagSet: tagSet
        )
        return GroupAudit.build(
            observation,
            JournalView(
                openActions: openActions,
                lastGood: journalLastGood.map {
                    LastGoodRevision(deploymentGroup: "shop/prod", revision: $0, deploymentID: nil, recordedAt: now)
                }
            ),
            candidates: candidates,
            history: history,
            policy: GroupPolicy(mode: mode),
            now: now
        )
    }
}

private func ghost(_ state: String = "terminated", wentAgo: TimeInterval = 120) -> MatchSet.Instance {
    MatchSet.Instance(id: "i-ghost", state: state, tags: memberTags, stateChangedAt: now.addingTimeInterval(-wentAgo))
}

private func deployment(
    _ id: String,
    ago: TimeInterval,
    revision: Revision? = v3,
    targeted: Set<String>,
    succeeded: Set<String> = [],
    outdatedOnly: Bool = false
) -> DeploymentHistory.Deployment {
    DeploymentHistory.Deployment(
        id: id,
        createdAt: now.addingTimeInterval(-ago),
        revision: revision,
        targeted: targeted,
        statuses: Dictionary(uniqueKeysWithValues: succeeded.map { ($0, "Succeeded") }),
        outdatedOnly: outdatedOnly
    )
}

private func action(_ instance: String, seen: TimeInterval, beat: TimeInterval?) -> LifecycleAction {
    LifecycleAction(
        token: "instance:\(instance)/\(group.hookName)",
        instanceID: instance,
        hookName: group.hookName,
        autoScalingGroup: "shop-prod",
        deploymentGroup: "shop/prod",
        firstSeen: now.addingTimeInterval(-seen),
        lastHeartbeat: beat.map { now.addingTimeInterval(-$0) },
        state: .deploying,
        heartbeatTimeout: 300
    )
}

let auditCases: [AuditCase] = [
    AuditCase(
        name: "a detached ghost before any deployment is stale and risky: the next deployment may target it",
        candidates: [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags), ghost()],
        classes: ["i-live": .healthy, "i-ghost": .stale],
        risks: ["i-ghost": .risky],
        findings: [.stale],
        why: ["i-ghost": "no deployment since it went: the next one may target it (seed 004)"],
        remedy: "--ec2-tag-filters Key=lifeline:prod,Value=live-1800000000,Type=KEY_AND_VALUE"
    ),
    AuditCase(
        name: "a ghost a deployment targeted after it went is risky, naming that deployment",
        candidates: [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags), ghost()],
        history: DeploymentHistory(deployments: [
            deployment("d-9", ago: 60, targeted: ["i-live", "i-ghost"], succeeded: ["i-live"])
        ]),
        classes: ["i-live": .healthy, "i-ghost": .stale],
        risks: ["i-ghost": .risky],
        findings: [.stale],
        why: ["i-ghost": "deployment d-9, created after it went, still targeted it; the next one will too"]
    ),
    AuditCase(
        name: "an instance a user stopped is stale and risky: CodeDeploy targets it and fails",
        members: ["i-live": "InService", "i-stopped": "InService"],
        candidates: [
            MatchSet.Instance(id: "i-live", state: "running", tags: memberTags),
            MatchSet.Instance(
                id: "i-stopped",
                state: "stopped",
                tags: memberTags,
                stateChangedAt: now.addingTimeInterval(-30)
            ),
        ],
        history: DeploymentHistory(deployments: [
            deployment("d-9", ago: 600, targeted: ["i-live", "i-stopped"], succeeded: ["i-live", "i-stopped"])
        ]),
        classes: ["i-live": .healthy, "i-stopped": .stale],
        risks: ["i-stopped": .risky],
        findings: [.stale],
        why: ["i-stopped": "stopped but still matched; CodeDeploy targets a stopped instance"]
    ),
    AuditCase(
        name:
            "after a user's release succeeded on every instance, nothing is outdated (lifeline's own record is older)",
        members: ["i-1": "InService", "i-2": "InService"],
        candidates: [
            MatchSet.Instance(id: "i-1", state: "running", tags: memberTags),
            MatchSet.Instance(id: "i-2", state: "running", tags: memberTags),
        ],
        history: DeploymentHistory(deployments: [
            deployment("d-user-v3", ago: 600, targeted: ["i-1", "i-2"], succeeded: ["i-1", "i-2"]),
            deployment("d-lifeline-v1", ago: 7200, revision: v1, targeted: ["i-1", "i-2"], succeeded: ["i-1", "i-2"]),
        ]),
        journalLastGood: v1,
        classes: ["i-1": .healthy, "i-2": .healthy],
        why: ["i-1": "runs s3://b/app-3.zip (zip) (d-user-v3)"]
    ),
    AuditCase(
        name: "an instance whose newest success was an older revision is outdated, naming both",
        members: ["i-1": "InService"],
        candidates: [MatchSet.Instance(id: "i-1", state: "running", tags: memberTags)],
        history: DeploymentHistory(deployments: [
            deployment("d-v3", ago: 600, targeted: ["i-1"]),
            deployment("d-v1", ago: 7200, revision: v1, targeted: ["i-1"], succeeded: ["i-1"]),
        ]),
        classes: ["i-1": .outdated],
        why: ["i-1": "runs s3://b/app-1.zip (zip) (d-v1), not s3://b/app-3.zip (zip)"]
    ),
    AuditCase(
        name: "a walk that stopped at its bound before an instance resolved says unknown, not outdated",
        members: ["i-1": "InService"],
        candidates: [MatchSet.Instance(id: "i-1", state: "running", tags: memberTags)],
        history: DeploymentHistory(deployments: [deployment("d-x", ago: 60, targeted: [])], complete: false),
        classes: ["i-1": .unknown],
        why: ["i-1": "the walk stopped after the newest 1 deployment(s) before finding what it runs"]
    ),
    AuditCase(
        name: "a tag-set group's re-key keeps its tag groups and adds one with the new tag",
        candidates: [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags), ghost()],
        tagSet: [[appTag]],
        classes: ["i-live": .healthy, "i-ghost": .stale],
        risks: ["i-ghost": .risky],
        findings: [.stale],
        remedy:
            "--ec2-tag-set '{\"ec2TagSetList\":[[{\"Key\":\"app\",\"Type\":\"KEY_AND_VALUE\",\"Value\":\"shop\"}],"
            + "[{\"Key\":\"lifeline:prod\",\"Type\":\"KEY_AND_VALUE\",\"Value\":\"live-1800000000\"}]]}'"
    ),
    AuditCase(
        name: "an instance of a group whose matching tag does not propagate is not matched",
        candidates: [
            MatchSet.Instance(id: "i-live", state: "running", tags: memberTags),
            // Its group carries app=shop without PropagateAtLaunch, so the observer does not cover
            // the group, and EC2 shows the instance without the tag.
            MatchSet.Instance(id: "i-batch", state: "running", tags: ["aws:autoscaling:groupName": "shop-batch"]),
        ],
        classes: ["i-live": .healthy]
    ),
    AuditCase(
        name:
            "a terminated instance a later full deployment passed over is harmless; an outdated-only one says nothing",
        candidates: [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags), ghost(wentAgo: 600)],
        history: DeploymentHistory(deployments: [
            deployment("d-outdated-only", ago: 100, targeted: [], outdatedOnly: true),
            deployment("d-full", ago: 300, targeted: ["i-live"], succeeded: ["i-live"]),
        ]),
        classes: ["i-live": .healthy, "i-ghost": .stale],
        risks: ["i-ghost": .harmless],
        why: ["i-ghost": "deployment d-full, created after it went, passed it over: CodeDeploy has let it go"]
    ),
    AuditCase(
        name: "waiting on lifeline's hook with no heartbeat for over half its timeout is a finding; a fresh one is not",
        members: [
            "i-live": "InService", "i-stale-beat": "Pending:Wait", "i-new": "Pending:Wait", "i-lost": "Pending:Wait",
            "i-beat": "Pending:Wait",
        ],
        candidates: [MatchSet.Instance(id: "i-live", state: "running", tags: memberTags)],
        hooks: [ObservedHook(name: group.hookName, heartbeatTimeout: 300)],
        launchTimes: ["i-new": now.addingTimeInterval(-100), "i-lost": now.addingTimeInterval(-1000)],
        openActions: [action("i-stale-beat", seen: 400, beat: 200), action("i-beat", seen: 400, beat: 60)],
        mode: .own,
        classes: [
            "i-live": .healthy, "i-stale-beat": .pending, "i-new": .pending, "i-lost": .pending, "i-beat": .pending,
        ],
        findings: [.unattendedWait, .unattendedWait]
    ),
]

@Suite("group audit")
struct GroupAuditTests {
    @Test("each instance's class, risk and evidence, and the findings", arguments: auditCases)
    func row(_ c: AuditCase) {
        let audit = c.audit()
        #expect(Dictionary(uniqueKeysWithValues: audit.matches.map { ($0.instanceID, $0.class) }) == c.classes)
        #expect(
            Dictionary(uniqueKeysWithValues: audit.matches.compactMap { m in m.risk.map { (m.instanceID, $0) } })
                == c.risks
        )
        #expect(audit.findings.map(\.kind) == c.findings)
        for (instance, words) in c.why {
            let why = audit.matches.first { $0.instanceID == instance }?.why ?? ""
            #expect(why.contains(words), "\(instance): \(why)")
        }
        if let remedy = c.remedy {
            #expect(
                audit.findings.first?.remedy.last?.contains(remedy) == true,
                "\(audit.findings.first?.remedy ?? [])"
            )
        }
        // Invariants: a stale instance always says how risky it is, nothing else does; only a risky
        // one is a finding.
        for match in audit.matches { #expect((match.class == .stale) == (match.risk != nil)) }
        for finding in audit.findings where finding.kind == .stale {
            #expect(audit.matches.first { $0.instanceID == finding.subject }?.risk == .risky)
        }
    }

    @Test("an unattended wait names its evidence, when the action runs out, and the heartbeat that buys time")
    func unattendedDetail() {
        let audit = auditCases.last!.audit()
        #expect(audit.findings.map(\.subject) == ["i-lost", "i-stale-beat"])
        let lost = audit.findings[0]
        #expect(lost.detail.contains("the journal has no action for it, and it launched at 2027-01-15T07:43:20Z"))
        #expect(lost.detail.contains("lifeline is not running, or cannot reach this group"))
        #expect(lost.detail.hasSuffix("runs out now with ABANDON"))
        #expect(audit.findings[1].detail.contains("runs out at about 2027-01-15T08:01:40Z with ABANDON"))
        #expect(
            lost.remedy == [
                "aws autoscaling record-lifecycle-action-heartbeat --auto-scaling-group-name shop-prod "
                    + "--lifecycle-hook-name lifeline-launch-prod --instance-id i-lost",
                "lifeline reconcile --group shop/prod",
            ]
        )
    }
}
