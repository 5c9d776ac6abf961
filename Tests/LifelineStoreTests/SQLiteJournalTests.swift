import Foundation
import GRDB
import LifelineCore
import Testing

@testable import LifelineStore

@Suite("SQLite journal file")
struct SQLiteJournalTests {
    @Test(
        "the database and its WAL files are created 0600, in WAL mode with synchronous=NORMAL; statement journals and a commit's pages stay in memory"
    )
    func fileProperties() async throws {
        let db = TempDB()
        let journal = try SQLiteJournal(path: db.path)
        _ = try await journal.recordAction(action("tok"))
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: db.path + suffix)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(suffix)")
        }
        let (mode, sync) = try await journal.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        #expect(mode == "wal")
        #expect(sync == 1)
        // Every connection: a group commit's savepoints spilled their journals to /var/tmp before.
        let memory: @Sendable (Database) throws -> [Int?] = { db in
            [try Int.fetchOne(db, sql: "PRAGMA temp_store"), try Int.fetchOne(db, sql: "PRAGMA cache_size")]
        }
        #expect(try await journal.pool.read(memory) == [2, -16384])
        #expect(try await journal.pool.writeWithoutTransaction(memory) == [2, -16384])
        #expect(try journal.integrityCheck() == "ok")
    }

    @Test("a looser existing file is tightened to 0600")
    func tightens() throws {
        let db = TempDB()
        FileManager.default.createFile(atPath: db.path, contents: nil, attributes: [.posixPermissions: 0o644])
        _ = try SQLiteJournal(path: db.path)
        #expect(
            (try FileManager.default.attributesOfItem(atPath: db.path)[.posixPermissions] as? NSNumber)?.intValue
                == 0o600
        )
    }

    @Test("what is written survives reopening")
    func persists() async throws {
        let db = TempDB()
        do {
            let journal = try SQLiteJournal(path: db.path)
            _ = try await journal.recordAction(action("tok", messages: ["m1"]))
            try await journal.append(
                JournalEntry(at: t0, deploymentGroup: "shop/prod", decision: "create-deployment", reason: "2 waiting")
            )
        }
        let reopened = try SQLiteJournal(path: db.path)
        #expect(try await reopened.action(token: "tok")?.messageIDs == ["m1"])
        #expect(try await reopened.entries(JournalQuery()).map(\.decision) == ["create-deployment"])
    }

    @Test("an old database is upgraded in place, its rows kept")
    func upgrades() async throws {
        let db = TempDB()
        do {
            let old = try SQLiteJournal(path: db.path, migrations: 1)
            // The row as v1 wrote it: the current code writes columns v1 does not have.
            try await old.pool.write { db in
                try db.execute(
                    sql: """
                        INSERT INTO lifecycle_action (token, instance_id, hook, auto_scaling_group, transition,
                            first_seen, heartbeat_deadline, state, version)
                        VALUES ('from-v1', 'i-1', 'h', 'g', 'autoscaling:EC2_INSTANCE_LAUNCHING', 1, 301, 'waiting', 1)
                        """
                )
            }
            let hasDeployments = try await old.pool.read { try $0.tableExists("deployment") }
            #expect(!hasDeployments)
        }
        let upgraded = try SQLiteJournal(path: db.path)
        let kept = try #require(try await upgraded.action(token: "from-v1"))
        #expect(kept.heartbeatDeadline == Date(timeIntervalSince1970: 301) && kept.heartbeatTimeout == nil)
        try await upgraded.recordDeployment(
            DeploymentRecord(
                id: "d-1",
                deploymentGroup: "g",
                revision: revision,
                instances: [],
                status: "Created",
                createdAt: t0
            )
        )
        #expect(try await upgraded.deployment(id: "d-1") != nil)
    }

    @Test("a database from a newer lifeline is refused with a message naming it")
    func refusesNewer() async throws {
        let db = TempDB()
        do {
            let journal = try SQLiteJournal(path: db.path)
            try await journal.pool.write {
                try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
            }
        }
        let error = #expect(throws: StoreError.self) { _ = try SQLiteJournal(path: db.path) }
        #expect(error?.code == .newerSchema)
        #expect(error?.message.contains(db.path) == true)
        #expect(error?.message.contains("v9-from-the-future") == true)
    }

    @Test(
        "a file that is not a database, or cannot be opened, gives one line naming it",
        arguments: ["garbage", "missing-folder"]
    )
    func unreadable(kind: String) throws {
        let db = TempDB()
        var path = db.path
        if kind == "garbage" {
            try Data(repeating: 0x5a, count: 8192).write(to: URL(fileURLWithPath: path))
        } else {
            path = db.folder.appendingPathComponent("no/such/folder/lifeline.db").path
        }
        let error = #expect(throws: StoreError.self) { _ = try SQLiteJournal(path: path) }
        #expect(error?.code == .unreadable)
        #expect(error?.message.contains(path) == true)
        #expect(error?.message.contains("--db") == true)
        #expect(error?.message.contains("\n") == false)
    }

    @Test("writing an action builds no temporary b-tree, and open actions are read through their index")
    func cheapActionWrites() throws {
        let db = TempDB()
        _ = try SQLiteJournal(path: db.path)
        let queue = try DatabaseQueue(path: db.path)
        try queue.read { db in
            // The statements an outcome runs for each action (markDeploying, one instance).
            let update = try Row.fetchAll(db, sql: "EXPLAIN " + SQLiteJournal.markOneDeployingSQL, arguments: ["i-1"])
            #expect(!update.contains { ($0["opcode"] as String?) == "OpenEphemeral" })
            let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + SQLiteJournal.openActionsSQL)
            #expect(plan.contains { ($0["detail"] as String?)?.contains("lifecycle_action_open") == true })
        }
    }

    @Test("the decision journal cannot be rewritten")
    func appendOnly() async throws {
        let journal = try SQLiteJournal(path: TempDB().path)
        try await journal.append(JournalEntry(at: t0, decision: "heartbeat", reason: "r"))
        await #expect(throws: (any Error).self) {
            try await journal.pool.write { try $0.execute(sql: "UPDATE journal SET reason = 'rewritten'") }
        }
        await #expect(throws: (any Error).self) {
            try await journal.pool.write { try $0.execute(sql: "DELETE FROM journal") }
        }
        #expect(try await journal.entries(JournalQuery()).map(\.reason) == ["r"])
    }

    @Test("after a prune the journal is still append-only above the prune floor")
    func appendOnlyAfterPrune() async throws {
        let journal = try SQLiteJournal(path: TempDB().path)
        try await journal.appendMany([
            JournalEntry(at: t0, decision: "heartbeat", reason: "old"),
            JournalEntry(at: t0.addingTimeInterval(86_400), decision: "heartbeat", reason: "new"),
        ])
        #expect(try await journal.prune(before: t0.addingTimeInterval(3600)).entries == 1)
        await #expect(throws: (any Error).self) {
            try await journal.pool.write { try $0.execute(sql: "DELETE FROM journal") }
        }
        #expect(try await journal.entries(JournalQuery()).map(\.reason) == ["new"])
    }

    @Test("a year of rows pruned to 30 days: the file shrinks, and what is kept stays readable")
    func pruneShrinksTheFile() async throws {
        let path = TempDB().path
        let journal = try SQLiteJournal(path: path)
        // A year of a busy group's decisions: 200 a day, with a realistic reason each.
        for day in 0..<365 {
            let at = t0.addingTimeInterval(Double(day) * 86_400)
            try await journal.appendMany(
                (0..<200).map { n in
                    JournalEntry(
                        at: at.addingTimeInterval(Double(n)),
                        deploymentGroup: "shop/prod",
                        instanceID: "i-\(day)-\(n)",
                        decision: "heartbeat",
                        reason: "deployment d-\(day) still runs on the instance; half the hook's 300 s timeout passed"
                    )
                }
            )
        }
        try await journal.vacuum()
        let before = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        let now = t0.addingTimeInterval(365 * 86_400)
        let report = try await journal.prune(before: now.addingTimeInterval(-30 * 86_400))
        let after = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        #expect(report.entries == 335 * 200)
        #expect(try await journal.entries(JournalQuery(limit: 100_000)).count == 30 * 200)
        #expect(after * 5 < before, "\(before) bytes before, \(after) after")
        print("journal: a year of 73,000 decisions is \(before) bytes; pruned to 30 days, \(after) bytes")
        #expect(try journal.integrityCheck() == "ok")
    }

    @Test("a writer waits out another connection's write lock instead of failing with SQLITE_BUSY")
    func busyTimeout() async throws {
        let db = TempDB()
        let first = try SQLiteJournal(path: db.path)
        let second = try SQLiteJournal(path: db.path)  // a second pool: as another process would
        let holding = Task {
            try await first.pool.write { db in
                try db.execute(sql: "INSERT INTO journal (at, decision, reason) VALUES (0, 'hold', 'lock')")
                Thread.sleep(forTimeInterval: 0.5)
            }
        }
        try await Task.sleep(for: .milliseconds(100))
        _ = try await second.recordAction(action("while-locked"))
        try await holding.value
        #expect(try await first.action(token: "while-locked") != nil)
        #expect(try await second.entries(JournalQuery()).map(\.decision) == ["hold"])
    }

    @Test("--db, then LIFELINE_DB, then ./lifeline.db")
    func defaultPath() {
        #expect(
            SQLiteJournal.defaultPath(flag: "/var/lib/lifeline/x.db", environment: ["LIFELINE_DB": "/y.db"])
                == "/var/lib/lifeline/x.db"
        )
        #expect(SQLiteJournal.defaultPath(flag: nil, environment: ["LIFELINE_DB": "/y.db"]) == "/y.db")
        #expect(SQLiteJournal.defaultPath(flag: nil, environment: [:]) == "lifeline.db")
    }
}
