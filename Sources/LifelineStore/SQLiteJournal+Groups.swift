import Foundation
import GRDB
import LifelineCore

/// Reads over many groups at once (a pass asks for all of its groups in one read, not one each),
/// and the drift check's verified hooks. IN lists vary in length, so their statements are not cached.
extension SQLiteJournal {
    /// SQLite binds at most 32,766 parameters; a pass's groups go in slices well below that.
    static let slice = 500

    public func deployments(deploymentGroups: [String]) async throws -> [String: [DeploymentRecord]] {
        try await read { db in
            var byGroup: [String: [DeploymentRecord]] = [:]
            for names in deploymentGroups.slices(Self.slice) {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM deployment WHERE deployment_group IN (\(Self.marks(names.count))) "
                        + "ORDER BY created_at DESC, id DESC",
                    arguments: StatementArguments(Array(names))
                )
                for row in rows {
                    let record = try Self.deployment(from: row)
                    byGroup[record.deploymentGroup, default: []].append(record)
                }
            }
            return byGroup
        }
    }

    public func lastGoodRevisions(deploymentGroups: [String]) async throws -> [String: LastGoodRevision] {
        try await read { db in
            var byGroup: [String: LastGoodRevision] = [:]
            for names in deploymentGroups.slices(Self.slice) {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM last_good_revision WHERE deployment_group IN (\(Self.marks(names.count)))",
                    arguments: StatementArguments(Array(names))
                )
                for row in rows {
                    let revision = try Self.lastGood(from: row)
                    byGroup[revision.deploymentGroup] = revision
                }
            }
            return byGroup
        }
    }

    public func recordBookkeeping(
        actions: [LifecycleAction],
        lastGood: [LastGoodRevision],
        deployments: [DeploymentRecord]
    ) async throws {
        guard !(actions.isEmpty && lastGood.isEmpty && deployments.isEmpty) else { return }
        try await write { db in
            if !actions.isEmpty {
                let insert = try db.cachedStatement(sql: Self.insertAction)
                for action in actions { _ = try Self.upsert(action, insert, db) }
            }
            for revision in lastGood { try Self.setLastGood(revision, db) }
            for deployment in deployments { try Self.upsert(deployment, db) }
        }
    }

    public func verifiedHooks(autoScalingGroups: [String]) async throws -> [String: VerifiedHooks] {
        try await read { db in
            var byGroup: [String: VerifiedHooks] = [:]
            for names in autoScalingGroups.slices(Self.slice) {
                let rows = try Row.fetchAll(
                    db,
                    sql: "SELECT * FROM hook_check WHERE auto_scaling_group IN (\(Self.marks(names.count)))",
                    arguments: StatementArguments(Array(names))
                )
                for row in rows {
                    byGroup[row["auto_scaling_group"]] = VerifiedHooks(
                        hooks: try jsonValue(row["hooks"]),
                        checkedAt: date(row["checked_at"])!
                    )
                }
            }
            return byGroup
        }
    }

    public func recordVerifiedHooks(_ hooks: [String: [ObservedHook]], at: Date) async throws {
        guard !hooks.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(
                sql: "INSERT INTO hook_check (auto_scaling_group, hooks, checked_at) VALUES (?, ?, ?) "
                    + "ON CONFLICT(auto_scaling_group) DO UPDATE SET hooks = excluded.hooks, "
                    + "checked_at = excluded.checked_at"
            )
            for (group, list) in hooks {
                try statement.execute(arguments: [group, try jsonText(list), at.timeIntervalSince1970])
            }
        }
    }

    public func forgetVerifiedHooks(autoScalingGroups: [String]) async throws {
        guard !autoScalingGroups.isEmpty else { return }
        try await write { db in
            let statement = try db.cachedStatement(sql: "DELETE FROM hook_check WHERE auto_scaling_group = ?")
            for group in autoScalingGroups { try statement.execute(arguments: [group]) }
        }
    }

    /// `?, ?, …` for an IN list of `count` values.
    static func marks(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
}

extension Array {
    /// The array in consecutive pieces of at most `size`.
    func slices(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
