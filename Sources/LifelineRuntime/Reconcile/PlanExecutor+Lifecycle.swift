import AWSWire
import Foundation
import LifelineCore
import LifelineStore

/// The lifecycle steps of a plan: a heartbeat (once, whoever else has it on its way) and a
/// completion, write-ahead, whose result is kept even when AWS's answer is lost.
extension PlanExecutor {
    /// Heartbeats through this executor's clients and journal, sharing `heartbeatsInFlight`.
    var heartbeats: HeartbeatSender {
        HeartbeatSender(
            autoScaling: aws.autoScaling,
            journal: journal,
            logger: logger,
            metrics: metrics,
            now: now,
            leases: leases,
            inFlight: heartbeatsInFlight
        )
    }

    func heartbeat(_ action: LifecycleAction, timeout: Int) async throws {
        try await heartbeats.send(action, timeout: timeout, onlyIfDue: true)
    }

    func complete(_ action: LifecycleAction, _ result: LifecycleAction.Result) async throws {
        guard let current = try await journal.action(token: action.token), current.state.isOpen else { return }
        let intent = try await journal.beginIntent(
            Intent(
                kind: .complete,
                deploymentGroup: current.deploymentGroup,
                actionToken: current.token,
                instanceID: current.instanceID,
                payload: json(CompletionIntent(result: result)),
                createdAt: now()
            )
        )
        do {
            try await CallWindow.until(HeartbeatSchedule.end(of: current), now: now()) {
                try await aws.autoScaling.completeLifecycleAction(
                    group: current.autoScalingGroup,
                    hook: current.hookName,
                    action: current.reference,
                    result: result == .continue ? .continue : .abandon
                )
            }
            metrics?.completed(result)
            try await finish(intent, .done, detail: nil, current, as: .completed, result: result)
        } catch let error as AWSError where error.isNoActiveLifecycleAction {
            // Closed already. By this very completion when an earlier attempt went unanswered, or
            // by lifeline before a restart (it was completing): then the result is the one sent.
            // Otherwise someone else closed it (or it expired), and its result is unknown.
            let ours = error.earlierAttemptMayHaveTakenEffect || current.state == .completing
            try await finish(
                intent,
                .moot,
                detail: error.message,
                current,
                as: ours ? .completed : .closed,
                result: ours ? result : nil
            )
        } catch let error as AWSError where error.mayHaveTakenEffect || error.earlierAttemptMayHaveTakenEffect {
            // Unanswered: it may have been taken. The action is `completing` with this result, so
            // the next completion's "No active Lifecycle Action" records it as sent.
            var completing = current
            completing.state = .completing
            completing.result = result
            try? await journal.finishIntent(
                id: intent.id!,
                outcome: .failed,
                detail: "\(error)",
                at: now(),
                action: completing
            )
            throw error
        } catch {
            try? await journal.finishIntent(id: intent.id!, outcome: .failed, detail: "\(error)", at: now())
            throw error
        }
    }

    /// Closes a completion's intent with the action's final state, in one transaction. A version
    /// conflict (a heartbeat recorded meanwhile) is retried on the action as it is now: once AWS
    /// took the completion, nothing may turn it back into an open action or lose its result.
    private func finish(
        _ intent: Intent,
        _ outcome: Intent.Outcome,
        detail: String?,
        _ action: LifecycleAction,
        as state: LifecycleAction.State,
        result: LifecycleAction.Result?
    ) async throws {
        var current = action
        for attempt in 1...5 {
            var done = current
            done.state = state
            done.result = result ?? done.result
            done.closedAt = now()
            do {
                try await journal.finishIntent(
                    id: intent.id!,
                    outcome: outcome,
                    detail: detail,
                    at: now(),
                    action: done
                )
                return
            } catch let error as StoreError where error.code == .conflict && attempt < 5 {
                guard let reread = try await journal.action(token: action.token) else { throw error }
                current = reread
            }
        }
    }
}

/// What a `complete` intent records: the result lifeline is about to send.
struct CompletionIntent: Codable {
    var result: LifecycleAction.Result
}
