import Foundation
import GRDB
import LifelineCore

/// Reads over many groups at once (a pass asks for all of its groups in one read, not one each),
/// and the drift check's verified hooks. Their statements are cached by length of IN list (at
/// most `slice` of them).
extension SQLiteJournal {
    /// SQLite binds at most 32,766 parameters; a pass's groups go in slices well below that.
    static let slice = 500

    public func deployments(deploymentGroups: [String], since: Date) async throws -> [String: [DeploymentRecord]] {
        try await read { db in
            var byGroup: [String: [DeploymentRecord]] = [:]
            let active = ObservedDeployment.activeStatuses.sorted().map { "'\($0)'" }.joined(separator: ", ")
            let rows = try Self.rows(
                db,
                "SELECT * FROM deployment WHERE deployment_group IN (?) AND (created_at >= ? OR status IN (\(active)))",
                deploymentGroups,
                then: [since.timeIntervalSince1970]
            )
            for row in rows {
                let record = try Self.deployment(from: row)
                byGroup[record.deploymentGroup, default: []].append(record)
            }
            // Newest first in each group, as `deployments(deploymentGroup:)`.
            return byGroup.mapValues { $0.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) } }
        }
    }

    public func lastGoodRevisions(deploymentGroups: [String]) async throws -> [String: LastGoodRevision] {
        try await read { db in
            var byGroup: [String: LastGoodRevision] = [:]
            for row in try Self.rows(
                db,
                "SELECT * FROM last_good_revision WHERE deployment_group IN (?)",
                deploymentGroups
            ) {
                let revision = try Self.lastGood(from: row)
                byGroup[revision.deploymentGroup] = revision
            }
            return byGroup
        }
    }

    @discardableResult
    public func recordBookkeeping(
        actions: [LifecycleAction],
        lastGood: [LastGoodRevision],
        deployments: [DeploymentRecord],
        intents: [Intent]
    ) async throws -> [Intent] {
        guard !(actions.isEmpty && lastGood.isEmpty && deployments.isEmpty && intents.isEmpty) else { return [] }
        return try await write { db in
            if !actions.isEmpty {
                let insert = try db.cachedStatement(sql: Self.insertAction)
                for action in actions { _ = try Self.upsert(action, insert, db) }
            }
            for revision in lastGood { try Self.setLastGood(revision, db) }
            for deployment in deployments { try Self.upsert(deployment, db) }
            return try intents.map { try Self.insert($0, db) }
        }
    }

    public func verifiedHooks(autoScalingGroups: [String]) async throws -> [String: VerifiedHooks] {
        try await read { db in
            var byGroup: [String: VerifiedHooks] = [:]
            for row in try Self.rows(db, "SELECT * FROM hook_check WHERE auto_scaling_group IN (?)", autoScalingGroups)
            {
                byGroup[row["auto_scaling_group"]] = VerifiedHooks(
                    hooks: try jsonValue(row["hooks"]),
                    checkedAt: date(row["checked_at"])!
                )
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

    /// The rows of `sql`, whose one `IN (?)` takes every value: in slices of `slice` values, each
    /// with its own `?, ?, …` (and `more` bound after them), in one transaction when there are several.
    static func rows(
        _ db: Database,
        _ sql: String,
        _ values: [String],
        then more: [any DatabaseValueConvertible] = []
    ) throws -> [Row] {
        let slices = values.slices(slice)
        func read() throws -> [Row] {
            try slices.flatMap { names in
                try Row.fetchAll(
                    db.cachedStatement(sql: sql.replacingOccurrences(of: "IN (?)", with: "IN (\(marks(names.count)))")),
                    arguments: textArguments(names) + StatementArguments(more)
                )
            }
        }
        guard slices.count > 1, !db.isInsideTransaction else { return try read() }
        var found: [Row] = []
        try db.inTransaction(.deferred) {
            found = try read()
            return .commit
        }
        return found
    }
}

/// Text values as statement arguments, through GRDB's initializer for `DatabaseValueConvertible`
/// values: its generic one over a sequence of `String` cost about 11,600 instructions for one
/// value, this about 3,800 (callgrind), and each outcome marks its one instance.
func textArguments(_ values: some Collection<String>) -> StatementArguments {
    StatementArguments(values.map { $0 as (any DatabaseValueConvertible)? })
}

/// `?, ?, …`: `count` placeholders.
func marks(_ count: Int) -> String {
    Array(repeating: "?", count: count).joined(separator: ", ")
}

extension Array {
    /// The array in consecutive pieces of at most `size`.
    func slices(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
