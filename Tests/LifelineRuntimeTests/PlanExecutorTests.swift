import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("plan executor: write-ahead steps over the narrow seams")
struct PlanExecutorTests {
    let group = DeploymentGroupName(application: "shop", name: "prod")
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Waiting for 200 s of a 300 s heartbeat timeout: its heartbeat is due.
    func action(_ instance: String, state: LifecycleAction.State = .waiting) -> LifecycleAction {
        .fixture(instance, state: state, now: start)
    }

    func executor(_ account: FakeAccount, _ journal: any Journal) -> PlanExecutor {
        PlanExecutor(
            aws: account.services,
            journal: journal,
            logger: Logger(label: "test"),
            metrics: nil,
            now: { start }
        )
    }

    func followOn(_ instances: [String]) -> PlanStep {
        .createDeployment(
            FollowOnDeployment(
                deploymentGroup: group,
                planID: "p1",
                revision: Revision(FakeAccount.revision),
                instances: instances
            )
        )
    }

    @Test("a follow-on deployment is recorded with its instances, which are then deploying")
    func createsAndRecords() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordActions([action("i-1"), action("i-2")])
        let failures = await executor(account, journal).execute(
            Plan(id: "p1", deploymentGroup: group, steps: [followOn(["i-1", "i-2"])], nextPassAt: start)
        )
        #expect(failures.isEmpty)
        #expect(account.calls("CreateDeployment") == ["CreateDeployment shop/prod"])
        let recorded = try await journal.deployments(deploymentGroup: "shop/prod")
        #expect(recorded.map(\.id) == ["d-1"] && recorded.first?.instances == ["i-1", "i-2"])
        #expect(try await journal.openIntents().isEmpty, "the intent has its outcome")
        #expect(try await journal.openActions().map(\.state) == [.deploying, .deploying])
    }

    @Test("the pass's bookkeeping writes the deployment's intent ahead of the call, which then uses it")
    func intentWrittenWithTheBookkeeping() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [.adopt(action("i-1"), reason: "seen"), followOn(["i-1"])],
            nextPassAt: start
        )
        var executor = executor(account, journal)
        let (unrecorded, written) = await executor.recordBookkeeping([plan])
        #expect(unrecorded.isEmpty)
        let ahead = try #require(written["p1"]?.intent)
        #expect(try await journal.openIntents() == [ahead] && account.calls("CreateDeployment").isEmpty)
        executor.written = written
        #expect(await executor.execute(plan, bookkept: true).isEmpty)
        #expect(account.calls("CreateDeployment") == ["CreateDeployment shop/prod"])
        #expect(try await journal.openIntents().isEmpty, "the intent written ahead has its outcome")
        let probe = try await journal.beginIntent(Intent(kind: .putHook, payload: "{}", createdAt: start))
        #expect(probe.id == ahead.id! + 1, "no second intent was begun for the call")
        #expect(try await journal.deployments(deploymentGroup: "shop/prod").map(\.id) == ["d-1"])
    }

    @Test("an intent written ahead with another fence is closed unsent, and the call gets an intent of its own")
    func intentWithAnotherFence() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action("i-1"))
        let plan = Plan(id: "p1", deploymentGroup: group, steps: [followOn(["i-1"])], nextPassAt: start)
        var executor = executor(account, journal)
        let stale = try await journal.beginIntent(
            Intent(kind: .createDeployment, deploymentGroup: "shop/prod", planID: "p1", payload: "{}", createdAt: start)
        )
        executor.written = ["p1": .init(intent: stale, fence: 7)]
        #expect(await executor.execute(plan, bookkept: true).isEmpty)
        #expect(account.calls("CreateDeployment") == ["CreateDeployment shop/prod"], "one call, under the new intent")
        #expect(try await journal.openIntents().isEmpty, "both intents have their outcome")
        #expect(try await journal.deployments(deploymentGroup: "shop/prod").count == 1)
    }

    @Test("an intent written ahead whose lease is gone by the call is closed unsent; nothing is created")
    func intentWhoseLeaseIsGone() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let leases = LeaseKeeper(
            table: InMemoryLeaseTable(),
            groups: ["shop/prod"],
            settings: .init(table: "t", duration: 20, owner: "a"),
            logger: Logger(label: "test"),
            now: { start }
        )
        await leases.round()
        var executor = executor(account, journal)
        executor.leases = leases
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [.adopt(action("i-1"), reason: "seen"), followOn(["i-1"])],
            nextPassAt: start
        )
        let (_, written) = await executor.recordBookkeeping([plan])
        #expect(written["p1"]?.fence != nil, "written with the lease's fence")
        await leases.releaseAll()
        executor.written = written
        let failures = await executor.execute(plan, bookkept: true)
        #expect(failures.count == 1 && failures[0].contains("lease"))
        #expect(account.calls("CreateDeployment").isEmpty)
        #expect(try await journal.openIntents().isEmpty, "the intent written ahead is closed, not left to recovery")
    }

    @Test("a CreateDeployment that fails leaves no deployment, a failed intent and the actions waiting")
    func createFails() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["CreateDeployment"] = FakeAccount.error("CreateDeployment", "AccessDeniedException")
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action("i-1"))
        let failures = await executor(account, journal).execute(
            Plan(id: "p1", deploymentGroup: group, steps: [followOn(["i-1"])], nextPassAt: start)
        )
        #expect(failures.count == 1 && failures[0].contains("AccessDeniedException"))
        #expect(try await journal.deployments(deploymentGroup: "shop/prod").isEmpty)
        #expect(try await journal.openIntents().isEmpty)
        #expect(try await journal.openActions().map(\.state) == [.waiting])
    }

    @Test("DeploymentLimitExceeded means someone else deploys now: no failure, lifeline deploys after")
    func limitExceeded() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["CreateDeployment"] = FakeAccount.error("CreateDeployment", "DeploymentLimitExceededException")
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action("i-1"))
        let failures = await executor(account, journal).execute(
            Plan(id: "p1", deploymentGroup: group, steps: [followOn(["i-1"])], nextPassAt: start)
        )
        #expect(failures.isEmpty)
        #expect(try await journal.openActions().map(\.state) == [.waiting])
    }

    @Test("a heartbeat AWS answers with 'No active Lifecycle Action' closes the action; the next is not sent")
    func heartbeatOnClosedAction() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["RecordLifecycleActionHeartbeat"] = FakeAccount.error(
                "RecordLifecycleActionHeartbeat",
                "ValidationError",
                "No active Lifecycle Action found with token tok-i-1"
            )
        }
        let journal = InMemoryJournal()
        let open = try await journal.recordAction(action("i-1", state: .deploying))
        let step = PlanStep.heartbeat(open, timeout: 300, reason: "due")
        let plan = Plan(id: "p1", deploymentGroup: group, steps: [step, step], nextPassAt: start)
        #expect(await executor(account, journal).execute(plan).isEmpty)
        #expect(account.calls("RecordLifecycleActionHeartbeat").count == 1)
        #expect(try await journal.action(token: "tok-i-1")?.state == .closed)
    }

    @Test("a heartbeat moves the deadline to now plus the hook's timeout")
    func heartbeatMovesDeadline() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let open = try await journal.recordAction(action("i-1", state: .deploying))
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [.heartbeat(open, timeout: 240, reason: "due")],
            nextPassAt: start
        )
        #expect(await executor(account, journal).execute(plan).isEmpty)
        let after = try #require(try await journal.action(token: "tok-i-1"))
        #expect(after.heartbeatDeadline == start.addingTimeInterval(240))
        #expect(after.heartbeatTimeout == 240)
        #expect(after.heartbeatsSent == 1)
        #expect(account.calls("RecordLifecycleActionHeartbeat") == ["RecordLifecycleActionHeartbeat i-1"])
    }

    @Test("a completion is sent once: the same step executed again makes no second call")
    func completesOnce() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let open = try await journal.recordAction(action("i-1", state: .deploying))
        let step = PlanStep.complete(open, .continue, reason: "deployed")
        for _ in 0..<2 {
            let plan = Plan(id: "p1", deploymentGroup: group, steps: [step], nextPassAt: start)
            #expect(await executor(account, journal).execute(plan).isEmpty)
        }
        #expect(account.calls("CompleteLifecycleAction") == ["CompleteLifecycleAction i-1 CONTINUE"])
        let after = try #require(try await journal.action(token: "tok-i-1"))
        #expect(after.state == .completed && after.result == .continue)
    }

    @Test("a step that fails does not stop the plan's other steps")
    func failureIsPerStep() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        account.update {
            $0.failures["CompleteLifecycleAction i-1 CONTINUE"] = FakeAccount.error(
                "CompleteLifecycleAction",
                "Throttling"
            )
        }
        let journal = InMemoryJournal()
        let first = try await journal.recordAction(action("i-1", state: .deploying))
        let second = try await journal.recordAction(action("i-2", state: .deploying))
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [.complete(first, .continue, reason: "deployed"), .complete(second, .continue, reason: "deployed")],
            nextPassAt: start
        )
        let failures = await executor(account, journal).execute(plan)
        #expect(failures.count == 1 && failures[0].contains("i-1"))
        #expect(try await journal.action(token: "tok-i-2")?.state == .completed)
        #expect(try await journal.action(token: "tok-i-1")?.state.isOpen == true, "left for the next pass")
    }
}

extension PlanExecutorTests {
    @Test("a plan's completions go out side by side, not one behind another, and each is sent once")
    func completionsConcurrently() async throws {
        let instances = (1...20).map { "i-\($0)" }
        let account = FakeAccount.fleet(["prod": instances])
        account.update { $0.delays["CompleteLifecycleAction"] = .milliseconds(100) }
        let journal = InMemoryJournal()
        let open = try await journal.recordActions(instances.map { action($0, state: .deploying) })
        let steps = open.map { PlanStep.complete($0, .continue, reason: "deployed") }
        let plan = Plan(id: "p1", deploymentGroup: group, steps: steps + steps, nextPassAt: start)
        #expect(await executor(account, journal).execute(plan).isEmpty)
        let most = account.state.withLock { $0.mostInFlight["CompleteLifecycleAction"] ?? 0 }
        #expect(most > 1, "one at a time, a wave's last completions wait for all the others")
        #expect(most <= 8, "bounded")
        #expect(account.calls("CompleteLifecycleAction").count == 20)
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("heartbeats go out before the plan's other steps")
    func heartbeatsFirst() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action("i-1"))
        let deploying = try await journal.recordAction(action("i-2", state: .deploying))
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [followOn(["i-1"]), .heartbeat(deploying, timeout: 300, reason: "due")],
            nextPassAt: start
        )
        #expect(await executor(account, journal).execute(plan).isEmpty)
        #expect(account.calls == ["RecordLifecycleActionHeartbeat i-2", "CreateDeployment shop/prod"])
    }

    @Test("a completion the plan puts before a StopDeployment goes out before it (the stop would abandon it)")
    func completionBeforeStop() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        let first = try await journal.recordAction(action("i-1", state: .deploying))
        let second = try await journal.recordAction(action("i-2", state: .deploying))
        let plan = Plan(
            id: "p1",
            deploymentGroup: group,
            steps: [
                .complete(first, .continue, reason: "deployed"),
                .stopDeployment(id: "d-9", reason: "stuck"),
                .complete(second, .continue, reason: "deployed"),
            ],
            nextPassAt: start
        )
        #expect(await executor(account, journal).execute(plan).isEmpty)
        #expect(
            account.calls == [
                "CompleteLifecycleAction i-1 CONTINUE", "StopDeployment d-9", "CompleteLifecycleAction i-2 CONTINUE",
            ]
        )
    }
}
