import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// Heartbeats first (DESIGN §3): sends what the journal alone says is due, soonest expiry first
/// and concurrently, whatever the state of any group's observation. A pass runs a sweep before
/// it reads anything; `serve` also runs one whenever the next heartbeat falls due.
struct HeartbeatSender: Sendable {
    let autoScaling: any AutoScalingAPI
    let journal: any Journal
    let logger: Logger
    let metrics: ReconcileMetrics?
    /// AWS's clock.
    let now: @Sendable () -> Date
    /// How many heartbeats are in flight at once.
    var concurrency = 16

    struct Sweep: Sendable {
        /// One line per heartbeat that failed; the next sweep retries it, well before it expires.
        var failures: [String] = []
        /// When the next heartbeat falls due (less its margin), from the same read of the journal.
        var nextWake: Date?
    }

    /// Sends every heartbeat due now or within its margin.
    func sweep() async throws -> Sweep {
        let open = try await journal.openActions()
        let beats = HeartbeatSchedule.due(open, now: now())
        guard !beats.isEmpty else { return Sweep(nextWake: HeartbeatSchedule.nextWake(open)) }
        let outcomes = try await concurrentMap(beats, limit: concurrency) { beat -> String? in
            do {
                try await send(beat.action, timeout: beat.timeout, onlyIfDue: false)
                return nil
            } catch {
                let group = beat.action.deploymentGroup ?? "-"
                return "\(group): heartbeat \(beat.action.instanceID) failed: \(error)"
            }
        }
        let failures = outcomes.compactMap { $0 }
        for line in failures { logger.warning("\(line)") }
        // The actions as they are after the sweep: a sent heartbeat restarted its timeout.
        let at = now()
        var sent: [String: Int] = [:]
        for (beat, outcome) in zip(beats, outcomes) where outcome == nil { sent[beat.action.token] = beat.timeout }
        let after = open.map { action -> LifecycleAction in
            guard let timeout = sent[action.token] else { return action }
            var beaten = action
            beaten.lastHeartbeat = at
            beaten.heartbeatDeadline = at.addingTimeInterval(Double(timeout))
            beaten.heartbeatTimeout = timeout
            return beaten
        }
        return Sweep(failures: failures, nextWake: HeartbeatSchedule.nextWake(after))
    }

    /// One heartbeat, on the action as the journal has it now. With `onlyIfDue`, nothing is sent
    /// when a sweep already did since the plan was made. "No active Lifecycle Action" closes it.
    func send(_ action: LifecycleAction, timeout: Int, onlyIfDue: Bool) async throws {
        guard let current = try await journal.action(token: action.token), current.state.isOpen else { return }
        if onlyIfDue, HeartbeatSchedule.nextDue(current, timeout: timeout) > now() { return }
        do {
            try await autoScaling.recordLifecycleActionHeartbeat(
                group: current.autoScalingGroup,
                hook: current.hookName,
                action: current.reference
            )
        } catch let error as AWSError where error.isNoActiveLifecycleAction {
            // A completion in flight finishes the action itself (and records its result).
            guard current.state != .completing else { return }
            var closed = current
            closed.state = .closed
            closed.closedAt = now()
            _ = try await journal.updateAction(closed)
            return
        }
        metrics?.heartbeatSent()
        let at = now()
        // Another writer (a completion, a pass) may have changed the action since: read it again
        // and record the heartbeat on what is there now.
        for attempt in 1...3 {
            guard var beaten = try await journal.action(token: action.token), beaten.state.isOpen else { return }
            beaten.lastHeartbeat = max(beaten.lastHeartbeat ?? at, at)
            beaten.heartbeatsSent += 1
            beaten.heartbeatTimeout = timeout
            beaten.heartbeatDeadline = at.addingTimeInterval(Double(timeout))
            do {
                _ = try await journal.updateAction(beaten)
                return
            } catch let error as StoreError where error.code == .conflict && attempt < 3 {
                continue
            }
        }
    }
}
