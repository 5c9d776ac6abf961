import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// Lifecycle notifications from SQS (DESIGN §3): events only say where to look. An action is
/// recorded in the journal before its message is deleted; a body that cannot be read is deleted
/// after its third receive; messages for groups lifeline does not manage go back to the queue.
struct EventIngest: Sendable {
    let sqs: any SQSAPI
    let journal: any Journal
    let reconciler: Reconciler
    let queueURL: String
    let logger: Logger
    let now: @Sendable () -> Date
    var waitSeconds = 20
    /// Receives before an unreadable body is deleted (SQS's maxReceiveCount, without a DLQ).
    static let maxReceives = 3
    /// How long a received message stays hidden. Handling takes milliseconds; if lifeline dies or
    /// is stopped between a receive and its release, the message is back for its owner this soon
    /// instead of after the queue's own visibility timeout (30 s by default, often minutes).
    static let receiveVisibility = 10

    /// Long-polls until cancelled; `wake` asks for a pass.
    func run(wake: @escaping @Sendable () async -> Void) async {
        while !Task.isCancelled {
            do {
                let messages = try await sqs.receiveMessages(
                    queueURL: queueURL,
                    max: 10,
                    waitSeconds: waitSeconds,
                    visibilityTimeout: Self.receiveVisibility
                )
                guard !messages.isEmpty else { continue }
                // Received messages are handled to the end even when shutdown begins meanwhile:
                // a release or delete cut off by cancellation would strand them.
                let outcome = try await Task { try await handle(messages) }.value
                for (name, count) in [
                    ("recorded", outcome.recorded), ("released", outcome.released), ("unreadable", outcome.kept),
                    ("dropped", outcome.dropped), ("test", outcome.tests),
                ] {
                    reconciler.metrics?.messages(name, count)
                }
                if outcome.recorded > 0 { await wake() }
                // Only messages for others: give their owner a moment before polling again.
                if outcome.released == messages.count { try? await Task.sleep(for: .seconds(1)) }
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.warning("receiving from \(queueURL) failed: \(error); trying again in 5s")
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }

    struct Outcome: Equatable { var recorded = 0, deleted = 0, released = 0, kept = 0, tests = 0, dropped = 0 }

    func handle(_ messages: [SQSMessage]) async throws -> Outcome {
        var outcome = Outcome()
        var toDelete: [String] = []
        var toRecord: [(LifecycleAction, String)] = []
        for message in messages {
            switch Result(catching: { try LifecycleMessageParser.parse(message.body) }) {
            case let .failure(error):
                if message.receiveCount >= Self.maxReceives {
                    let receives = message.receiveCount
                    logger.warning(
                        "deleting unreadable message \(message.messageId) after \(receives) receives: \(error)"
                    )
                    toDelete.append(message.receiptHandle)
                    outcome.dropped += 1
                } else {
                    let receive = "receive \(message.receiveCount) of \(Self.maxReceives)"
                    logger.warning("unreadable message \(message.messageId) (\(receive)): \(error)")
                    try? await sqs.changeMessageVisibility(
                        queueURL: queueURL,
                        receiptHandle: message.receiptHandle,
                        visibilityTimeout: 5
                    )
                    outcome.kept += 1
                }
            case let .success(.testNotification(group)):
                logger.info(
                    "test notification for \(group ?? "a group") acknowledged",
                    metadata: ["message": "\(message.messageId)"]
                )
                toDelete.append(message.receiptHandle)
                outcome.tests += 1
            case let .success(.action(n)):
                guard n.isLaunching, let owner = await reconciler.owner(ofAutoScalingGroup: n.autoScalingGroup),
                    n.hookName == owner.hookName,
                    let policy = await reconciler.policy(of: owner)
                else {
                    let target = "\(n.autoScalingGroup)/\(n.hookName)"
                    logger.debug(
                        "message \(message.messageId) is for \(target), which lifeline does not manage: released"
                    )
                    try? await sqs.changeMessageVisibility(
                        queueURL: queueURL,
                        receiptHandle: message.receiptHandle,
                        visibilityTimeout: 0
                    )
                    outcome.released += 1
                    continue
                }
                let start = n.time ?? now()
                // The hook's own timeout as Auto Scaling reported it at the last observation.
                let timeout =
                    await reconciler.hookTimeout(ofAutoScalingGroup: n.autoScalingGroup) ?? policy.heartbeatTimeout
                toRecord.append(
                    (
                        LifecycleAction(
                            token: n.token,
                            instanceID: n.instanceID,
                            hookName: n.hookName,
                            autoScalingGroup: n.autoScalingGroup,
                            deploymentGroup: owner.description,
                            transition: n.transition,
                            firstSeen: start,
                            heartbeatDeadline: start.addingTimeInterval(Double(timeout)),
                            globalDeadline: start.addingTimeInterval(
                                LifecycleAction.globalTimeout(heartbeatTimeout: timeout)
                            ),
                            messageIDs: [message.messageId],
                            heartbeatTimeout: timeout
                        ), message.receiptHandle
                    )
                )
            }
        }
        if !toRecord.isEmpty {
            // One action per instance: a resync may have found it first (without its token).
            let known = Set(
                try await journal.actions(instanceIDs: toRecord.map(\.0.instanceID)).filter { !$0.hasInstanceToken }
                    .map(\.instanceID)
            )
            let fresh = toRecord.map(\.0).filter { !known.contains($0.instanceID) }
            _ = try await journal.recordActions(fresh)
            for action in fresh {
                logger.info(
                    "lifecycle action for \(action.instanceID) recorded",
                    metadata: ["group": "\(action.deploymentGroup ?? "")"]
                )
            }
            outcome.recorded = fresh.count
            toDelete += toRecord.map(\.1)
        }
        if !toDelete.isEmpty {
            let failed = try await sqs.deleteMessages(queueURL: queueURL, receiptHandles: toDelete)
            for f in failed { logger.warning("could not delete a message: \(f.code) \(f.message ?? "")") }
            outcome.deleted = toDelete.count - failed.count
        }
        return outcome
    }
}
