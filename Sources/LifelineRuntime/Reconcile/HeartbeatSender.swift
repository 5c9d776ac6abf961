import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Synchronization

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
    /// The heartbeats on their way, shared by every sender of one reconciler (serve's heartbeat
    /// task and a pass's plan steps), so that a heartbeat in flight is not sent a second time.
    var inFlight = HeartbeatsInFlight()

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
    /// Returns false, sending nothing, while another send of this action's heartbeat is on its way:
    /// that one records it, or fails and its sender tries again.
    @discardableResult
    func send(_ action: LifecycleAction, timeout: Int, onlyIfDue: Bool) async throws -> Bool {
        guard inFlight.begin(action.token) else {
            logger.debug("heartbeat \(action.instanceID): already on its way")
            return false
        }
        defer { inFlight.end(action.token) }
        guard let current = try await journal.action(token: action.token), current.state.isOpen else { return true }
        if let leases, await leases.fence(for: current.deploymentGroup ?? "") == nil {
            return true  // another replica acts for the group now (its own journal has the action)
        }
        if onlyIfDue, HeartbeatSchedule.nextDue(current, timeout: timeout) > now() { return true }
        let end = HeartbeatSchedule.end(of: current, fallbackTimeout: timeout)
        logger.debug(
            "heartbeat \(current.instanceID): sending, \(String(format: "%.1f", end.timeIntervalSince(now())))s before it expires"
        )
        do {
            // Worth retrying hard until the action would expire, not a moment after.
            try await CallWindow.until(end, now: now()) {
                try await autoScaling.recordLifecycleActionHeartbeat(
                    group: current.autoScalingGroup,
                    hook: current.hookName,
                    action: current.reference
                )
            }
        } catch let error as AWSError where error.isNoActiveLifecycleAction {
            // A completion in flight finishes the action itself (and records its result).
            guard current.state != .completing else { return true }
            var closed = current
            closed.state = .closed
            closed.closedAt = now()
            _ = try await journal.updateAction(closed)
            return true
        }
        metrics?.heartbeatSent()
        // Recorded on the action as the journal has it now: a completion or a pass may have
        // changed it since it was read, and the heartbeat must not be lost to that race.
        _ = try await journal.recordHeartbeat(token: action.token, at: now(), timeout: timeout)
        return true
    }
}

/// The tokens of the actions whose heartbeat is on its way to AWS.
final class HeartbeatsInFlight: Sendable {
    private let tokens = Mutex<Set<String>>([])

    /// False when the action's heartbeat is already on its way.
    func begin(_ token: String) -> Bool { tokens.withLock { $0.insert(token).inserted } }
    func end(_ token: String) { _ = tokens.withLock { $0.remove(token) } }
}
