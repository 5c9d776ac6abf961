import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("reconciler: observe, decide and act over an in-memory account and journal")
struct ReconcilerTests {
    func reconciler(_ account: FakeAccount, _ journal: any Journal, groups: [LifelineConfig.ManagedGroup]) -> Reconciler
    {
        Reconciler(
            aws: account.services,
            journal: journal,
            groups: groups,
            queueURL: nil,
            logger: Logger(label: "test")
        )
    }

    @Test("waiting instances get one follow-on deployment, then CONTINUE once it succeeded on them")
    func followOnThenContinue() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        let shell = reconciler(account, journal, groups: FakeAccount.managed("prod"))

        let first = try await shell.pass()
        #expect(first.failures.isEmpty && first.pending)
        #expect(account.calls("CreateDeployment").count == 1)
        let deployment = try #require(try await journal.deployments(deploymentGroup: "shop/prod").first)
        #expect(deployment.instances == ["i-1", "i-2"])

        _ = try await shell.pass()
        #expect(account.calls("CreateDeployment").count == 1, "the running deployment covers them: no second one")

        account.update { state in
            state.deployments[deployment.id]?.status = "Succeeded"
            state.targets[deployment.id] = ["i-1": "Succeeded", "i-2": "Succeeded"]
        }
        _ = try await shell.pass()
        // Found by the resync, without a message: AWS is addressed by instance id.
        #expect(
            account.calls("CompleteLifecycleAction").sorted() == [
                "CompleteLifecycleAction i-1 CONTINUE", "CompleteLifecycleAction i-2 CONTINUE",
            ]
        )
        let settled = try await shell.pass()
        #expect(!settled.pending)
        #expect(account.calls("CompleteLifecycleAction").count == 2, "each action completed exactly once")
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("a deployment that failed on an instance ABANDONs it; the one it succeeded on is continued")
    func abandonOnFailure() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        let shell = reconciler(account, journal, groups: FakeAccount.managed("prod"))
        _ = try await shell.pass()
        let deployment = try #require(try await journal.deployments(deploymentGroup: "shop/prod").first)
        account.update { state in
            state.deployments[deployment.id]?.status = "Failed"
            state.targets[deployment.id] = ["i-1": "Succeeded", "i-2": "Failed"]
        }
        _ = try await shell.pass()
        #expect(
            account.calls("CompleteLifecycleAction").sorted() == [
                "CompleteLifecycleAction i-1 CONTINUE", "CompleteLifecycleAction i-2 ABANDON",
            ]
        )
    }
}
