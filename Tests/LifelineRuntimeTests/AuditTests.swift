import Foundation
import LifelineCore
import LifelineRuntime
import Testing

private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let group = DeploymentGroupName(application: "shop", name: "prod")
private let queue = "arn:aws:sqs:us-east-1:123456789012:lifeline-events"
private let named = "CodeDeploy-managed-automatic-launch-deployment-hook-prod-1111"
private let appTag = TagFilter(key: "app", value: "shop")

/// Seed 004 after the fact: a ghost (detached, terminated, targeted since), a healthy member, a
/// new instance waiting, a leftover CodeDeploy hook, a breaker that opened, and a tag-matched
/// instance detached but running.
private func seed004() -> GroupAudit {
    let hooks = [
        ObservedHook(name: named, heartbeatTimeout: 600),
        ObservedHook(name: "CodeDeploy-managed-automatic-launch-deployment-hook-old-2222", heartbeatTimeout: 600),
    ]
    let stuck = ObservedDeployment(
        id: "d-STUCK",
        status: "InProgress",
        createdAt: now.addingTimeInterval(-300),
        targets: ["i-new": "Succeeded", "i-ghost": "InProgress"],
        targetsComplete: true
    )
    let o = Observation(
        deploymentGroup: group,
        queueARN: queue,
        autoScalingGroups: [
            ObservedAutoScalingGroup(
                name: "shop-prod",
                instances: ["i-live": "InService", "i-new": "Pending:Wait"],
                hooks: hooks
            )
        ],
        deployments: [stuck],
        ec2: [
            "i-ghost": MatchSet.Instance(id: "i-ghost", state: "terminated"),
            "i-new": MatchSet.Instance(id: "i-new", state: "running"),
        ],
        namedHooks: ["shop-prod": named],
        tagFilters: [appTag]
    )
    let breaker = BreakerState(
        deploymentGroup: "shop/prod",
        isOpen: true,
        openedAt: now.addingTimeInterval(-60),
        reason: "3 launch → failed deployment → ABANDON → relaunch cycles within 30m (threshold 3)",
        cycles: [now.addingTimeInterval(-900), now.addingTimeInterval(-500), now.addingTimeInterval(-100)],
        version: 4
    )
    let candidates = [
        MatchSet.Instance(
            id: "i-live",
            state: "running",
            tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]
        ),
        MatchSet.Instance(
            id: "i-new",
            state: "running",
            tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]
        ),
        MatchSet.Instance(
            id: "i-ghost",
            state: "terminated",
            tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"],
            stateChangedAt: now.addingTimeInterval(-1200)
        ),
        MatchSet.Instance(
            id: "i-old",
            state: "terminated",
            tags: ["app": "shop"],
            stateChangedAt: now.addingTimeInterval(-1000)
        ),
        MatchSet.Instance(
            id: "i-spare",
            state: "running",
            tags: ["app": "shop", "aws:autoscaling:groupName": "shop-prod"]
        ),
    ]
    let timeline = [
        TimelineEvent(
            at: now.addingTimeInterval(-1200),
            kind: .launch,
            subject: "i-a",
            detail: "launched; now terminated"
        ),
        TimelineEvent(
            at: now.addingTimeInterval(-1190),
            kind: .deployment,
            subject: "d-1",
            detail: "created by CodeDeploy's launch hook: s3://artifacts/app-1.zip"
        ),
        TimelineEvent(
            at: now.addingTimeInterval(-900),
            kind: .abandon,
            subject: "d-1",
            detail: "failed: CodeDeploy abandons the instances it held, and the group launches again"
        ),
        TimelineEvent(
            at: now.addingTimeInterval(-60),
            kind: .breaker,
            subject: "shop/prod",
            detail: "the loop breaker opens"
        ),
        TimelineEvent(
            at: now.addingTimeInterval(-59),
            kind: .continue,
            subject: "i-new",
            detail: "lifeline: the loop breaker is open"
        ),
    ]
    return GroupAudit.build(
        o,
        JournalView(breaker: breaker),
        candidates: candidates,
        history: DeploymentHistory(deployments: [
            .init(
                id: "d-STUCK",
                createdAt: now.addingTimeInterval(-300),
                revision: nil,
                targeted: ["i-new", "i-ghost"]
            ),
            .init(id: "d-OLD", createdAt: now.addingTimeInterval(-1100), revision: nil, targeted: ["i-old"]),
        ]),
        policy: GroupPolicy(mode: .supervise),
        timeline: timeline,
        now: now
    )
}

@Suite("audit")
struct AuditTests {
    @Test("the detach race's match set: the ghost is risky; one the last deployment passed over is harmless")
    func classification() {
        let audit = seed004()
        let classes = Dictionary(uniqueKeysWithValues: audit.matches.map { ($0.instanceID, $0.class) })
        #expect(
            classes == ["i-live": .healthy, "i-new": .pending, "i-ghost": .stale, "i-spare": .stale, "i-old": .stale]
        )
        let risks = Dictionary(
            uniqueKeysWithValues: audit.matches.compactMap { m in m.risk.map { (m.instanceID, $0) } }
        )
        #expect(risks == ["i-ghost": .risky, "i-spare": .risky, "i-old": .harmless])
        #expect(
            audit.matches.first { $0.instanceID == "i-old" }?.why
                == "terminated but still matched; deployment d-STUCK, created after it went, passed it over: "
                + "CodeDeploy has let it go"
        )
        #expect(audit.matches.first { $0.instanceID == "i-ghost" }?.since == now.addingTimeInterval(-1200))
        #expect(
            audit.matches.first { $0.instanceID == "i-spare" }?.why.hasPrefix(
                "detached from shop-prod but its tags still match"
            ) == true
        )
    }

    @Test("findings: stale instances, a stuck deployment, an orphan hook, the open breaker, each with its commands")
    func findings() {
        let findings = seed004().findings
        #expect(findings.map(\.kind) == [.orphanHook, .stale, .stale, .stuckDeployment, .breakerOpen])
        let orphan = findings[0]
        #expect(
            orphan.remedy == [
                "aws autoscaling delete-lifecycle-hook --auto-scaling-group-name shop-prod --lifecycle-hook-name "
                    + "CodeDeploy-managed-automatic-launch-deployment-hook-old-2222"
            ]
        )
        let stuck = findings.first { $0.kind == .stuckDeployment }!
        #expect(
            stuck.remedy == [
                "aws autoscaling complete-lifecycle-action --auto-scaling-group-name shop-prod "
                    + "--lifecycle-hook-name \(named) --instance-id i-new --lifecycle-action-result CONTINUE",
                "aws deploy stop-deployment --deployment-id d-STUCK",
            ]
        )
        let ghost = findings.first { $0.subject == "i-ghost" }!
        #expect(
            ghost.remedy.last
                == "aws deploy update-deployment-group --application-name shop --current-deployment-group-name prod "
                + "--ec2-tag-filters Key=lifeline:prod,Value=live-1800000000,Type=KEY_AND_VALUE"
        )
        #expect(
            ghost.remedy.first
                == "aws ec2 create-tags --resources i-live i-new --tags Key=lifeline:prod,Value=live-1800000000"
        )
    }

    @Test("drift: a named hook that is missing, two deployment-driving hooks, a lifeline hook that notifies elsewhere")
    func drift() {
        let lifeline = ObservedHook(
            name: group.hookName,
            heartbeatTimeout: 300,
            notificationTargetARN: "arn:aws:sqs:us-east-1:123456789012:other",
            roleARN: "arn:aws:iam::123456789012:role/r"
        )
        let o = Observation(
            deploymentGroup: group,
            queueARN: queue,
            autoScalingGroups: [
                ObservedAutoScalingGroup(
                    name: "a",
                    hooks: [lifeline, ObservedHook(name: named, heartbeatTimeout: 600)]
                ),
                ObservedAutoScalingGroup(name: "b", hooks: []),
            ],
            namedHooks: ["a": named, "b": "CodeDeploy-managed-automatic-launch-deployment-hook-prod-3333"]
        )
        let findings = GroupAudit.build(o, JournalView(), candidates: [], policy: GroupPolicy(mode: .own), now: now)
            .findings
        #expect(findings.map(\.kind) == [.doubleHooks, .hookTarget, .missingHook])
        #expect(
            findings[0].remedy == [
                "aws deploy update-deployment-group --application-name shop --current-deployment-group-name prod "
                    + "--auto-scaling-groups b"
            ]
        )
        #expect(
            findings[1].remedy.first?.contains(
                "--notification-target-arn \(queue) --role-arn arn:aws:iam::123456789012:role/r"
            ) == true
        )
        #expect(
            findings[2].remedy == [
                "aws deploy update-deployment-group --application-name shop --current-deployment-group-name prod "
                    + "--auto-scaling-groups a b"
            ]
        )
    }

    @Test("selection misses the breaker counted in its window are a finding, with the command that fixes it")
    func selectionMiss() {
        let o = Observation(
            deploymentGroup: group,
            autoScalingGroups: [ObservedAutoScalingGroup(name: "shop-prod", hooks: [])]
        )
        let breaker = BreakerState(
            deploymentGroup: "shop/prod",
            misses: [now.addingTimeInterval(-7200), now.addingTimeInterval(-300)]
        )
        let findings = GroupAudit.build(
            o,
            JournalView(breaker: breaker),
            candidates: [],
            policy: GroupPolicy(mode: .own),
            now: now
        ).findings.filter { $0.kind == .selectionMiss }
        #expect(findings.count == 1)
        #expect(findings.first?.detail.contains("selection misses instances of shop-prod: 1 time(s)") == true)
        #expect(
            findings.first?.remedy == [
                "aws deploy update-deployment-group --application-name shop --current-deployment-group-name prod "
                    + "--auto-scaling-groups shop-prod"
            ]
        )
        let none = GroupAudit.build(o, JournalView(), candidates: [], policy: GroupPolicy(mode: .own), now: now)
        #expect(!none.findings.contains { $0.kind == .selectionMiss })
    }

    @Test("a clean group has no findings; --only stale keeps the stale", arguments: [false, true])
    func clean(onlyStale: Bool) {
        let o = Observation(
            deploymentGroup: group,
            autoScalingGroups: [
                ObservedAutoScalingGroup(
                    name: "shop-prod",
                    instances: ["i-1": "InService"],
                    hooks: [ObservedHook(name: named, heartbeatTimeout: 600)]
                )
            ],
            namedHooks: ["shop-prod": named]
        )
        var report = AuditReport(
            generatedAt: now,
            groups: [
                GroupAudit.build(
                    o,
                    JournalView(),
                    candidates: [MatchSet.Instance(id: "i-1", state: "running")],
                    policy: GroupPolicy(mode: .supervise),
                    now: now
                )
            ]
        )
        #expect(!report.hasFindings)
        if onlyStale { report = report.onlyStale() }
        #expect(report.groups[0].matches.count == (onlyStale ? 0 : 1))
        #expect(AuditFormat.table.render(report).hasSuffix("clean"))
    }

    @Test("every format renders the detach race as its snapshot", arguments: AuditFormat.allCases)
    func snapshot(_ format: AuditFormat) throws {
        let report = AuditReport(generatedAt: now, groups: [seed004()])
        let rendered = format.render(report)
        let ext = ["table": "txt", "json": "json", "csv": "csv", "html": "html"][format.rawValue]!
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
            "Snapshots/audit.\(ext)"
        )
        if ProcessInfo.processInfo.environment["LIFELINE_RECORD_SNAPSHOTS"] == "1" {
            try rendered.write(to: path, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: path, encoding: .utf8)
        #expect(
            rendered == expected,
            "audit.\(ext) differs from its snapshot; LIFELINE_RECORD_SNAPSHOTS=1 rewrites it after a deliberate change"
        )
    }

    @Test("CSV quotes fields with commas, quotes and newlines")
    func csvQuoting() {
        let csv = AuditFormat.csv.render(AuditReport(generatedAt: now, groups: [seed004()]))
        let lines = csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(lines[0] == "deployment_group,row,subject,class,risk,detail,since,remedy")
        #expect(
            lines.contains {
                $0.hasPrefix("shop/prod,finding,shop/prod,breaker-open,,\"since 2027-01-15T07:59:00Z: 3 launch")
            },
            "a detail with a comma is quoted"
        )
        #expect(
            lines.contains {
                $0.hasPrefix(
                    "shop/prod,instance,i-ghost,stale,risky,terminated but still matched; an active deployment still "
                        + "waits on it,2027-01-15T07:40:00Z,"
                )
            }
        )
    }

    @Test("HTML escapes what it shows")
    func htmlEscapes() {
        var audit = seed004()
        audit.findings[0].detail = "<script>alert('x')</script>"
        let html = AuditFormat.html.render(AuditReport(generatedAt: now, groups: [audit]))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
    }
}
