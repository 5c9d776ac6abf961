import Foundation
import LifelineStore
import Logging
import ServiceLifecycle

/// `retention:` in serve: ten minutes after start and then daily, the journal forgets what ended
/// longer ago than the retention (decisions, finished actions and intents, ended deployments); open
/// actions and open intents are never pruned. Ages are on AWS's clock, like every other age. The
/// first prune waits so that a restart's overdue heartbeats never queue behind a VACUUM.
public struct RetentionService: Service {
    let journal: any Journal
    let retention: TimeInterval
    let now: @Sendable () -> Date
    let logger: Logger
    /// How often it prunes, and how long after start the first time.
    var every: Duration = .seconds(86_400)
    var first: Duration = .seconds(600)

    init(journal: any Journal, retention: TimeInterval, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.journal = journal
        self.retention = retention
        self.now = now
        self.logger = logger
    }

    /// serve's: the reconciler's journal, on its AWS clock.
    public init(reconciler: Reconciler, retention: TimeInterval, logger: Logger) {
        self.init(journal: reconciler.journal, retention: retention, now: reconciler.now, logger: logger)
    }

    public func run() async throws {
        // A shutdown cancels the sleep between prunes; that is the normal end, not an error.
        try? await cancelWhenGracefulShutdown {
            try await Task.sleep(for: first)
            while !Task.isCancelled {
                await prune()
                try await Task.sleep(for: every)
            }
        }
    }

    func prune() async {
        let cutoff = now().addingTimeInterval(-retention)
        do {
            let report = try await journal.prune(before: cutoff)
            logger.notice(
                "journal pruned: \(report.summary) that ended before \(cutoff.formatted(.iso8601))",
                metadata: ["retention": "\(Int(retention))s"]
            )
        } catch {
            logger.error("journal prune failed; it is retried tomorrow: \(error)")
        }
    }
}
