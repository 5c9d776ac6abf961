import Foundation
import LifelineCore
import Testing

@testable import LifelineStore

/// The reads a pass makes for all of its groups at once, and the drift check's verified hooks.
extension JournalContractTests {
    @Test("many groups' deployments and last good revisions come in one read each", arguments: JournalKind.allCases)
    func groupReads(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        let groups = (0..<600).map { "app/g\($0)" }  // more than one slice of the IN list
        for (n, group) in groups.enumerated() where n % 2 == 0 {
            try await journal.setLastGoodRevision(
                LastGoodRevision(deploymentGroup: group, revision: revision, deploymentID: "d-\(n)", recordedAt: t0)
            )
            for age in [0.0, 60] {
                try await journal.recordDeployment(
                    DeploymentRecord(
                        id: "d-\(n)-\(Int(age))",
                        deploymentGroup: group,
                        revision: revision,
                        instances: ["i-\(n)"],
                        status: "Succeeded",
                        createdAt: t0.addingTimeInterval(age)
                    )
                )
            }
        }
        let asked = groups + ["app/unknown"]
        let revisions = try await journal.lastGoodRevisions(deploymentGroups: asked)
        #expect(revisions.count == 300)
        #expect(revisions["app/g598"]?.deploymentID == "d-598")
        #expect(revisions["app/g1"] == nil)
        let deployments = try await journal.deployments(deploymentGroups: asked, since: t0)
        #expect(deployments.count == 300)
        #expect(deployments["app/g598"]?.map(\.id) == ["d-598-60", "d-598-0"], "newest first")
        #expect(deployments["app/g3"] == nil)
    }

    @Test(
        "a pass reads the deployment records since a time, and the active ones however old",
        arguments: JournalKind.allCases
    )
    func recentDeployments(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        for (id, age, status) in [
            ("old-done", -7200.0, "Succeeded"), ("old-running", -7200, "InProgress"), ("edge", -3600, "Failed"),
            ("new", 0, "Succeeded"), ("other-group", 0, "Succeeded"),
        ] {
            try await journal.recordDeployment(
                DeploymentRecord(
                    id: id,
                    deploymentGroup: id == "other-group" ? "shop/other" : "shop/prod",
                    revision: revision,
                    instances: ["i-1"],
                    status: status,
                    createdAt: t0.addingTimeInterval(age)
                )
            )
        }
        let recent = try await journal.deployments(deploymentGroups: ["shop/prod"], since: t0.addingTimeInterval(-3600))
        #expect(recent.keys.sorted() == ["shop/prod"])
        #expect(recent["shop/prod"]?.map(\.id) == ["new", "edge", "old-running"])
    }

    @Test(
        "a created deployment's outcome marks its instances' waiting actions deploying, and no other action",
        arguments: JournalKind.allCases
    )
    func outcomeMarksDeploying(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        _ = try await journal.recordActions([
            action("tok-1", instance: "i-1"), action("tok-2", instance: "i-2"),
            action("tok-3", instance: "i-3"), action("tok-4", instance: "i-4", state: .completing),
        ])
        let intent = try await journal.beginIntent(
            Intent(kind: .createDeployment, deploymentGroup: "shop/prod", payload: "{}", createdAt: t0)
        )
        try await journal.finishIntent(
            id: intent.id!,
            outcome: .done,
            detail: "d-1",
            at: t0,
            action: nil,
            deployment: DeploymentRecord(
                id: "d-1",
                deploymentGroup: "shop/prod",
                revision: revision,
                instances: ["i-1", "i-2", "i-4", "i-9"],
                status: "Created",
                createdAt: t0
            )
        )
        let states = try await journal.actions(instanceIDs: ["i-1", "i-2", "i-3", "i-4"]).map { ($0.token, $0.state) }
        #expect(states.map(\.0) == ["tok-1", "tok-2", "tok-3", "tok-4"])
        #expect(states.map(\.1) == [.deploying, .deploying, .waiting, .completing])
        #expect(try await journal.action(token: "tok-1")?.version == 2, "a change is a new version")
        #expect(try await journal.deployment(id: "d-1")?.instances == ["i-1", "i-2", "i-4", "i-9"])
    }

    @Test(
        "verified hooks are kept per Auto Scaling group, replaced by a newer reading, and forgotten",
        arguments: JournalKind.allCases
    )
    func verifiedHooks(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        let hook = ObservedHook(name: "lifeline-launch-prod", heartbeatTimeout: 300, notificationTargetARN: "arn:q")
        try await journal.recordVerifiedHooks(["asg-a": [hook], "asg-b": []], at: t0)
        var changed = hook
        changed.heartbeatTimeout = 600
        try await journal.recordVerifiedHooks(["asg-a": [changed]], at: t0.addingTimeInterval(60))
        let read = try await journal.verifiedHooks(autoScalingGroups: ["asg-a", "asg-b", "asg-c"])
        #expect(read["asg-a"] == VerifiedHooks(hooks: [changed], checkedAt: t0.addingTimeInterval(60)))
        #expect(read["asg-b"] == VerifiedHooks(hooks: [], checkedAt: t0), "no hooks is a reading too")
        #expect(read["asg-c"] == nil)
        try await journal.forgetVerifiedHooks(autoScalingGroups: ["asg-a"])
        #expect(try await journal.verifiedHooks(autoScalingGroups: ["asg-a", "asg-b"]).keys.sorted() == ["asg-b"])
    }

    @Test(
        "a pass's bookkeeping: adopted actions, last good revisions, tracked deployments and intents in one write",
        arguments: JournalKind.allCases
    )
    func bookkeeping(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        _ = try await journal.recordActions([action("tok-known", instance: "i-0", messages: ["m-1"])])
        let before = try await journal.beginIntent(
            Intent(kind: .putHook, deploymentGroup: "shop/prod", payload: "{}", createdAt: t0)
        )
        let intents = try await journal.recordBookkeeping(
            actions: [action("tok-known", instance: "i-0", messages: ["m-2"]), action("tok-new", instance: "i-1")],
            lastGood: [
                LastGoodRevision(deploymentGroup: "shop/prod", revision: revision, deploymentID: "d-1", recordedAt: t0)
            ],
            deployments: [
                DeploymentRecord(
                    id: "d-1",
                    deploymentGroup: "shop/prod",
                    revision: revision,
                    instances: ["i-1"],
                    status: "InProgress",
                    createdAt: t0
                )
            ],
            intents: ["p-1", "p-2"].map { plan in
                Intent(
                    kind: .createDeployment,
                    deploymentGroup: "shop/prod",
                    planID: plan,
                    payload: "{}",
                    createdAt: t0
                )
            }
        )
        #expect(intents.map(\.planID) == ["p-1", "p-2"], "returned in order")
        #expect(intents.compactMap(\.id).count == 2 && intents.allSatisfy { $0.id! > before.id! })
        #expect(try await journal.openIntents().map(\.id) == [before.id] + intents.map(\.id), "open until finished")
        let known = try #require(try await journal.action(token: "tok-known"))
        #expect(known.messageIDs == ["m-1", "m-2"], "a known token keeps its state and gains the new message ids")
        #expect(try await journal.action(token: "tok-new")?.version == 1)
        #expect(try await journal.lastGoodRevision(deploymentGroup: "shop/prod")?.deploymentID == "d-1")
        #expect(try await journal.deployment(id: "d-1")?.status == "InProgress")
    }
}
