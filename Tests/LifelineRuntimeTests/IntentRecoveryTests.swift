import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("interrupted intents: what a crash cut short is resolved by reading AWS")
struct IntentRecoveryTests {
    let group = DeploymentGroupName(application: "shop", name: "prod")

    func reconciler(_ account: FakeAccount, _ journal: any Journal) -> Reconciler {
        Reconciler(
            aws: account.services,
            journal: journal,
            groups: FakeAccount.managed("prod"),
            queueURL: nil,
            logger: Logger(label: "test")
        )
    }

    func interruptedDeployment(_ journal: any Journal, instances: [String]) async throws {
        let planned = FollowOnDeployment(
            deploymentGroup: group,
            planID: "p1",
            revision: Revision(FakeAccount.revision),
            instances: instances
        )
        _ = try await journal.beginIntent(
            Intent(
                kind: .createDeployment,
                deploymentGroup: group.description,
                planID: "p1",
                payload: String(decoding: try JSONEncoder().encode(planned), as: UTF8.self),
                createdAt: Date()
            )
        )
    }

    @Test("a deployment created before the crash is found by its marker and recorded, never created again")
    func foundByMarker() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.startDeployment(
            "d-crash",
            group: "prod",
            description: "lifeline:shop/prod:p1",
            status: "InProgress",
            targets: ["i-1": "InProgress"]
        )
        let journal = InMemoryJournal()
        try await interruptedDeployment(journal, instances: ["i-1"])
        let shell = reconciler(account, journal)
        try await shell.resolveInterruptedIntents()
        #expect(try await journal.openIntents().isEmpty)
        let recorded = try await journal.deployments(deploymentGroup: "shop/prod")
        #expect(recorded.map(\.id) == ["d-crash"] && recorded.first?.instances == ["i-1"])
        _ = try await shell.pass()
        #expect(account.calls("CreateDeployment").isEmpty, "the running deployment covers the instance")
    }

    @Test("a deployment that was never created is marked failed, and the next pass creates one")
    func neverCreated() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        try await interruptedDeployment(journal, instances: ["i-1"])
        let shell = reconciler(account, journal)
        _ = try await shell.pass()
        #expect(try await journal.openIntents().isEmpty)
        #expect(account.calls("CreateDeployment").count == 1)
    }

    @Test("an interrupted completion is finished by the next pass with the result it intended")
    func interruptedCompletion() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let action = try await journal.recordAction(
            LifecycleAction(
                token: "tok-1",
                instanceID: "i-1",
                hookName: "lifeline-launch-prod",
                autoScalingGroup: "shop-prod",
                deploymentGroup: "shop/prod",
                firstSeen: Date(),
                state: .deploying
            )
        )
        _ = try await journal.beginIntent(
            Intent(
                kind: .complete,
                deploymentGroup: "shop/prod",
                actionToken: action.token,
                instanceID: "i-1",
                payload: #"{"result":"ABANDON"}"#,
                createdAt: Date()
            )
        )
        _ = try await reconciler(account, journal).pass()
        #expect(account.calls("CompleteLifecycleAction") == ["CompleteLifecycleAction i-1 ABANDON"])
        #expect(try await journal.action(token: "tok-1")?.state == .completed)
    }
}
