import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging

/// Lifecycle notifications from SQS (DESIGN §3): a message is a hint. It says where to look, and
/// AWS is asked before anything is recorded: only an instance Auto Scaling shows in Pending:Wait in
/// the group the message names becomes an action, with times from what AWS shows. Its token is kept
/// as a label only (AWS is addressed by instance id), so a forged or replayed message can neither
/// complete, abandon nor shorten anything. An action is recorded before its message is deleted; a
/// body that cannot be read is deleted after its third receive; messages for groups lifeline does
/// not manage go back to the queue, each time a little later.
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
        // Until a pass has learned which hooks are lifeline's, nothing can be told managed or
        // foreign: receive nothing (the messages stay on the queue, held, not released).
        while !Task.isCancelled, await !reconciler.observedOnce {
            try? await Task.sleep(for: .milliseconds(200))
        }
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
                    ("dropped", outcome.dropped), ("test", outcome.tests), ("ignored", outcome.ignored),
                    ("held", outcome.held), ("hinted", outcome.hinted),
                ] {
                    reconciler.metrics?.messages(name, count)
                }
                if outcome.recorded > 0 || outcome.hinted > 0 { await wake() }
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

    struct Outcome: Equatable {
        var recorded = 0, deleted = 0, released = 0, kept = 0, tests = 0, dropped = 0
        /// Messages AWS did not bear out (the instance is not waiting there) or that added nothing.
        var ignored = 0
        /// Managed messages put back for a moment because AWS could not be asked.
        var held = 0
        /// Scale-in messages on lifeline's terminating hook: a hint to look at the group now (the
        /// pass asks Auto Scaling what waits there); nothing is recorded from the message.
        var hinted = 0
    }

    /// A managed group's launch message, before AWS has been asked about it.
    struct Claim {
        var notification: LifecycleNotification
        var message: SQSMessage
        var group: DeploymentGroupName
        var timeout: Int
    }

    /// How long a message for another tool stays hidden after lifeline released it: 30 s on its
    /// first receive, doubling on each, at most SQS's 12 h. A redrive policy then moves it only
    /// after many minutes, and lifeline sees it a handful of times an hour, not every second.
    static func foreignVisibility(receive: Int) -> Int { min(43_200, 30 << min(max(receive - 1, 0), 11)) }

    func handle(_ messages: [SQSMessage]) async throws -> Outcome {
        var outcome = Outcome()
        var toDelete: [String] = []
        var claims: [Claim] = []
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
                    await setVisibility(message, 5)
                    outcome.kept += 1
                }
            case let .success(.testNotification(group)):
                logger.info(
                    "test notification for \(group ?? "a group") acknowledged",
                    metadata: ["message": "\(message.messageId)"]
                )
                toDelete.append(message.receiptHandle)
                outcome.tests += 1
            case let .success(.action(notification)):
                let route = await reconciler.route(
                    autoScalingGroup: notification.autoScalingGroup,
                    hook: notification.hookName
                )
                // The group a message names is looked at by the next pass, whatever its schedule.
                if case let .managed(group, _, _) = route {
                    await reconciler.markDue([group], autoScalingGroup: notification.autoScalingGroup)
                }
                switch route {
                case let .managed(group, policy, hookTimeout) where notification.isLaunching:
                    claims.append(
                        Claim(
                            notification: notification,
                            message: message,
                            group: group,
                            timeout: hookTimeout ?? policy.heartbeatTimeout
                        )
                    )
                case .managed:
                    // lifeline's terminating hook: the next pass reads who waits and decides.
                    toDelete.append(message.receiptHandle)
                    outcome.hinted += 1
                case .notYetKnown:
                    await setVisibility(message, Self.receiveVisibility)
                    outcome.held += 1
                case let .leasedElsewhere(group):
                    // Released at once for the replica that holds the group; if its lease has
                    // lapsed, this replica's next lease round takes the group, and the pass after
                    // it finds the instance waiting whatever becomes of the message.
                    logger.debug(
                        "message \(message.messageId) is for \(group), which another replica holds: released",
                        metadata: ["group": "\(group)"]
                    )
                    await setVisibility(message, 0)
                    await reconciler.leases?.nudge.wake()
                    outcome.released += 1
                default:
                    let target = "\(notification.autoScalingGroup)/\(notification.hookName)"
                    let hidden = Self.foreignVisibility(receive: message.receiveCount)
                    // Once per message: its later receives are the same news.
                    let line =
                        "message \(message.messageId) is for \(target), which lifeline does not manage: released "
                        + "for its owner, hidden from lifeline for \(hidden)s"
                    logger.log(level: message.receiveCount <= 1 ? .info : .debug, "\(line)")
                    await setVisibility(message, hidden)
                    outcome.released += 1
                }
            }
        }
        if !claims.isEmpty {
            toDelete += try await check(claims, &outcome)
        }
        if !toDelete.isEmpty {
            let failed = try await sqs.deleteMessages(queueURL: queueURL, receiptHandles: toDelete)
            for f in failed { logger.warning("could not delete a message: \(f.code) \(f.message ?? "")") }
            outcome.deleted = toDelete.count - failed.count
        }
        return outcome
    }

    /// Asks AWS about each claim and records the ones it bears out. Returns the receipt handles
    /// to delete: recorded, or ignored because AWS does not show the instance waiting there. When
    /// AWS cannot be asked, the messages are held for a moment and come back.
    private func check(_ claims: [Claim], _ outcome: inout Outcome) async throws -> [String] {
        let instances = Array(Set(claims.map(\.notification.instanceID))).sorted()
        let shown: [String: AutoScalingInstanceDetails]
        do {
            shown = Dictionary(
                try await reconciler.aws.autoScaling.describeAutoScalingInstances(ids: instances).map {
                    ($0.instanceID, $0)
                },
                uniquingKeysWith: { first, _ in first }
            )
        } catch {
            logger.warning("could not check \(claims.count) lifecycle message(s) with Auto Scaling: \(error); held")
            for claim in claims { await setVisibility(claim.message, 5) }
            outcome.held += claims.count
            return []
        }
        let waiting = claims.filter { claim in
            let instance = shown[claim.notification.instanceID]
            return instance?.groupName == claim.notification.autoScalingGroup
                && instance?.lifecycleState == "Pending:Wait"
        }
        // When EC2 launched them bounds when their wait began; without it, the wait is taken to begin now.
        let launched =
            waiting.isEmpty
            ? [:]
            : Dictionary(
                ((try? await reconciler.aws.ec2.describeInstances(ids: waiting.map(\.notification.instanceID))) ?? [])
                    .compactMap { instance in instance.launchTime.map { (instance.instanceID, $0) } },
                uniquingKeysWith: { first, _ in first }
            )
        let history = try await journal.actions(instanceIDs: waiting.map(\.notification.instanceID))
        let at = now()
        var fresh: [LifecycleAction] = []
        var handles: [String] = []
        for claim in claims {
            let n = claim.notification
            let message = claim.message.messageId
            handles.append(claim.message.receiptHandle)
            guard waiting.contains(where: { $0.message.messageId == message }) else {
                let state = shown[n.instanceID].map { "\($0.lifecycleState) in \($0.groupName)" } ?? "not in any group"
                let line =
                    "message \(message) says \(n.instanceID) waits on \(n.autoScalingGroup)/\(n.hookName); Auto Scaling "
                    + "shows it \(state): nothing done (a message is only a hint)"
                logger.notice("\(line)", metadata: ["group": "\(claim.group)"])
                outcome.ignored += 1
                continue
            }
            let mine = history.filter { $0.instanceID == n.instanceID && $0.deploymentGroup == claim.group.description }
            // Already an action, or one finished a moment ago (Auto Scaling's view lags a completion):
            // the message adds nothing.
            if mine.contains(where: { $0.holdsInstance(at: at) })
                || fresh.contains(where: { $0.instanceID == n.instanceID && $0.hookName == n.hookName })
            {
                outcome.ignored += 1
                continue
            }
            // The message's token is a label; one the journal already holds (a replay) is not reused.
            var taken = history.contains { $0.token == n.token }
            if !taken { taken = try await journal.action(token: n.token) != nil }
            let token =
                taken || !mine.isEmpty
                ? LifecycleAction.instanceToken(n.instanceID, hook: n.hookName, again: at) : n.token
            fresh.append(
                LifecycleAction.seenWaiting(
                    token: token,
                    instanceID: n.instanceID,
                    hookName: n.hookName,
                    heartbeatTimeout: claim.timeout,
                    autoScalingGroup: n.autoScalingGroup,
                    deploymentGroup: claim.group.description,
                    launched: launched[n.instanceID],
                    claimed: n.time,
                    messageIDs: [message],
                    now: at
                )
            )
        }
        _ = try await journal.recordActions(fresh)
        for action in fresh {
            logger.info(
                "lifecycle action for \(action.instanceID) recorded",
                metadata: ["group": "\(action.deploymentGroup ?? "")"]
            )
        }
        outcome.recorded += fresh.count
        return handles
    }

    private func setVisibility(_ message: SQSMessage, _ seconds: Int) async {
        try? await sqs.changeMessageVisibility(
            queueURL: queueURL,
            receiptHandle: message.receiptHandle,
            visibilityTimeout: seconds
        )
    }
}
