import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Testing

@testable import LifelineRuntime

@Suite("observer: every group's reads, batched at the APIs' limits")
struct ObserverTests {
    func observe(
        _ account: FakeAccount,
        _ journal: any Journal = InMemoryJournal(),
        groups: [LifelineConfig.ManagedGroup]
    ) async throws -> [Observer.Seen] {
        let observed = try await Observer(aws: account.services, journal: journal, now: { Date() })
            .observe(groups, queueARN: nil)
        #expect(observed.failures.isEmpty)
        return observed.seen
    }

    @Test("three groups of one application cost one BatchGetDeploymentGroups and one DescribeAutoScalingGroups")
    func batched() async throws {
        let account = FakeAccount.fleet(["a": ["i-a"], "b": [], "c": ["i-c"]])
        let seen = try await observe(account, groups: FakeAccount.managed("a", "b", "c"))
        #expect(seen.map(\.observation.deploymentGroup.name) == ["a", "b", "c"])
        #expect(account.calls("BatchGetDeploymentGroups") == ["BatchGetDeploymentGroups shop/a,b,c"])
        #expect(account.calls("DescribeAutoScalingGroups").count == 1)
        #expect(
            account.calls("DescribeLifecycleHooks").sorted() == [
                "DescribeLifecycleHooks shop-a", "DescribeLifecycleHooks shop-b", "DescribeLifecycleHooks shop-c",
            ]
        )
        // Each tag filter selects its own group only.
        #expect(seen.map { $0.observation.autoScalingGroups.map(\.name) } == [["shop-a"], ["shop-b"], ["shop-c"]])
    }

    @Test("an Auto Scaling group's tag selects it for a deployment group only when it propagates at launch")
    func onlyPropagatedTagsMatch() async throws {
        let account = FakeAccount.fleet(["a": ["i-a"], "b": ["i-b"]])
        account.update { state in
            // shop-b carries group=b, but its instances do not: the deployment group selects none of them.
            state.groups[1].propagatedTags = [:]
        }
        let seen = try await observe(account, groups: FakeAccount.managed("a", "b"))
        #expect(seen.map { $0.observation.autoScalingGroups.map(\.name) } == [["shop-a"], []])
    }

    @Test("launch times are read only for waiting instances the journal does not know, in one call")
    func launchTimesOnlyForUnknown() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(
            LifecycleAction(
                token: "tok-1",
                instanceID: "i-1",
                hookName: "lifeline-launch-prod",
                autoScalingGroup: "shop-prod",
                deploymentGroup: "shop/prod",
                firstSeen: Date()
            )
        )
        let seen = try await observe(account, journal, groups: FakeAccount.managed("prod"))
        #expect(account.calls("DescribeInstances") == ["DescribeInstances i-2"])
        #expect(seen[0].observation.launchTimes.keys.sorted() == ["i-2"])
        #expect(seen[0].journal.knownInstances == ["i-1"])
    }

    @Test("a waiting instance's deployment records are read back 49 hours, not the group's whole history")
    func recentRecordsOnly() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let now = Date()
        // Oldest first: the last one started is the group's last attempted deployment.
        for (id, age) in [("d-old", 3 * 86_400.0), ("d-recent", 3_600)] {
            // Succeeded: the loop scan reads failed deployments of its own accord.
            account.startDeployment(id, group: "prod", status: "Succeeded", targets: ["i-1": "Succeeded"])
            try await journal.recordDeployment(
                DeploymentRecord(
                    id: id,
                    deploymentGroup: "shop/prod",
                    revision: Revision(FakeAccount.revision),
                    instances: ["i-1"],
                    status: "Succeeded",
                    createdAt: now.addingTimeInterval(-age)
                )
            )
        }
        let seen = try await observe(account, journal, groups: FakeAccount.managed("prod"))
        #expect(seen[0].journal.deployments.map(\.id) == ["d-recent"])
        #expect(account.calls("BatchGetDeployments").allSatisfy { !$0.contains("d-old") })
    }

    @Test(
        "a running deployment's targets: all of them where lifeline may stop it, else only the waiting instances'",
        arguments: [
            // Own mode stops only its own deployments (while the breaker is closed).
            (GroupPolicy.Mode.own, "lifeline:shop/prod:p-1" as String?, true), (.own, nil, false),
            (.supervise, nil, false),
        ]
    )
    func targetsOnlyWhereNeeded(mode: GroupPolicy.Mode, description: String?, everyTarget: Bool) async throws {
        let account = FakeAccount.fleet(["prod": ["i-new"]])
        let targets = ["i-old-1": "Succeeded", "i-old-2": "InProgress", "i-new": "Pending"]
        account.startDeployment(
            "d-user",
            group: "prod",
            description: description,
            status: "InProgress",
            targets: targets
        )
        var groups = FakeAccount.managed("prod")
        groups[0].policy.mode = mode
        let seen = try await observe(account, groups: groups)
        let deployment = try #require(seen[0].observation.deployments.first)
        #expect(deployment.id == "d-user" && deployment.isActive)
        #expect(deployment.targets == (everyTarget ? targets : ["i-new": "Pending"]))
        #expect(deployment.targetsComplete == everyTarget)
        #expect(account.calls("ListDeploymentTargets").count == (everyTarget ? 1 : 0))
    }

    @Test("a deployment group CodeDeploy does not know is observed as not existing, the others as usual")
    func unknownGroup() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let seen = try await observe(account, groups: FakeAccount.managed("prod", "nope"))
        #expect(seen.map(\.observation.exists) == [true, false])
        #expect(seen[0].observation.autoScalingGroups.first?.instances == ["i-1": "Pending:Wait"])
    }
}
