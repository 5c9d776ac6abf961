import Foundation
import LifelineCore
import Logging
import ServiceLifecycle
import Synchronization

/// serve's heartbeat task (DESIGN §3, heartbeats first). Every due heartbeat goes out as a task of
/// its own, soonest expiry first: one slow or throttled call never holds up another, and an action
/// that falls due while others are in flight is sent at once. A heartbeat that fails is tried
/// again `retryAfter` later, well before its action expires, not at the next half-timeout.
struct HeartbeatLoop: Sendable {
    let sender: HeartbeatSender
    /// The longest sleep between two reads of the journal, so that actions a pass records are seen.
    var maxWait: TimeInterval = 5
    var retryAfter: TimeInterval = 1
    /// Heartbeats in flight at once.
    var concurrency = 32

    /// Runs until cancelled or until serve shuts down.
    func run(waker: Waker) async {
        let held = Held()
        await withDiscardingTaskGroup { tasks in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                var wait = maxWait
                do {
                    // With leases, only the groups this replica holds: the rest are another's to keep alive.
                    let leased = await sender.leases?.heldGroups()
                    let open = try await sender.journal.openActions().filter {
                        leased?.contains($0.deploymentGroup ?? "") ?? true
                    }
                    let now = sender.now()
                    let blocked = held.tokens.withLock { held in
                        held = held.filter { $0.value > now }
                        return held
                    }
                    let inFlight = blocked.values.filter { $0 == .distantFuture }.count
                    let due = HeartbeatSchedule.due(open, now: now).filter { blocked[$0.action.token] == nil }
                    for beat in due.prefix(max(0, concurrency - inFlight)) {
                        held.tokens.withLock { $0[beat.action.token] = .distantFuture }
                        tasks.addTask { await send(beat, held: held, waker: waker) }
                    }
                    // The next wake: the soonest heartbeat not yet in hand, or the soonest retry.
                    let holding = held.tokens.withLock { $0 }
                    let idle = open.filter { holding[$0.token] == nil }
                    let retries = holding.values.filter { $0 != .distantFuture }
                    if let next = ([HeartbeatSchedule.nextWake(idle, now: now)].compactMap { $0 } + retries).min() {
                        wait = min(wait, next.timeIntervalSince(now))
                    }
                    if due.count > concurrency - inFlight { wait = min(wait, 0.05) }  // more are due than sent
                } catch {
                    sender.logger.warning("heartbeat schedule unreadable: \(error); trying again in 1s")
                    wait = retryAfter
                }
                // A short floor lets the end of many heartbeats at once land in one read.
                await waker.wait(seconds: max(wait, 0.05))
            }
            tasks.cancelAll()
        }
    }

    private func send(_ beat: HeartbeatSchedule.Beat, held: Held, waker: Waker) async {
        var notBefore: Date?
        do {
            if try await !sender.send(beat.action, timeout: beat.timeout, onlyIfDue: false) {
                // A pass's plan step has this heartbeat on its way: look again after it.
                notBefore = sender.now().addingTimeInterval(retryAfter)
            }
        } catch  where Task.isCancelled {
            return  // serve is stopping
        } catch {
            let group = beat.action.deploymentGroup ?? "-"
            sender.logger.warning(
                "\(group): heartbeat \(beat.action.instanceID) failed: \(error); trying again in \(Int(retryAfter))s",
                metadata: ["group": "\(group)"]
            )
            notBefore = sender.now().addingTimeInterval(retryAfter)
        }
        held.tokens.withLock { $0[beat.action.token] = notBefore }
        await waker.wake()
    }

    /// Token → not before: in flight (the distant future), or failed and waiting for its retry.
    final class Held: Sendable {
        let tokens = Mutex<[String: Date]>([:])
    }
}
