import Foundation
import LifelineCore
import Logging
import ServiceLifecycle

/// `lifeline serve`: passes at the time each plan asks for (or when a message arrives), and the
/// SQS consumer. On SIGTERM the consumer is cancelled (a receive changes nothing) and the pass in
/// flight finishes its AWS calls; the service group bounds how long that may take.
public struct ReconcileService: Service {
    let reconciler: Reconciler
    let ingest: EventIngest?
    let readiness: Readiness
    let logger: Logger

    public init(
        reconciler: Reconciler,
        queueURL: String?,
        readiness: Readiness,
        logger: Logger,
        receiveWaitSeconds: Int = 20
    ) {
        self.reconciler = reconciler
        self.readiness = readiness
        self.logger = logger
        ingest = queueURL.map {
            EventIngest(
                sqs: reconciler.aws.sqs,
                journal: reconciler.journal,
                reconciler: reconciler,
                queueURL: $0,
                logger: logger,
                now: reconciler.now,
                waitSeconds: receiveWaitSeconds
            )
        }
    }

    public func run() async throws {
        let waker = Waker()
        let messageWaker = Waker()
        let heartbeatWaker = Waker()
        // With leases, the first pass acts for what the first round takes.
        await reconciler.leases?.round()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await passes(waker: waker) }
                // A message's group is reconciled at once, beside a resync pass still in flight.
                group.addTask { await messagePasses(waker: messageWaker, then: waker) }
                if let leases = reconciler.leases {
                    group.addTask {
                        await cancelWhenGracefulShutdown {
                            while !Task.isCancelled {
                                // At least a second apart, however many messages nudge.
                                try? await Task.sleep(for: .seconds(1))
                                await leases.nudge.wait(seconds: leases.settings.renewEvery - 1)
                                if Task.isCancelled { break }
                                if await leases.round() { await waker.wake() }  // a group taken is reconciled at once
                            }
                        }
                    }
                }
                // Heartbeats first: from the journal, whenever one falls due, whatever a pass is doing.
                group.addTask {
                    await cancelWhenGracefulShutdown {
                        await HeartbeatLoop(sender: reconciler.heartbeats).run(waker: heartbeatWaker)
                    }
                }
                if let ingest {
                    group.addTask {
                        await cancelWhenGracefulShutdown {
                            await ingest.run(wake: {
                                await messageWaker.wake()
                                await heartbeatWaker.wake()
                            })
                        }
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task {
                await readiness.shuttingDown()
                await waker.wake()
                await messageWaker.wake()
            }
        }
        // Graceful handover: the in-flight calls are done; another replica takes the groups at its next round.
        await reconciler.leases?.releaseAll()
        logger.notice("lifeline serve stopped")
    }

    /// Passes over the groups messages named, each as soon as its message is recorded; the
    /// resync loop (`passes`) takes any a failure leaves behind.
    /// `resync`: woken after each pass, so that the resync loop waits for the times these
    /// groups now ask for (a deployment to poll), not for the time it had before.
    private func messagePasses(waker: Waker, then resync: Waker) async {
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await waker.wait(seconds: 3600)
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            do {
                _ = try await reconciler.pass(sweep: false, hintedOnly: true)
            } catch  where Task.isCancelled {
                break
            } catch {
                logger.error("reconcile pass for a message failed: \(error); the next pass tries again")
            }
            await resync.wake()
        }
    }

    private func passes(waker: Waker) async {
        var failuresInARow = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            var wait: TimeInterval
            let started = ContinuousClock.now
            do {
                // The heartbeat task sweeps; a pass's own sweep would only race it.
                let report = try await reconciler.pass(sweep: false)
                failuresInARow = 0
                // Plans say when on AWS's clock.
                wait = report.nextPassAt.timeIntervalSince(reconciler.now())
                reconciler.metrics?.pass(ok: true, duration: ContinuousClock.now - started)
                let failing = await reconciler.failingGroups()
                await readiness.passed(
                    at: Date(),
                    failing: Dictionary(uniqueKeysWithValues: failing.map { ($0.key.description, $0.value) }),
                    managed: reconciler.groups.count
                )
            } catch  where Task.isCancelled {
                break  // the service group is stopping (a sibling service failed): no error of the pass's own
            } catch {
                failuresInARow += 1
                wait = min(60, 2 * Double(failuresInARow))
                logger.error("reconcile pass failed: \(error); next try in \(Int(wait))s")
                reconciler.metrics?.pass(ok: false, duration: ContinuousClock.now - started)
                await readiness.failed("\(error)")
            }
            if Task.isShuttingDownGracefully || Task.isCancelled { break }
            // A short pause lets a burst of messages land in one pass.
            await waker.wait(seconds: max(wait, 0.02))
        }
    }
}
