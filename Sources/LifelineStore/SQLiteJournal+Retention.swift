import Foundation
import GRDB

/// Retention (`retention:` in the config, `lifeline history prune`): old, finished rows go, in one
/// transaction, and VACUUM gives the file's space back (only when something went).
extension SQLiteJournal {
    public func prune(before cutoff: Date) async throws -> PruneReport {
        let at = cutoff.timeIntervalSince1970
        let report = try await write { db -> PruneReport in
            try db.execute(
                sql: """
                    INSERT INTO retention (id, pruned_before) VALUES (1, ?)
                    ON CONFLICT(id) DO UPDATE SET pruned_before = max(pruned_before, excluded.pruned_before)
                    """,
                arguments: [at]
            )
            var report = PruneReport()
            try db.execute(sql: "DELETE FROM journal WHERE at < ?", arguments: [at])
            report.entries = db.changesCount
            try db.execute(
                sql: """
                    DELETE FROM lifecycle_action
                    WHERE state NOT IN ('waiting', 'deploying', 'completing') AND COALESCE(closed_at, first_seen) < ?
                    """,
                arguments: [at]
            )
            report.actions = db.changesCount
            try db.execute(
                sql: "DELETE FROM intent WHERE outcome IS NOT NULL AND COALESCE(finished_at, created_at) < ?",
                arguments: [at]
            )
            report.intents = db.changesCount
            try db.execute(
                sql: "DELETE FROM deployment WHERE status IN ('Succeeded', 'Failed', 'Stopped') AND updated_at < ?",
                arguments: [at]
            )
            report.deployments = db.changesCount
            return report
        }
        if report != PruneReport() { try await vacuum() }
        return report
    }

    /// VACUUM, then a checkpoint that truncates the WAL: the file shrinks to what it holds.
    func vacuum() async throws {
        do {
            try await pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        } catch let error as DatabaseError {
            throw StoreError(.io, "journal \(path): \(error.message ?? "\(error.resultCode)")")
        }
    }
}
