import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("reconciler: observe, decide and act over an in-memory account and journal")
struct ReconcilerTests {
    let clock = ManualClock()

    func reconciler(_ account: FakeAccount, _ journal: any Journal, groups: [LifelineConfig.ManagedGroup]) -> Reconciler
    {
        Reconciler(
            aws: account.services,
            journal: journal,
            groups: groups,
            queueURL: nil,
            logger: Logger(label: "test"),
            now: { [clock] in clock.now }
        )
    }

    /// The next pass, at the time the last one asked for (each group has its own schedule).
    func next(_ shell: Reconciler, after report: Reconciler.PassReport) async throws -> Reconciler.PassReport {
        clock.set(report.nextPassAt)
        return try await shell.pass()
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

        let second = try await next(shell, after: first)
        #expect(account.calls("CreateDeployment").count == 1, "the running deployment covers them: no second one")

        account.update { state in
            state.deployments[deployment.id]?.status = "Succeeded"
            state.targets[deployment.id] = ["i-1": "Succeeded", "i-2": "Succeeded"]
        }
        let third = try await next(shell, after: second)
        // Found by the resync, without a message: AWS is addressed by instance id.
        #expect(
            account.calls("CompleteLifecycleAction").sorted() == [
                "CompleteLifecycleAction i-1 CONTINUE", "CompleteLifecycleAction i-2 CONTINUE",
            ]
        )
        let settled = try await next(shell, after: third)
        #expect(!settled.pending)
        #expect(account.calls("CompleteLifecycleAction").count == 2, "each action completed exactly once")
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("a deployment that failed on an instance ABANDONs it; the one it succeeded on is continued")
    func abandonOnFailure() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        let journal = InMemoryJournal()
        let shell = reconciler(account, journal, groups: FakeAccount.managed("prod"))
        let first = try await shell.pass()
        let deployment = try #require(try await journal.deployments(deploymentGroup: "shop/prod").first)
        account.update { state in
            state.deployments[deployment.id]?.status = "Failed"
            state.targets[deployment.id] = ["i-1": "Succeeded", "i-2": "Failed"]
        }
        _ = try await next(shell, after: first)
        #expect(
            account.calls("CompleteLifecycleAction").sorted() == [
                "CompleteLifecycleAction i-1 CONTINUE", "CompleteLifecycleAction i-2 ABANDON",
            ]
        )
    }
}

@Suite("reconciler: failure stays with its group, heartbeats first, AWS's clock")
struct GroupIsolationTests {
    func reconciler(
        _ account: FakeAccount,
        _ journal: any Journal,
        groups: [LifelineConfig.ManagedGroup],
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> Reconciler {
        Reconciler(
            aws: account.services,
            journal: journal,
            groups: groups,
            queueURL: nil,
            logger: Logger(label: "test"),
            now: now
        )
    }

    @Test("AccessDenied on one group's hooks fails that group alone; the others get their deployments")
    func accessDeniedIsPerGroup() async throws {
        let account = FakeAccount.fleet(["bad": ["i-b"], "good": ["i-g"], "fine": ["i-f"]])
        account.update {
            $0.failures["DescribeLifecycleHooks shop-bad"] = FakeAccount.error("DescribeLifecycleHooks", "AccessDenied")
        }
        let shell = reconciler(account, InMemoryJournal(), groups: FakeAccount.managed("bad", "good", "fine"))
        let report = try await shell.pass()
        #expect(Array(report.failedGroups.keys) == [DeploymentGroupName(application: "shop", name: "bad")])
        #expect(report.failedGroups.values.first?.contains("AccessDenied") == true)
        #expect(
            account.calls("CreateDeployment").sorted() == ["CreateDeployment shop/fine", "CreateDeployment shop/good"]
        )
        #expect(report.plans.map(\.deploymentGroup.name).sorted() == ["fine", "good"])
    }

    @Test("a failing group is retried with backoff, not on every pass, and recovers on its own")
    func backoff() async throws {
        let account = FakeAccount.fleet(["bad": ["i-b"], "good": []])
        account.update {
            $0.failures["DescribeLifecycleHooks shop-bad"] = FakeAccount.error("DescribeLifecycleHooks", "AccessDenied")
        }
        let clock = ManualClock()
        let shell = reconciler(
            account,
            InMemoryJournal(),
            groups: FakeAccount.managed("bad", "good"),
            now: { clock.now }
        )
        let first = try await shell.pass()
        #expect(first.nextPassAt == clock.now.addingTimeInterval(2), "the failing group's first retry, 2 s on")
        clock.advance(1)
        let second = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks shop-bad").count == 1, "backing off: not tried again at once")
        #expect(second.failedGroups.isEmpty && second.plans.isEmpty, "the good group is not due again for a minute")
        clock.advance(1)
        let third = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks shop-bad").count == 2, "tried again when its backoff ends")
        #expect(third.plans.isEmpty && third.failedGroups.keys.map(\.name) == ["bad"])
        #expect(await shell.failingGroups().keys.map(\.name) == ["bad"])
        account.update { $0.failures = [:] }
        let named = try await shell.pass(only: [DeploymentGroupName(application: "shop", name: "bad")])
        #expect(named.failedGroups.isEmpty, "naming a group tries it even while it backs off")
        #expect(await shell.failingGroups().isEmpty)
    }

    @Test("DeploymentNotStartedException means no targets yet: the group is not failed, its instance kept alive")
    func deploymentNotStarted() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let clock = ManualClock()
        let shell = reconciler(account, journal, groups: FakeAccount.managed("prod"), now: { clock.now })
        let first = try await shell.pass()
        let created = try #require(try await journal.deployments(deploymentGroup: "shop/prod").first)
        account.update {
            $0.failures["BatchGetDeploymentTargets \(created.id)"] = FakeAccount.error(
                "BatchGetDeploymentTargets",
                "DeploymentNotStartedException"
            )
        }
        clock.set(first.nextPassAt)
        let report = try await shell.pass()
        #expect(report.failedGroups.isEmpty)
        #expect(account.calls("CreateDeployment").count == 1, "no second deployment while the first has not started")
        #expect(report.plans.first?.notes.contains { $0.contains("has not started yet (Created)") } == true)
    }

    @Test("heartbeats go out from the journal while the group's own observation fails")
    func heartbeatsFirst() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["BatchGetDeploymentGroups"] = FakeAccount.error("BatchGetDeploymentGroups", "Throttling")
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(
            LifecycleAction(
                token: "tok-1",
                instanceID: "i-1",
                hookName: "lifeline-launch-prod",
                autoScalingGroup: "shop-prod",
                deploymentGroup: "shop/prod",
                firstSeen: Date().addingTimeInterval(-200),
                heartbeatDeadline: Date().addingTimeInterval(100),
                state: .deploying,
                heartbeatTimeout: 300
            )
        )
        let report = try await reconciler(account, journal, groups: FakeAccount.managed("prod")).pass()
        #expect(report.failedGroups.count == 1)
        #expect(account.calls("RecordLifecycleActionHeartbeat") == ["RecordLifecycleActionHeartbeat i-1"])
        #expect(account.calls.first == "RecordLifecycleActionHeartbeat i-1", "before anything is read")
    }

    @Test("with the account's clock 20 minutes behind, a deployment whose answer was lost is still found")
    func recoveryOnAWSClock() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { $0.clockOffset = -1200 }
        let journal = FailingJournal()
        journal.loseIntentOutcomes = 1  // CreateDeployment succeeds; the crash loses its outcome
        let awsNow: @Sendable () -> Date = { Date().addingTimeInterval(-1200) }
        let first = reconciler(account, journal, groups: FakeAccount.managed("prod"), now: awsNow)
        _ = try await first.pass()
        #expect(try await journal.openIntents().count == 1)
        let restarted = reconciler(account, journal, groups: FakeAccount.managed("prod"), now: awsNow)
        _ = try await restarted.pass()
        #expect(try await journal.openIntents().isEmpty)
        #expect(account.calls("CreateDeployment").count == 1, "found by its marker in the window, not created again")
    }
}
