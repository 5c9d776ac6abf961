import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// Heartbeats first (DESIGN §3): sends what the journal alone says is due, soonest expiry first
/// and concurrently, whatever the state of any group's observation. A one-shot pass runs a sweep
/// before it reads anything; `serve` runs `HeartbeatLoop` over `send` instead.
struct HeartbeatSender: Sendable {
    let autoScaling: any AutoScalingAPI
    let journal: any Journal
    let logger: Logger
    let metrics: ReconcileMetrics?
    /// AWS's clock.
    let now: @Sendable () -> Date
    /// This replica's leases when several share the groups: it heartbeats only its own groups'.
    var leases: LeaseKeeper? = nil
    /// How many heartbeats are in flight at once.
    var concurrency = 16

    /// Sends every heartbeat due now or within its margin, and waits for them all (a one-shot
    /// pass; serve's `HeartbeatLoop` never waits for one heartbeat to send another). Returns one
    /// line per heartbeat that failed.
    func sweep() async throws -> [String] {
        let beats = HeartbeatSchedule.due(try await journal.openActions(), now: now())
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
        return failures
    }

    /// One heartbeat, on the action as the journal has it now. With `onlyIfDue`, nothing is sent
    /// when a sweep already did since the plan was made. "No active Lifecycle Action" closes it.
    func send(_ action: LifecycleAction, timeout: Int, onlyIfDue: Bool) async throws {
        guard let current = try await journal.action(token: action.token), current.state.isOpen else { return }
        if let leases, await leases.fence(for: current.deploymentGroup ?? "") == nil {
            return  // another replica acts for the group now (its own journal has the action)
        }
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
        // Recorded on the action as the journal has it now: a completion or a pass may have
        // changed it since it was read, and the heartbeat must not be lost to that race.
        _ = try await journal.recordHeartbeat(token: action.token, at: now(), timeout: timeout)
    }
}
