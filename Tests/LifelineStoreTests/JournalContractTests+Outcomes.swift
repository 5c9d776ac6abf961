import Foundation
import GRDB
import LifelineCore
import Synchronization
import Testing

@testable import LifelineStore

extension JournalContractTests {
    @Test(
        "outcomes finished at once each get their own result: the refused ones change nothing, the others land",
        arguments: JournalKind.allCases
    )
    func outcomesAtOnce(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        let count = 40
        let stored = try await journal.recordActions(
            (0..<count).map { action("tok-\($0)", instance: "i-\($0)") }
        )
        let intents = try await journal.recordBookkeeping(
            actions: [],
            lastGood: [],
            deployments: [],
            intents: (0..<count).map {
                Intent(kind: .createDeployment, deploymentGroup: "shop/prod", planID: "p-\($0)", createdAt: t0)
            }
        )
        // Two will be refused: one already has its outcome, one carries a stale action.
        let (finished, stale) = (12, 7)
        try await journal.finishIntent(id: intents[finished].id!, outcome: .failed, at: t0)
        _ = try await journal.updateAction(stored[stale])
        let results = await withTaskGroup(of: (Int, StoreError?).self) { group in
            for i in 0..<count {
                group.addTask {
                    var deploying = stored[i]
                    deploying.state = .deploying
                    do {
                        try await journal.finishIntent(
                            id: intents[i].id!,
                            outcome: .done,
                            detail: "d-\(i)",
                            at: t0,
                            action: deploying,
                            deployment: DeploymentRecord(
                                id: "d-\(i)",
                                deploymentGroup: "shop/prod",
                                revision: revision,
                                instances: ["i-\(i)"],
                                status: "Created",
                                createdAt: t0
                            )
                        )
                        return (i, nil)
                    } catch {
                        return (i, error as? StoreError)
                    }
                }
            }
            return await group.reduce(into: [Int: StoreError?]()) { $0[$1.0] = $1.1 }
        }
        #expect(results.count == count)
        #expect(results.filter { $0.value != nil }.keys.sorted() == [stale, finished])
        #expect(results[stale]??.code == .conflict && results[finished]??.code == .conflict)
        #expect(try await journal.openIntents().map(\.id) == [intents[stale].id], "the stale one stays open")
        #expect(try await journal.deployment(id: "d-\(stale)") == nil, "nothing of a refused outcome is written")
        #expect(try await journal.deployment(id: "d-\(finished)") == nil)
        #expect(try await journal.action(token: "tok-\(stale)")?.state == .waiting)
        for i in 0..<count where ![stale, finished].contains(i) {
            #expect(try await journal.deployment(id: "d-\(i)")?.instances == ["i-\(i)"])
            #expect(try await journal.action(token: "tok-\(i)")?.state == .deploying)
        }
    }
}

@Suite("group commit")
struct GroupCommitTests {
    @Test("writes committed together keep their own results: one that throws is rolled back alone")
    func savepoints() throws {
        let db = TempDB()
        let queue = try DatabaseQueue(path: db.path)
        try queue.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY)") }
        struct Refused: Error {}
        let results = GroupCommit(queue).commit([
            { try $0.execute(sql: "INSERT INTO t VALUES (1)") },
            {
                try $0.execute(sql: "INSERT INTO t VALUES (2)")
                throw Refused()
            },
            { try $0.execute(sql: "INSERT INTO t VALUES (1)") },  // a constraint the database refuses
            { try $0.execute(sql: "INSERT INTO t VALUES (3)") },
        ])
        #expect(results.map { (try? $0.get()) != nil } == [true, false, false, true])
        #expect(try queue.read { try Int.fetchAll($0, sql: "SELECT x FROM t ORDER BY x") } == [1, 3])
    }

    /// A table `t` in a new file, and the first word of each statement run on it from then on.
    func traced() throws -> (DatabaseQueue, kinds: () -> [String]) {
        let db = TempDB()
        let statements = Mutex<[String]>([])
        var config = Configuration()
        config.prepareDatabase { db in
            db.trace { event in statements.withLock { $0.append("\(event)") } }
        }
        let queue = try DatabaseQueue(path: db.path, configuration: config)
        try queue.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY)") }
        statements.withLock { $0.removeAll() }
        let kinds = { statements.withLock { $0 }.map { $0.split(separator: " ").first.map(String.init) ?? "" } }
        return (queue, kinds)
    }

    @Test("writes that all succeed share one transaction and no savepoint")
    func oneTransaction() throws {
        let (queue, kinds) = try traced()
        let results = GroupCommit(queue).commit(
            (1...3).map { x in { try $0.execute(sql: "INSERT INTO t VALUES (\(x))") } }
        )
        #expect(kinds() == ["BEGIN", "INSERT", "INSERT", "INSERT", "COMMIT"])
        #expect(results.allSatisfy { (try? $0.get()) != nil })
        #expect(try queue.read { try Int.fetchAll($0, sql: "SELECT x FROM t ORDER BY x") } == [1, 2, 3])
    }

    @Test("the first write waits for the gathering window, and a write arriving within it shares its commit")
    func gathers() async throws {
        let (queue, kinds) = try traced()
        let commit = GroupCommit(queue, gather: .milliseconds(500))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await commit.write { try $0.execute(sql: "INSERT INTO t VALUES (1)") } }
            try await Task.sleep(for: .milliseconds(50))
            group.addTask { try await commit.write { try $0.execute(sql: "INSERT INTO t VALUES (2)") } }
            try await group.waitForAll()
        }
        #expect(kinds() == ["BEGIN", "INSERT", "INSERT", "COMMIT"])
        #expect(try await queue.read { try Int.fetchAll($0, sql: "SELECT x FROM t ORDER BY x") } == [1, 2])
    }

    @Test("a transaction that cannot begin fails every write in it")
    func allFail() throws {
        let db = TempDB()
        let queue = try DatabaseQueue(path: db.path)
        try queue.write { try $0.execute(sql: "CREATE TABLE t (x INTEGER PRIMARY KEY)") }
        // Another connection holds the write lock (no busy timeout here: BEGIN fails at once).
        var holding = Configuration()
        holding.allowsUnsafeTransactions = true
        let other = try DatabaseQueue(path: db.path, configuration: holding)
        try other.inDatabase { try $0.execute(sql: "BEGIN IMMEDIATE") }
        let results = GroupCommit(queue).commit([
            { try $0.execute(sql: "INSERT INTO t VALUES (1)") },
            { try $0.execute(sql: "INSERT INTO t VALUES (2)") },
        ])
        #expect(results.allSatisfy { (try? $0.get()) == nil })
        try other.inDatabase { try $0.execute(sql: "ROLLBACK") }
        #expect(try queue.read { try Int.fetchAll($0, sql: "SELECT x FROM t") }.isEmpty)
    }
}
