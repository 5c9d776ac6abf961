import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import AWSWire
@testable import LifelineRuntime

/// Outcomes are durable: once AWS took a completion or a deployment, nothing afterwards (a store
/// conflict, a lost answer, a retry's refusal) turns it into an open action, an unknown result or
/// a second deployment.
@Suite("plan executor: durable outcomes")
struct DurableOutcomeTests {
    let group = DeploymentGroupName(application: "shop", name: "prod")
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func action(_ state: LifecycleAction.State = .deploying) -> LifecycleAction {
        .fixture("i-1", state: state, now: start)
    }

    func run(_ account: FakeAccount, _ journal: any Journal, _ step: PlanStep) async -> [String] {
        let executor = PlanExecutor(
            aws: account.services,
            journal: journal,
            logger: Logger(label: "test"),
            metrics: nil,
            now: { start }
        )
        return await executor.execute(Plan(id: "p1", deploymentGroup: group, steps: [step], nextPassAt: start))
    }

    /// "No active Lifecycle Action", as AWS answers a completion of an action already closed.
    func noActive(afterUnanswered: Bool) -> AWSError {
        var error = FakeAccount.error(
            "CompleteLifecycleAction",
            "ValidationError",
            "No active Lifecycle Action found with instance ID i-1"
        )
        error.earlierAttemptMayHaveTakenEffect = afterUnanswered
        return error
    }

    @Test("a version conflict after AWS took the completion still records it completed, with its result")
    func conflictAfterCompletion() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = FailingJournal()
        _ = try await journal.recordAction(action())
        journal.conflictOnFinish = 2
        let failures = await run(account, journal, .complete(action(), .continue, reason: "deployed"))
        #expect(failures.isEmpty)
        let stored = try #require(try await journal.action(token: "tok-i-1"))
        #expect(stored.state == .completed && stored.result == .continue && stored.closedAt == start)
        #expect(stored.heartbeatsSent == 2, "the other writer's changes are kept")
        #expect(try await journal.openIntents().isEmpty)
        #expect(account.calls("CompleteLifecycleAction").count == 1)
    }

    @Test("a lost answer, then 'No active Lifecycle Action' on the retry: completed with the result sent")
    func lostAnswerThenNoActive() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { $0.failures["CompleteLifecycleAction"] = noActive(afterUnanswered: true) }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action())
        _ = await run(account, journal, .complete(action(), .abandon, reason: "failed on the instance"))
        let stored = try #require(try await journal.action(token: "tok-i-1"))
        #expect(stored.state == .completed && stored.result == .abandon)
    }

    @Test("'No active Lifecycle Action' at the first attempt: someone else closed it, result unknown")
    func closedBySomeoneElse() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { $0.failures["CompleteLifecycleAction"] = noActive(afterUnanswered: false) }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action())
        _ = await run(account, journal, .complete(action(), .continue, reason: "deployed"))
        let stored = try #require(try await journal.action(token: "tok-i-1"))
        #expect(stored.state == .closed && stored.result == nil)
    }

    @Test("a completion that went unanswered is completing with its result; the next one's 'No active' keeps it")
    func unansweredThenNoActive() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["CompleteLifecycleAction"] = AWSError(
                kind: .transport,
                service: "autoscaling",
                operation: "CompleteLifecycleAction",
                code: "Timeout",
                message: "no answer in 30 s",
                transport: .timeout
            )
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action())
        let failures = await run(account, journal, .complete(action(), .continue, reason: "deployed"))
        #expect(failures.count == 1)
        let completing = try #require(try await journal.action(token: "tok-i-1"))
        #expect(completing.state == .completing && completing.result == .continue)
        account.update { $0.failures["CompleteLifecycleAction"] = noActive(afterUnanswered: false) }
        _ = await run(account, journal, .complete(completing, .continue, reason: "finishing"))
        let stored = try #require(try await journal.action(token: "tok-i-1"))
        #expect(stored.state == .completed && stored.result == .continue)
    }

    @Test("CreateDeployment's answer lost and the retry refused: the deployment is found by its marker, not made again")
    func createAnswerLost() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let followOn = FollowOnDeployment(
            deploymentGroup: group,
            planID: "p1",
            revision: Revision(FakeAccount.revision),
            instances: ["i-1"]
        )
        account.update { state in
            // What the unanswered first attempt made.
            state.deployments["d-first"] = DeploymentInfo(
                applicationName: "shop",
                deploymentGroupName: "prod",
                deploymentId: "d-first",
                revision: FakeAccount.revision,
                status: "InProgress",
                createTime: self.start,
                description: followOn.description,
                creator: "user"
            )
            var refused = FakeAccount.error("CreateDeployment", "DeploymentLimitExceededException")
            refused.earlierAttemptMayHaveTakenEffect = true
            state.failures["CreateDeployment"] = refused
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action(.waiting))
        let failures = await run(account, journal, .createDeployment(followOn))
        #expect(failures.isEmpty)
        #expect(try await journal.deployments(deploymentGroup: "shop/prod").map(\.id) == ["d-first"])
        #expect(try await journal.openActions().map(\.state) == [.deploying])
        #expect(try await journal.openIntents().isEmpty)
    }
}
