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
    let logger: Logger

    public init(reconciler: Reconciler, queueURL: String?, logger: Logger, receiveWaitSeconds: Int = 20) {
        self.reconciler = reconciler
        self.logger = logger
        ingest = queueURL.map {
            EventIngest(sqs: reconciler.aws.sqs, journal: reconciler.journal, reconciler: reconciler, queueURL: $0, logger: logger, now: reconciler.now,
                        waitSeconds: receiveWaitSeconds)
        }
    }

    public func run() async throws {
        let waker = Waker()
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await passes(waker: waker) }
                if let ingest {
                    group.addTask {
                        try await cancelWhenGracefulShutdown {
                            await ingest.run(wake: { await waker.wake() })
                        }
                    }
                }
                try await group.waitForAll()
            }
        } onGracefulShutdown: {
            Task { await waker.wake() }
        }
        logger.notice("lifeline serve stopped")
    }

    private func passes(waker: Waker) async {
        var failuresInARow = 0
        while !Task.isShuttingDownGracefully {
            var wait: TimeInterval
            do {
                let report = try await reconciler.pass()
                failuresInARow = 0
                wait = report.nextPassAt.timeIntervalSinceNow
            } catch {
                failuresInARow += 1
                wait = min(60, 2 * Double(failuresInARow))
                logger.error("reconcile pass failed: \(error); next try in \(Int(wait))s")
            }
            if Task.isShuttingDownGracefully { break }
            // A short pause lets a burst of messages land in one pass.
            await waker.wait(seconds: max(wait, 0.02))
        }
    }
}
