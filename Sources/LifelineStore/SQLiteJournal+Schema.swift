import GRDB

/// The journal's schema, as versioned migrations applied at open. Never edit a shipped migration:
/// add the next one.
extension SQLiteJournal {
    static let migrations: [(name: String, sql: String)] = [
        (
            "v1-actions-and-intents",
            """
            CREATE TABLE lifecycle_action (
                token TEXT PRIMARY KEY NOT NULL,
                instance_id TEXT NOT NULL,
                hook TEXT NOT NULL,
                auto_scaling_group TEXT NOT NULL,
                deployment_group TEXT,
                transition TEXT NOT NULL,
                first_seen REAL NOT NULL,
                heartbeat_deadline REAL,
                global_deadline REAL,
                heartbeats_sent INTEGER NOT NULL DEFAULT 0,
                last_heartbeat REAL,
                state TEXT NOT NULL,
                result TEXT,
                message_ids TEXT NOT NULL DEFAULT '[]',
                version INTEGER NOT NULL
            );
            CREATE INDEX lifecycle_action_open ON lifecycle_action(first_seen) WHERE state IN ('waiting', \
            'deploying', 'completing');
            CREATE INDEX lifecycle_action_instance ON lifecycle_action(instance_id);

            CREATE TABLE intent (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                kind TEXT NOT NULL,
                deployment_group TEXT,
                action_token TEXT,
                instance_id TEXT,
                plan_id TEXT,
                payload TEXT NOT NULL,
                created_at REAL NOT NULL,
                outcome TEXT,
                detail TEXT,
                finished_at REAL
            );
            CREATE INDEX intent_open ON intent(id) WHERE outcome IS NULL;
            """
        ),
        (
            "v2-deployments-breakers-journal",
            """
            CREATE TABLE deployment (
                id TEXT PRIMARY KEY NOT NULL,
                deployment_group TEXT NOT NULL,
                plan_id TEXT,
                revision TEXT NOT NULL,
                instances TEXT NOT NULL,
                status TEXT NOT NULL,
                created_at REAL NOT NULL,
                updated_at REAL NOT NULL
            );
            CREATE INDEX deployment_by_group ON deployment(deployment_group, created_at);

            CREATE TABLE last_good_revision (
                deployment_group TEXT PRIMARY KEY NOT NULL,
                revision TEXT NOT NULL,
                deployment_id TEXT,
                recorded_at REAL NOT NULL
            );

            CREATE TABLE breaker (
                deployment_group TEXT PRIMARY KEY NOT NULL,
                is_open INTEGER NOT NULL,
                opened_at REAL,
                reason TEXT,
                cycles TEXT NOT NULL DEFAULT '[]',
                version INTEGER NOT NULL
            );

            CREATE TABLE journal (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at REAL NOT NULL,
                deployment_group TEXT,
                instance_id TEXT,
                decision TEXT NOT NULL,
                reason TEXT NOT NULL,
                observation TEXT
            );
            CREATE INDEX journal_by_time ON journal(at);
            CREATE INDEX journal_by_group ON journal(deployment_group, at);
            CREATE INDEX journal_by_instance ON journal(instance_id, at);
            CREATE TRIGGER journal_is_append_only_update BEFORE UPDATE ON journal
                BEGIN SELECT RAISE(ABORT, 'the decision journal is append-only'); END;
            CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
                BEGIN SELECT RAISE(ABORT, 'the decision journal is append-only'); END;
            """
        ),
        (
            "v3-breaker-scanned-through",
            """
            ALTER TABLE breaker ADD COLUMN scanned_through TEXT;
            ALTER TABLE breaker ADD COLUMN reset_at REAL;
            """
        ),
        (
            // The hook's own HeartbeatTimeout (as Auto Scaling reports it): the journal alone then
            // says when each action's next heartbeat is due.
            "v4-action-heartbeat-timeout",
            "ALTER TABLE lifecycle_action ADD COLUMN heartbeat_timeout INTEGER;"
        ),
        (
            // When an action was finished (an instance waiting again soon after is not adopted
            // again at once), and the breaker's selection misses (waiting instances two of
            // lifeline's deployments did not target), which count towards it like loop cycles.
            "v5-action-closed-at-breaker-misses",
            """
            ALTER TABLE lifecycle_action ADD COLUMN closed_at REAL;
            ALTER TABLE breaker ADD COLUMN misses TEXT NOT NULL DEFAULT '[]';
            """
        ),
        (
            // Retention: the decision journal stays append-only, except that rows older than the
            // prune floor may go (`prune(before:)` raises the floor, then deletes below it).
            "v6-retention-floor",
            """
            CREATE TABLE retention (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                pruned_before REAL NOT NULL
            );
            DROP TRIGGER journal_is_append_only_delete;
            CREATE TRIGGER journal_is_append_only_delete BEFORE DELETE ON journal
                WHEN OLD.at >= COALESCE((SELECT pruned_before FROM retention WHERE id = 1), -1e308)
                BEGIN SELECT RAISE(ABORT, 'the decision journal is append-only'); END;
            """
        ),
        (
            // The drift check: each Auto Scaling group's hooks as last read, so that neither serve
            // nor a one-shot reconcile soon after reads them again within the interval.
            "v7-hook-check",
            """
            CREATE TABLE hook_check (
                auto_scaling_group TEXT PRIMARY KEY NOT NULL,
                hooks TEXT NOT NULL,
                checked_at REAL NOT NULL
            );
            """
        ),
        (
            // The open-actions index, with the same rows, tested without `IN`: SQLite evaluates a
            // partial index's condition on every write to the table, and an `IN` list costs it a
            // temporary b-tree each time (about 3,000 in a 1,000-group cold pass).
            "v8-open-actions-index",
            """
            DROP INDEX lifecycle_action_open;
            CREATE INDEX lifecycle_action_open ON lifecycle_action(first_seen) WHERE state <> 'completed' \
            AND state <> 'closed';
            """
        ),
    ]

    /// The migrator with the first `count` migrations (all by default; fewer to build old files in tests).
    static func migrator(upTo count: Int = migrations.count) -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations.prefix(count) {
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }
}
