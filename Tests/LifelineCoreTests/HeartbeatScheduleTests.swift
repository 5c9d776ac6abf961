import Foundation
import LifelineCore
import Testing

@Suite("heartbeat schedule: what is due from the journal alone")
struct HeartbeatScheduleTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func action(
        _ token: String,
        waited: TimeInterval,
        beatAgo: TimeInterval? = nil,
        timeout: Int? = 300,
        state: LifecycleAction.State = .deploying,
        global: TimeInterval = 30_000
    ) -> LifecycleAction {
        let start = now.addingTimeInterval(-waited)
        let last = beatAgo.map { now.addingTimeInterval(-$0) }
        return LifecycleAction(
            token: token,
            instanceID: "i-\(token)",
            hookName: "h",
            autoScalingGroup: "g",
            firstSeen: start,
            heartbeatDeadline: (last ?? start).addingTimeInterval(Double(timeout ?? 300)),
            globalDeadline: start.addingTimeInterval(global),
            lastHeartbeat: last,
            state: state,
            heartbeatTimeout: timeout
        )
    }

    @Test("due at half the hook's timeout after the last heartbeat, or after the wait began")
    func halfTheTimeout() {
        let beats = HeartbeatSchedule.due(
            [
                action("fresh", waited: 100),
                action("half", waited: 150),
                action("beaten", waited: 400, beatAgo: 100),
                action("stale-beat", waited: 400, beatAgo: 160),
            ],
            now: now,
            early: false
        )
        #expect(beats.map(\.action.token) == ["stale-beat", "half"], "soonest expiry first")
        #expect(beats.allSatisfy { $0.timeout == 300 })
    }

    @Test("soonest expiry first, whatever order the journal gives")
    func deadlineOrder() {
        let beats = HeartbeatSchedule.due(
            [action("b", waited: 200), action("a", waited: 290), action("c", waited: 160)],
            now: now,
            early: false
        )
        #expect(beats.map(\.action.token) == ["a", "b", "c"])
        #expect(beats.map(\.expires) == beats.map(\.expires).sorted())
    }

    @Test("a sweep sends what falls due within the margin (a sixth of the timeout, at most 10 s)")
    func margin() {
        #expect(HeartbeatSchedule.margin(timeout: 30) == 5)
        #expect(HeartbeatSchedule.margin(timeout: 300) == 10)
        let soon = [action("soon", waited: 143), action("later", waited: 130)]
        #expect(HeartbeatSchedule.due(soon, now: now, early: true).map(\.action.token) == ["soon"])
        #expect(HeartbeatSchedule.due(soon, now: now, early: false).isEmpty)
    }

    @Test("the hook's own timeout, not a default: a 30 s hook is due after 15 s")
    func hookTimeout() {
        let short = action("short", waited: 16, timeout: 30)
        #expect(HeartbeatSchedule.due([short], now: now, early: false, fallbackTimeout: 300).map(\.timeout) == [30])
    }

    @Test("without a stored timeout, the one its deadline implies")
    func impliedTimeout() {
        var unknown = action("u", waited: 40, timeout: 60)
        unknown.heartbeatTimeout = nil
        #expect(HeartbeatSchedule.timeout(of: unknown, fallback: 300) == 60)
    }

    @Test("closed, completed and past-global-deadline actions get none; completing ones are kept alive")
    func whoGetsNone() {
        let beats = HeartbeatSchedule.due(
            [
                action("closed", waited: 200, state: .closed),
                action("completed", waited: 200, state: .completed),
                action("completing", waited: 200, state: .completing),
                action("over", waited: 200, global: 100),
            ],
            now: now,
            early: false
        )
        #expect(beats.map(\.action.token) == ["completing"])
    }

    @Test("a scale-in lifeline holds for a deployment is heartbeated from the journal; one not yet held is not")
    func terminations() {
        var held = action("held", waited: 200)
        held.transition = HookSpec.terminating
        var undecided = action("undecided", waited: 200, state: .waiting)
        undecided.transition = HookSpec.terminating
        let beats = HeartbeatSchedule.due([held, undecided], now: now, early: false)
        #expect(beats.map(\.action.token) == ["held"])
    }

    @Test("the next wake is the soonest due time, less its margin, of the actions lifeline heartbeats")
    func nextWake() {
        let wake = HeartbeatSchedule.nextWake([action("a", waited: 100), action("b", waited: 10)], now: now)
        #expect(wake == now.addingTimeInterval(50 - 10))
        // An action no heartbeat may keep (past its global deadline) never wakes the loop: it
        // would spin on a due time that is always past.
        #expect(HeartbeatSchedule.nextWake([action("over", waited: 200, global: 100)], now: now) == nil)
    }
}
