import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

/// Cost grows with change, not with fleet size (DESIGN §3, §9): each group's own schedule, hooks
/// verified on the drift-check interval, and only the deployment targets a pass needs.
@Suite("fleet scale: per-group schedule, verified hooks, targets by id")
struct ScheduleAndDriftTests {
    let clock = ManualClock()

    func reconciler(
        _ account: FakeAccount,
        _ journal: any Journal = InMemoryJournal(),
        groups: [LifelineConfig.ManagedGroup],
        hookCheckInterval: TimeInterval = 600
    ) -> Reconciler {
        Reconciler(
            aws: account.services,
            journal: journal,
            groups: groups,
            queueURL: nil,
            logger: Logger(label: "test"),
            hookCheckInterval: hookCheckInterval,
            now: { [clock] in clock.now }
        )
    }

    func name(_ group: String) -> DeploymentGroupName { DeploymentGroupName(application: "shop", name: group) }

    @Test("a wake with no group due reads nothing; a message's group is observed alone, at once")
    func perGroupSchedule() async throws {
        let account = FakeAccount.fleet(["a": [], "b": [], "c": []])
        let shell = reconciler(account, groups: FakeAccount.managed("a", "b", "c"))
        let first = try await shell.pass()
        #expect(first.plans.count == 3)
        #expect(first.nextPassAt == clock.now.addingTimeInterval(60), "settled groups: the resync")
        let before = account.calls.count
        clock.advance(10)
        let idle = try await shell.pass()
        #expect(idle.plans.isEmpty)
        #expect(account.calls.count == before, "nothing due, nothing read: \(account.calls.dropFirst(before))")
        await shell.markDue([name("b")], autoScalingGroup: "shop-b")
        let named = try await shell.pass()
        #expect(named.plans.map(\.deploymentGroup.name) == ["b"])
        #expect(account.calls("BatchGetDeploymentGroups").count == 2)
        #expect(
            account.calls("DescribeAutoScalingGroups").last == "DescribeAutoScalingGroups shop-b",
            "the message's group and what b covered, not every group a tag might select"
        )
        clock.set(first.nextPassAt)
        let resync = try await shell.pass()
        #expect(resync.plans.map(\.deploymentGroup.name).sorted() == ["a", "c"], "b's resync is 10 s later")
    }

    @Test("hooks are read when a group is first seen, trusted within the interval, and read again after it")
    func hooksVerifiedNotReRead() async throws {
        let account = FakeAccount.fleet(["a": [], "b": []])
        let journal = InMemoryJournal()
        let shell = reconciler(account, journal, groups: FakeAccount.managed("a", "b"))
        let first = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 2)
        clock.set(first.nextPassAt)
        let second = try await shell.pass()
        #expect(second.plans.count == 2)
        #expect(account.calls("DescribeLifecycleHooks").count == 2, "verified a minute ago: not read again")
        // A one-shot reconcile soon after uses the same journal's reading.
        let oneShot = reconciler(account, journal, groups: FakeAccount.managed("a", "b"))
        _ = try await oneShot.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 2)
        clock.advance(600)
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 4, "the drift check's interval is up")
    }

    @Test("a hook deleted behind lifeline's back is found at the drift check and put back")
    func driftFoundAtTheInterval() async throws {
        let account = FakeAccount.fleet(["a": []])
        let shell = reconciler(account, groups: FakeAccount.managed("a"), hookCheckInterval: 120)
        _ = try await shell.pass()
        account.update { $0.hooks["shop-a"] = [] }
        clock.advance(61)
        _ = try await shell.pass()
        #expect(account.calls("PutLifecycleHook").isEmpty, "within the interval the reading stands")
        clock.advance(61)
        _ = try await shell.pass()
        #expect(account.calls("PutLifecycleHook").count == 1)
        clock.advance(61)
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 3, "after a put the hooks are read again")
        #expect(account.calls("PutLifecycleHook").count == 1, "and found as put")
    }

    @Test("an instance waiting in a state no hook of the reading holds it in sends lifeline to read the hooks again")
    func waitingOnAnUnknownHook() async throws {
        let account = FakeAccount.fleet(["a": []])
        let shell = reconciler(account, groups: FakeAccount.managed("a"))
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 1)
        // Another tool puts a terminating hook, and an instance waits on it.
        account.update { state in
            state.hooks["shop-a", default: []].append(
                LifecycleHook(
                    name: "drain",
                    groupName: "shop-a",
                    transition: "autoscaling:EC2_INSTANCE_TERMINATING",
                    heartbeatTimeout: 300
                )
            )
            state.groups[0].instances = [
                AutoScalingGroupInstance(instanceID: "i-9", lifecycleState: "Terminating:Wait")
            ]
        }
        clock.advance(61)
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 2, "i-9 waits on no hook of the reading")
        clock.advance(61)
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 2, "the new reading knows the hook")
    }

    @Test("a message for lifeline's hook on a group whose reading lacks it sends lifeline to read the hooks again")
    func messageForAnUnknownHook() async throws {
        let account = FakeAccount.fleet(["a": []])
        let journal = InMemoryJournal()
        // Supervise mode puts no hook; the reading on record says shop-a has none.
        try await journal.recordVerifiedHooks(["shop-a": []], at: clock.now)
        var groups = FakeAccount.managed("a")
        groups[0].policy.mode = .supervise
        let shell = reconciler(account, journal, groups: groups)
        let first = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").isEmpty, "the journal's reading is fresh")
        let route = await shell.route(autoScalingGroup: "shop-a", hook: "lifeline-launch-a")
        guard case .managed = route else { throw RuntimeError("expected a managed route, got \(route)") }
        clock.set(first.nextPassAt)
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 1, "the message pointed at drift")
        #expect(try await journal.verifiedHooks(autoScalingGroups: ["shop-a"])["shop-a"]?.hooks.count == 1)
        clock.set(clock.now.addingTimeInterval(60))
        _ = await shell.route(autoScalingGroup: "shop-a", hook: "lifeline-launch-a")
        _ = try await shell.pass()
        #expect(account.calls("DescribeLifecycleHooks").count == 1, "a known hook points at nothing")
    }

    /// A release someone started on shop/a, over 60 instances and those listed in `targeting`.
    func release(_ account: FakeAccount, targeting: [String]) {
        let targets = Dictionary(
            uniqueKeysWithValues: ((0..<60).map { "i-r\($0)" } + targeting).map { ($0, "InProgress") }
        )
        account.startDeployment("d-release", group: "a", status: "InProgress", targets: targets)
    }

    @Test("while someone's release runs, only the waiting instances' targets are read, by id")
    func targetsByID() async throws {
        let account = FakeAccount.fleet(["a": ["i-1", "i-2"]])
        release(account, targeting: ["i-1", "i-2"])
        let shell = reconciler(account, groups: FakeAccount.managed("a"))
        let first = try await shell.pass()
        #expect(account.calls("ListDeploymentTargets").isEmpty, "60 targets not listed")
        #expect(account.calls("BatchGetDeploymentTargets").count == 1)
        #expect(first.plans.first?.steps.contains { if case .createDeployment = $0 { true } else { false } } == false)
    }

    @Test("a waiting instance the release does not target: its list is read once, then kept")
    func targetListReadOnce() async throws {
        let account = FakeAccount.fleet(["a": ["i-1", "i-new"]])
        release(account, targeting: ["i-1"])
        let shell = reconciler(account, groups: FakeAccount.managed("a"))
        let first = try await shell.pass()
        #expect(account.calls("ListDeploymentTargets").count == 1)
        #expect(account.calls("BatchGetDeploymentTargets").count == 2, "by id, refused; then i-1 alone")
        clock.set(first.nextPassAt)
        _ = try await shell.pass()
        #expect(account.calls("ListDeploymentTargets").count == 1, "a started deployment's targets are fixed")
        #expect(account.calls("BatchGetDeploymentTargets").count == 3)
    }

    @Test("a pass's bookkeeping the journal refuses: nothing is done for the adopted instances until it is recorded")
    func bookkeepingFirst() async throws {
        let account = FakeAccount.fleet(["a": ["i-1"], "b": ["i-2"]])
        let journal = FailingJournal()
        journal.failRecords = true
        let shell = reconciler(account, journal, groups: FakeAccount.managed("a", "b"))
        let first = try await shell.pass()
        #expect(first.failures.count == 2, "one line per group: \(first.failures)")
        #expect(account.calls("CreateDeployment").isEmpty)
        #expect(first.nextPassAt == clock.now.addingTimeInterval(5))
        journal.failRecords = false
        clock.set(first.nextPassAt)
        _ = try await shell.pass()
        #expect(account.calls("CreateDeployment").count == 2)
        #expect(try await journal.openActions().count == 2)
    }

    @Test("a message's pass runs beside a pass still in flight, and never takes a group that pass holds")
    func messagePassBesideAResync() async throws {
        let account = FakeAccount.fleet(["a": ["i-1"], "b": []])
        account.update { $0.delays["CreateDeployment shop/a"] = .seconds(2) }
        let shell = reconciler(account, groups: FakeAccount.managed("a", "b"))
        let slow = Task { try await shell.pass(only: [name("a")]) }
        for _ in 0..<200 where account.state.withLock({ $0.inFlight["CreateDeployment"] ?? 0 }) == 0 {
            try await Task.sleep(for: .milliseconds(10))
        }
        // i-2 waits on b; messages name both groups.
        account.update { state in
            state.groups[1].instances = [AutoScalingGroupInstance(instanceID: "i-2", lifecycleState: "Pending:Wait")]
            state.instances.append(
                EC2Instance(instanceID: "i-2", state: "running", launchTime: Date(), tags: ["group": "b"])
            )
        }
        await shell.markDue([name("a")], autoScalingGroup: "shop-a")
        await shell.markDue([name("b")], autoScalingGroup: "shop-b")
        let quick = try await shell.pass(hintedOnly: true)
        #expect(quick.plans.map(\.deploymentGroup.name) == ["b"], "a is the slow pass's")
        #expect(quick.nextPassAt > clock.now, "a's message waits for the slow pass, not for a pass at once")
        #expect(account.calls("CreateDeployment").sorted() == ["CreateDeployment shop/a", "CreateDeployment shop/b"])
        #expect(account.state.withLock { $0.inFlight["CreateDeployment"] } == 1, "a's call is still under way")
        _ = try await slow.value
        let after = try await shell.pass(hintedOnly: true)
        #expect(after.plans.map(\.deploymentGroup.name) == ["a"], "a's message is taken once the slow pass is over")
        #expect(account.calls("CreateDeployment").count == 2, "the deployment a's slow pass made covers i-1")
    }
}
