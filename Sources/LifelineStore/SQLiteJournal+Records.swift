import Foundation
import GRDB
import LifelineCore

/// Deployments, last good revisions, breakers and the decision journal.
extension SQLiteJournal {
    public func recordDeployment(_ deployment: DeploymentRecord) async throws {
        try await write { db in try Self.upsert(deployment, db) }
    }

    static func upsert(_ d: DeploymentRecord, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO deployment (id, deployment_group, plan_id, revision, instances, status, created_at, \
                updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET deployment_group = excluded.deployment_group, plan_id = excluded.plan_id,
                    revision = excluded.revision, instances = excluded.instances, status = excluded.status, \
                    updated_at = excluded.updated_at
                """
        ).execute(
            arguments: [
                d.id, d.deploymentGroup, d.planID, try jsonText(d.revision), StringList.encode(d.instances), d.status,
                d.createdAt.timeIntervalSince1970, d.updatedAt.timeIntervalSince1970,
            ]
        )
    }

    public func deployment(id: String) async throws -> DeploymentRecord? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM deployment WHERE id = ?", arguments: [id]).map(
                Self.deployment(from:)
            )
        }
    }

    public func deployments(deploymentGroup: String) async throws -> [DeploymentRecord] {
        try await read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM deployment WHERE deployment_group = ? ORDER BY created_at DESC, id DESC",
                arguments: [deploymentGroup]
            ).map(Self.deployment(from:))
        }
    }

    static func deployment(from row: Row) throws -> DeploymentRecord {
        DeploymentRecord(
            id: row["id"],
            deploymentGroup: row["deployment_group"],
            planID: row["plan_id"],
            revision: try jsonValue(row["revision"]),
            instances: try StringList.decode(row["instances"]),
            status: row["status"],
            createdAt: date(row["created_at"])!,
            updatedAt: date(row["updated_at"])
        )
    }

    public func setLastGoodRevision(_ r: LastGoodRevision) async throws {
        try await write { db in try Self.setLastGood(r, db) }
    }

    static func setLastGood(_ r: LastGoodRevision, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO last_good_revision (deployment_group, revision, deployment_id, recorded_at) VALUES \
                (?, ?, ?, ?)
                ON CONFLICT(deployment_group) DO UPDATE SET revision = excluded.revision, deployment_id = \
                excluded.deployment_id,
                    recorded_at = excluded.recorded_at
                """
        ).execute(
            arguments: [
                r.deploymentGroup, try jsonText(r.revision), r.deploymentID, r.recordedAt.timeIntervalSince1970,
            ]
        )
    }

    public func lastGoodRevision(deploymentGroup: String) async throws -> LastGoodRevision? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT * FROM last_good_revision WHERE deployment_group = ?",
                arguments: [deploymentGroup]
            ).map(Self.lastGood(from:))
        }
    }

    static func lastGood(from row: Row) throws -> LastGoodRevision {
        LastGoodRevision(
            deploymentGroup: row["deployment_group"],
            revision: try jsonValue(row["revision"]),
            deploymentID: row["deployment_id"],
            recordedAt: date(row["recorded_at"])!
        )
    }

    public func breaker(deploymentGroup: String) async throws -> BreakerState? {
        try await read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM breaker WHERE deployment_group = ?", arguments: [deploymentGroup])
                .map(Self.breaker(from:))
        }
    }

    public func breakers() async throws -> [BreakerState] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM breaker ORDER BY deployment_group")).map(
                Self.breaker(from:)
            )
        }
    }

    public func saveBreaker(_ b: BreakerState) async throws -> BreakerState {
        try await write { db in
            let arguments: StatementArguments = [
                b.isOpen, b.openedAt?.timeIntervalSince1970, b.reason, try jsonText(b.cycles), b.scannedThrough,
                b.resetAt?.timeIntervalSince1970, try jsonText(b.misses), b.deploymentGroup,
            ]
            if b.version == 0 {
                try db.cachedStatement(
                    sql:
                        "INSERT INTO breaker (is_open, opened_at, reason, cycles, scanned_through, reset_at, misses, "
                        + "deployment_group, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO NOTHING"
                ).execute(
                    arguments: arguments
                )
            } else {
                try db.cachedStatement(
                    sql:
                        "UPDATE breaker SET is_open = ?, opened_at = ?, reason = ?, cycles = ?, scanned_through = "
                        + "?, reset_at = ?, misses = ?, version = version + 1 WHERE deployment_group = ? AND version = ?"
                ).execute(
                    arguments: arguments + [b.version]
                )
            }
            guard db.changesCount == 1 else {
                let now =
                    try Int.fetchOne(
                        db,
                        sql: "SELECT version FROM breaker WHERE deployment_group = ?",
                        arguments: [b.deploymentGroup]
                    ) ?? 0
                throw StoreError(
                    .conflict,
                    "breaker of \(b.deploymentGroup) changed since it was read (version \(b.version), now \(now))"
                )
            }
            var next = b
            next.version += 1
            return next
        }
    }

    static func breaker(from row: Row) throws -> BreakerState {
        BreakerState(
            deploymentGroup: row["deployment_group"],
            isOpen: row["is_open"],
            openedAt: date(row["opened_at"]),
            reason: row["reason"],
            cycles: try jsonValue(row["cycles"]),
            scannedThrough: row["scanned_through"],
            resetAt: date(row["reset_at"]),
            misses: try jsonValue(row["misses"]),
            version: row["version"]
        )
    }

    // MARK: - Decision journal

    public func append(_ entry: JournalEntry) async throws { try await appendMany([entry]) }

    /// Appends many entries in one transaction.
    public func appendMany(_ entries: [JournalEntry]) async throws {
        try await write { db in
            // Many rows to a statement: a pass writes thousands, and each statement run has a cost
            // of its own in GRDB and SQLite beyond its rows'.
            for slice in entries.slices(Self.entriesPerInsert) {
                var arguments: [(any DatabaseValueConvertible)?] = []
                arguments.reserveCapacity(slice.count * 6)
                for e in slice {
                    arguments += [
                        e.at.timeIntervalSince1970, e.deploymentGroup, e.instanceID, e.decision, e.reason,
                        e.observation,
                    ]
                }
                try db.cachedStatement(
                    sql:
                        "INSERT INTO journal (at, deployment_group, instance_id, decision, reason, observation) VALUES "
                        + Array(repeating: "(?, ?, ?, ?, ?, ?)", count: slice.count).joined(separator: ", ")
                ).execute(arguments: StatementArguments(arguments))
            }
        }
    }

    /// 64 rows of 6 values: well below SQLite's 32,766 parameters.
    static let entriesPerInsert = 64

    public func entries(_ query: JournalQuery) async throws -> [JournalEntry] {
        try await read { db in
            var clauses: [String] = []
            var arguments: StatementArguments = []
            if let since = query.since {
                clauses.append("at >= ?")
                arguments += [since.timeIntervalSince1970]
            }
            if let until = query.until {
                clauses.append("at < ?")
                arguments += [until.timeIntervalSince1970]
            }
            if let group = query.deploymentGroup {
                clauses.append("deployment_group = ?")
                arguments += [group]
            }
            if let instance = query.instanceID {
                clauses.append("instance_id = ?")
                arguments += [instance]
            }
            let whereClause = clauses.isEmpty ? "" : "WHERE " + clauses.joined(separator: " AND ")
            arguments += [query.limit]
            return try Row.fetchAll(
                db,
                sql: "SELECT * FROM journal \(whereClause) ORDER BY at DESC, id DESC LIMIT ?",
                arguments: arguments
            ).map { row in
                JournalEntry(
                    id: row["id"],
                    at: date(row["at"])!,
                    deploymentGroup: row["deployment_group"],
                    instanceID: row["instance_id"],
                    decision: row["decision"],
                    reason: row["reason"],
                    observation: row["observation"]
                )
            }
        }
    }
}
