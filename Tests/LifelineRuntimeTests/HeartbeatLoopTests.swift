import Foundation
import LifelineCore
import LifelineStore
import Logging
import Synchronization
import Testing

@testable import LifelineRuntime

/// serve's heartbeat task over the fake account, on a clock the test moves. Waits are bounded in
/// time, but what is asserted is which calls were made and which were still in flight.
@Suite("heartbeat loop: no heartbeat waits for another")
struct HeartbeatLoopTests {
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    final class Clock: Sendable {
        let now: Mutex<Date>
        init(_ start: Date) { now = Mutex(start) }
        func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
        var read: @Sendable () -> Date { { self.now.withLock { $0 } } }
    }

    /// A deploying action whose heartbeat falls due `dueIn` seconds from the start (300 s timeout).
    func action(_ instance: String, dueIn: TimeInterval) -> LifecycleAction {
        var action = LifecycleAction.fixture(instance, state: .deploying, now: start)
        action.firstSeen = start.addingTimeInterval(dueIn - 150)
        action.heartbeatDeadline = action.firstSeen.addingTimeInterval(300)
        return action
    }

    /// Runs the loop while `body` runs.
    func running(
        _ account: FakeAccount,
        _ journal: any Journal,
        _ clock: Clock,
        retryAfter: TimeInterval = 1,
        _ body: () async throws -> Void
    ) async throws {
        let sender = HeartbeatSender(
            autoScaling: account,
            journal: journal,
            logger: Logger(label: "test"),
            metrics: nil,
            now: clock.read
        )
        let loop = HeartbeatLoop(sender: sender, maxWait: 0.05, retryAfter: retryAfter)
        let task = Task { await loop.run(waker: Waker()) }
        defer { task.cancel() }
        try await body()
    }

    /// Polls for up to 10 s.
    func eventually(_ what: String, _ condition: () -> Bool) async throws {
        for _ in 0..<200 where !condition() { try await Task.sleep(for: .milliseconds(50)) }
        #expect(condition(), "\(what)")
    }

    @Test("an action that falls due while another's heartbeat hangs gets its heartbeat at once")
    func hangingHeartbeatHoldsUpNothing() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1", "i-2"]])
        account.update { $0.delays["RecordLifecycleActionHeartbeat i-1"] = .seconds(60) }
        let journal = InMemoryJournal()
        _ = try await journal.recordActions([action("i-1", dueIn: 0), action("i-2", dueIn: 60)])
        let clock = Clock(start)
        try await running(account, journal, clock) {
            try await eventually("i-1's heartbeat is sent") {
                account.calls("RecordLifecycleActionHeartbeat") == ["RecordLifecycleActionHeartbeat i-1"]
            }
            clock.advance(60)
            try await eventually("i-2's heartbeat is sent while i-1's still hangs") {
                account.calls("RecordLifecycleActionHeartbeat").contains("RecordLifecycleActionHeartbeat i-2")
            }
            #expect(account.state.withLock { $0.inFlight["RecordLifecycleActionHeartbeat"] } == 1, "i-1's")
            let beaten = try await journal.action(token: "tok-i-2")
            #expect(beaten?.heartbeatsSent == 1 && beaten?.lastHeartbeat == start.addingTimeInterval(60))
        }
    }

    @Test("a heartbeat that fails is tried again after the retry delay, not at the next half-timeout")
    func failedHeartbeatRetried() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update {
            $0.failures["RecordLifecycleActionHeartbeat"] = FakeAccount.error(
                "RecordLifecycleActionHeartbeat",
                "Throttling"
            )
        }
        let journal = InMemoryJournal()
        _ = try await journal.recordAction(action("i-1", dueIn: 0))
        let clock = Clock(start)
        try await running(account, journal, clock, retryAfter: 1) {
            try await eventually("the first attempt") { account.calls("RecordLifecycleActionHeartbeat").count == 1 }
            account.update { $0.failures = [:] }
            // Not before the retry delay: the loop does not hammer a throttled API.
            try await Task.sleep(for: .milliseconds(300))
            #expect(account.calls("RecordLifecycleActionHeartbeat").count == 1)
            clock.advance(1)
            try await eventually("the retry, a second later") {
                account.calls("RecordLifecycleActionHeartbeat").count == 2
            }
            #expect(try await journal.action(token: "tok-i-1")?.heartbeatsSent == 1)
        }
    }

    /// A group whose deployment stays Created, its action's heartbeat due, and a heartbeat call
    /// that takes half a second to answer.
    func heldGroup() async throws -> (FakeAccount, any Journal, Reconciler, LifecycleAction) {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let clock = ManualClock()  // the fake account's activities are on the real clock
        let shell = Reconciler(
            aws: account.services,
            journal: journal,
            groups: FakeAccount.managed("prod"),
            queueURL: nil,
            logger: Logger(label: "test"),
            now: { clock.now }
        )
        _ = try await shell.pass()  // creates the deployment, which stays Created: i-1 is kept alive
        let deploying = try #require(try await journal.openActions().first)
        #expect(deploying.state == .deploying)
        account.update { $0.delays["RecordLifecycleActionHeartbeat i-1"] = .milliseconds(500) }
        clock.set(HeartbeatSchedule.nextDue(deploying, timeout: 300).addingTimeInterval(1))
        return (account, journal, shell, deploying)
    }

    func heartbeatInFlight(_ account: FakeAccount) -> Int? {
        account.state.withLock { $0.inFlight["RecordLifecycleActionHeartbeat"] }
    }

    /// After the heartbeat's answer and the loop's next reads: one heartbeat, recorded once.
    func sentOnce(_ account: FakeAccount, _ journal: any Journal, _ action: LifecycleAction) async throws {
        try await eventually("the heartbeat's answer") { heartbeatInFlight(account) == 0 }
        try await Task.sleep(for: .milliseconds(200))
        #expect(account.calls("RecordLifecycleActionHeartbeat") == ["RecordLifecycleActionHeartbeat i-1"])
        #expect(try await journal.action(token: action.token)?.heartbeatsSent == 1)
    }

    @Test("a pass does not send a heartbeat that serve's heartbeat task has on its way")
    func passDefersToHeartbeatTask() async throws {
        let (account, journal, shell, action) = try await heldGroup()
        let loop = Task { await HeartbeatLoop(sender: shell.heartbeats, maxWait: 0.05).run(waker: Waker()) }
        defer { loop.cancel() }
        try await eventually("serve's heartbeat task has the heartbeat in flight") { heartbeatInFlight(account) == 1 }
        let report = try await shell.pass(sweep: false)  // as serve runs it: its plan keeps i-1 alive
        #expect(report.failedGroups.isEmpty)
        try await sentOnce(account, journal, action)
    }

    @Test("serve's heartbeat task does not send a heartbeat that a pass has on its way")
    func heartbeatTaskDefersToPass() async throws {
        let (account, journal, shell, action) = try await heldGroup()
        let pass = Task { try await shell.pass(sweep: false) }
        try await eventually("the pass has the heartbeat in flight") { heartbeatInFlight(account) == 1 }
        let loop = Task { await HeartbeatLoop(sender: shell.heartbeats, maxWait: 0.05).run(waker: Waker()) }
        defer { loop.cancel() }
        #expect(try await pass.value.failedGroups.isEmpty)
        try await sentOnce(account, journal, action)
    }

    @Test("a heartbeat and a completion are tried again until their action would expire, and no longer")
    func callsRetriedUntilTheActionExpires() async throws {
        let (account, journal, shell, action) = try await heldGroup()
        account.update { $0.delays = [:] }
        #expect(try await shell.heartbeats.sweep().isEmpty)
        // Due a second ago: 149 s of the 300 s timeout are left.
        let heartbeat = try #require(account.state.withLock { $0.windows["RecordLifecycleActionHeartbeat i-1"] })
        #expect(heartbeat > .seconds(147) && heartbeat <= .seconds(149))

        let deployment = try #require(try await journal.deployments(deploymentGroup: "shop/prod").first)
        account.update { state in
            state.deployments[deployment.id]?.status = "Succeeded"
            state.targets[deployment.id] = ["i-1": "Succeeded"]
        }
        _ = try await shell.pass(sweep: false)
        let completion = try #require(account.state.withLock { $0.windows["CompleteLifecycleAction i-1 CONTINUE"] })
        // The heartbeat restarted the timeout: its 300 s, less the time since.
        #expect(completion > .seconds(290) && completion <= .seconds(300))
        #expect(try await journal.action(token: action.token)?.state == .completed)
    }
}
