import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

/// Actions close on AWS's evidence, and an instance that waits again is adopted again (issue 13),
/// through the observer's reads and the executor, over an in-memory account and journal.
@Suite("reconciler: actions close on evidence")
struct EvidenceTests {
    func pass(_ account: FakeAccount, _ journal: any Journal) async throws -> Reconciler.PassReport {
        try await Reconciler(
            aws: account.services,
            journal: journal,
            groups: FakeAccount.managed("prod"),
            queueURL: nil,
            logger: Logger(label: "test")
        ).pass()
    }

    func finished(_ instance: String, closed: Date) -> LifecycleAction {
        LifecycleAction(
            token: "tok-old-\(instance)",
            instanceID: instance,
            hookName: "lifeline-launch-prod",
            autoScalingGroup: "shop-prod",
            deploymentGroup: "shop/prod",
            firstSeen: closed.addingTimeInterval(-600),
            state: .completed,
            result: .continue,
            heartbeatTimeout: 300,
            closedAt: closed
        )
    }

    @Test("an instance that waits again long after its action was finished is adopted again, under a new key")
    func adoptedAgain() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(finished("i-1", closed: Date().addingTimeInterval(-3600)))
        _ = try await pass(account, journal)
        let open = try await journal.openActions()
        #expect(open.count == 1 && open[0].instanceID == "i-1" && open[0].token != "tok-old-i-1")
        #expect(account.calls("CreateDeployment").count == 1)
        #expect(try await journal.action(token: "tok-old-i-1")?.state == .completed, "the old record is kept")
    }

    @Test("an instance Auto Scaling still shows waiting a moment after lifeline completed it is left alone")
    func notAdoptedRightAfter() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(finished("i-1", closed: Date().addingTimeInterval(-10)))
        _ = try await pass(account, journal)
        #expect(try await journal.openActions().isEmpty)
        #expect(account.calls("CreateDeployment").isEmpty)
    }

    @Test("found by the resync on a group two deployment groups cover: one action per hook, each its own group's")
    func sharedGroupAdoption() async throws {
        let account = FakeAccount.sharedWithCanary(["i-1"])
        let journal = InMemoryJournal()
        _ = try await Reconciler(
            aws: account.services,
            journal: journal,
            groups: FakeAccount.managed("prod", "canary"),
            queueURL: nil,
            logger: Logger(label: "test")
        ).pass()
        let open = try await journal.openActions().sorted { $0.hookName < $1.hookName }
        #expect(open.map(\.instanceID) == ["i-1", "i-1"])
        #expect(open.map(\.hookName) == ["lifeline-launch-canary", "lifeline-launch-prod"])
        #expect(open.map(\.deploymentGroup) == ["shop/canary", "shop/prod"])
        #expect(
            account.calls("CreateDeployment").sorted() == [
                "CreateDeployment shop/canary", "CreateDeployment shop/prod",
            ]
        )
    }

    @Test("an action whose instance its group does not list: EC2 is asked; terminated closes it, running keeps it")
    func unlistedIsLookedUp() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { state in
            state.instances.append(EC2Instance(instanceID: "i-gone", state: "terminated"))
            state.instances.append(EC2Instance(instanceID: "i-new", state: "pending"))
        }
        let journal = InMemoryJournal()
        for id in ["i-gone", "i-new"] {
            _ = try await journal.recordAction(
                LifecycleAction(
                    token: "tok-\(id)",
                    instanceID: id,
                    hookName: "lifeline-launch-prod",
                    autoScalingGroup: "shop-prod",
                    deploymentGroup: "shop/prod",
                    firstSeen: Date(),
                    heartbeatDeadline: Date().addingTimeInterval(300),
                    heartbeatTimeout: 300
                )
            )
        }
        _ = try await pass(account, journal)
        #expect(account.calls("DescribeInstances").contains { $0.contains("i-gone") && $0.contains("i-new") })
        #expect(try await journal.action(token: "tok-i-gone")?.state == .closed)
        #expect(try await journal.action(token: "tok-i-new")?.state.isOpen == true)
        #expect(account.calls("CompleteLifecycleAction").isEmpty)
    }
}
