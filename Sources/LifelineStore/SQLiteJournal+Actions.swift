import Foundation
import GRDB
import JSONCoding
import LifelineCore

/// Lifecycle actions and write-ahead intents.
extension SQLiteJournal {
    public func recordAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        try await recordActions([action])[0]
    }

    /// Records many actions in one transaction (an observation that finds many waiting instances).
    public func recordActions(_ actions: [LifecycleAction]) async throws -> [LifecycleAction] {
        try await write { db in
            let insert = try db.cachedStatement(sql: Self.insertAction)
            return try actions.map { try Self.upsert($0, insert, db) }
        }
    }

    static let insertAction = """
        INSERT INTO lifecycle_action (
            token, instance_id, hook, auto_scaling_group, deployment_group, transition, first_seen,
            heartbeat_deadline, global_deadline, heartbeats_sent, last_heartbeat, state, result,
            message_ids, heartbeat_timeout, closed_at, version)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
        ON CONFLICT(token) DO NOTHING
        """

    static func upsert(_ action: LifecycleAction, _ insert: Statement, _ db: Database) throws -> LifecycleAction {
        insert.setUncheckedArguments([
            action.token, action.instanceID, action.hookName, action.autoScalingGroup, action.deploymentGroup,
            action.transition,
            action.firstSeen.timeIntervalSince1970, action.heartbeatDeadline?.timeIntervalSince1970,
            action.globalDeadline?.timeIntervalSince1970, action.heartbeatsSent,
            action.lastHeartbeat?.timeIntervalSince1970,
            action.state.rawValue, action.result?.rawValue, StringList.encode(action.messageIDs),
            action.heartbeatTimeout, action.closedAt?.timeIntervalSince1970,
        ])
        try insert.execute()
        if db.changesCount == 1 {
            var stored = action
            stored.version = 1
            return stored
        }
        guard var known = try fetchAction(token: action.token, db) else {
            throw StoreError(.io, "lifecycle action \(action.token) vanished during its upsert")
        }
        let ids = merged(known.messageIDs, action.messageIDs)
        if ids != known.messageIDs {
            try db.cachedStatement(
                sql: "UPDATE lifecycle_action SET message_ids = ?, version = version + 1 WHERE token = ?"
            ).execute(
                arguments: [StringList.encode(ids), action.token]
            )
            known.messageIDs = ids
            known.version += 1
        }
        return known
    }

    public func action(token: String) async throws -> LifecycleAction? {
        try await read { db in try Self.fetchAction(token: token, db) }
    }

    public func actions(instanceIDs: [String]) async throws -> [LifecycleAction] {
        guard !instanceIDs.isEmpty else { return [] }
        return try await read { db in
            try Self.rows(
                db,
                "SELECT \(Self.actionColumns) FROM lifecycle_action WHERE instance_id IN (?)",
                instanceIDs
            )
            .map(Self.action(from:))
            .sorted { ($0.firstSeen, $0.token) < ($1.firstSeen, $1.token) }
        }
    }

    /// Through the `lifecycle_action_open` index, whose condition this repeats.
    static let openActionsSQL =
        "SELECT \(actionColumns) FROM lifecycle_action WHERE state <> 'completed' AND state <> 'closed' "
        + "ORDER BY first_seen, token"

    public func openActions() async throws -> [LifecycleAction] {
        try await read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: Self.openActionsSQL)
            ).map(Self.action(from:))
        }
    }

    public func updateAction(_ action: LifecycleAction) async throws -> LifecycleAction {
        try await write { db in try Self.update(action, db) }
    }

    public func recordHeartbeat(token: String, at: Date, timeout: Int) async throws -> LifecycleAction? {
        try await write { db in
            guard var action = try Self.fetchAction(token: token, db), action.state.isOpen else { return nil }
            action.heartbeatAccepted(at: at, timeout: timeout)
            return try Self.update(action, db)
        }
    }

    static func update(_ action: LifecycleAction, _ db: Database) throws -> LifecycleAction {
        try db.cachedStatement(
            sql: """
                UPDATE lifecycle_action SET
                    instance_id = ?, hook = ?, auto_scaling_group = ?, deployment_group = ?, transition = ?,
                    first_seen = ?, heartbeat_deadline = ?, global_deadline = ?, heartbeats_sent = ?,
                    last_heartbeat = ?, state = ?, result = ?, message_ids = ?, heartbeat_timeout = ?,
                    closed_at = ?, version = version + 1
                WHERE token = ? AND version = ?
                """
        ).execute(
            arguments: [
                action.instanceID, action.hookName, action.autoScalingGroup, action.deploymentGroup, action.transition,
                action.firstSeen.timeIntervalSince1970, action.heartbeatDeadline?.timeIntervalSince1970,
                action.globalDeadline?.timeIntervalSince1970, action.heartbeatsSent,
                action.lastHeartbeat?.timeIntervalSince1970,
                action.state.rawValue, action.result?.rawValue, StringList.encode(action.messageIDs),
                action.heartbeatTimeout, action.closedAt?.timeIntervalSince1970, action.token, action.version,
            ]
        )
        guard db.changesCount == 1 else {
            guard let stored = try fetchAction(token: action.token, db) else {
                throw StoreError(.notFound, "no lifecycle action with token \(action.token)")
            }
            throw StoreError(
                .conflict,
                "lifecycle action \(action.token) changed since it was read (version \(action.version), now "
                    + "\(stored.version))"
            )
        }
        var next = action
        next.version += 1
        return next
    }

    static func fetchAction(token: String, _ db: Database) throws -> LifecycleAction? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT \(actionColumns) FROM lifecycle_action WHERE token = ?"),
            arguments: [token]
        ).map(action(from:))
    }

    /// The columns `action(from:)` reads, in its order (by index: name lookups cost more than the rest).
    static let actionColumns = """
        token, instance_id, hook, auto_scaling_group, deployment_group, transition, first_seen,
        heartbeat_deadline, global_deadline, heartbeats_sent, last_heartbeat, state, result, message_ids, version,
        heartbeat_timeout, closed_at
        """

    static func action(from row: Row) throws -> LifecycleAction {
        LifecycleAction(
            token: row[0],
            instanceID: row[1],
            hookName: row[2],
            autoScalingGroup: row[3],
            deploymentGroup: row[4],
            transition: row[5],
            firstSeen: date(row[6])!,
            heartbeatDeadline: date(row[7]),
            globalDeadline: date(row[8]),
            heartbeatsSent: row[9],
            lastHeartbeat: date(row[10]),
            state: try decodeEnum(row[11], "state"),
            result: try (row[12] as String?).map { try decodeEnum($0, "result") },
            messageIDs: try StringList.decode(row[13]),
            version: row[14],
            heartbeatTimeout: row[15],
            closedAt: date(row[16])
        )
    }

    // MARK: - Intents

    public func beginIntent(_ intent: Intent) async throws -> Intent {
        try await write { db in try Self.insert(intent, db) }
    }

    /// Inserts an intent; returns it with its id.
    static func insert(_ intent: Intent, _ db: Database) throws -> Intent {
        try db.cachedStatement(
            sql: """
                INSERT INTO intent (kind, deployment_group, action_token, instance_id, plan_id, payload, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(
            arguments: [
                intent.kind.rawValue, intent.deploymentGroup, intent.actionToken, intent.instanceID, intent.planID,
                intent.payload,
                intent.createdAt.timeIntervalSince1970,
            ]
        )
        var stored = intent
        stored.id = db.lastInsertedRowID
        return stored
    }

    public func finishIntent(
        id: Int64,
        outcome: Intent.Outcome,
        detail: String?,
        at: Date,
        action: LifecycleAction?,
        deployment: DeploymentRecord?
    ) async throws {
        // The outcomes of a pass's calls arrive together: they share commits.
        try await groupWrite { db in
            try db.cachedStatement(
                sql: "UPDATE intent SET outcome = ?, detail = ?, finished_at = ? WHERE id = ? AND outcome IS NULL"
            ).execute(
                arguments: [outcome.rawValue, detail, at.timeIntervalSince1970, id]
            )
            guard db.changesCount == 1 else {
                let exists =
                    try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM intent WHERE id = ?"), arguments: [id])
                    ?? false
                throw exists
                    ? StoreError(.conflict, "intent \(id) already has its outcome")
                    : StoreError(.notFound, "no intent \(id)")
            }
            if let action { _ = try Self.update(action, db) }
            if let deployment {
                try Self.upsert(deployment, db)
                try Self.markDeploying(deployment.instances, db)
            }
        }
    }

    static let markOneDeployingSQL =
        "UPDATE lifecycle_action SET state = 'deploying', version = version + 1 WHERE state = 'waiting' AND instance_id = ?"

    /// The `waiting` actions of these instances become `deploying`.
    static func markDeploying(_ instances: [String], _ db: Database) throws {
        for slice in instances.slices(Self.slice) {
            // `= ?` for one instance: SQLite builds a temporary b-tree for an `IN` list of parameters.
            let sql =
                slice.count == 1
                ? markOneDeployingSQL
                : "UPDATE lifecycle_action SET state = 'deploying', version = version + 1 "
                    + "WHERE state = 'waiting' AND instance_id IN (\(marks(slice.count)))"
            try db.cachedStatement(sql: sql).execute(arguments: textArguments(slice))
        }
    }

    public func openIntents() async throws -> [Intent] {
        try await read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM intent WHERE outcome IS NULL ORDER BY id")).map {
                row in
                Intent(
                    id: row["id"],
                    kind: try decodeEnum(row["kind"], "intent kind"),
                    deploymentGroup: row["deployment_group"],
                    actionToken: row["action_token"],
                    instanceID: row["instance_id"],
                    planID: row["plan_id"],
                    payload: row["payload"],
                    createdAt: date(row["created_at"])!
                )
            }
        }
    }
}

// MARK: - Column helpers

func date(_ seconds: Double?) -> Date? { seconds.map(Date.init(timeIntervalSince1970:)) }

func jsonText(_ value: some Encodable) throws -> String { try JSONValueEncoder.journal.string(value) }

func jsonValue<T: Decodable>(_ text: String) throws -> T {
    do {
        return try JSONValueDecoder.journal.decode(T.self, from: Data(text.utf8))
    } catch {
        throw StoreError(.unreadable, "a journal column holds unreadable JSON (\(text.prefix(40))…)")
    }
}

func decodeEnum<T: RawRepresentable>(_ raw: String, _ what: String) throws -> T where T.RawValue == String {
    guard let value = T(rawValue: raw) else {
        throw StoreError(.unreadable, "the journal holds an unknown \(what) '\(raw)'")
    }
    return value
}

extension JSONValueEncoder {
    /// The journal's JSON columns: dates as seconds since 1970, keys sorted.
    static let journal = JSONValueEncoder(dates: .secondsSince1970, format: [.sortedKeys])
}

extension JSONValueDecoder {
    static let journal = JSONValueDecoder(dates: .secondsSince1970)
}
