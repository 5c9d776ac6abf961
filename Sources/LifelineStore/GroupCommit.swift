import Foundation
import GRDB
import Synchronization

/// Group commit: writes that arrive while another waits to be committed share its transaction.
/// Each caller still returns only once its own write is durable, with its own error: a write that
/// throws is rolled back to its savepoint, and the others commit. A pass that creates 1,000
/// deployments records their 1,000 outcomes in a few commits instead of one each.
final class GroupCommit: Sendable {
    typealias Write = @Sendable (Database) throws -> Void

    private struct Queue {
        var writes: [(body: Write, done: CheckedContinuation<Void, any Error>)] = []
        var flushing = false
    }

    private let queue = Mutex(Queue())
    private let pool: any DatabaseWriter

    init(_ pool: any DatabaseWriter) { self.pool = pool }

    /// Runs `body` in a transaction shared with the writes that arrive meanwhile; returns once it is
    /// committed. `body` may run twice (see `commit`): it must change nothing but the database.
    func write(_ body: @escaping Write) async throws {
        try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
            let leads = queue.withLock { queue in
                queue.writes.append((body, done))
                defer { queue.flushing = true }
                return !queue.flushing
            }
            // The first commits from a task of its own, queued behind the tasks ready now: those
            // that reach a write meanwhile join its transaction.
            if leads { Task { self.flush() } }
        }
    }

    private func flush() {
        while true {
            let writes = queue.withLock { queue in
                defer { queue.writes.removeAll() }
                if queue.writes.isEmpty { queue.flushing = false }
                return queue.writes
            }
            guard !writes.isEmpty else { return }
            let results = commit(writes.map(\.body))
            for (write, result) in zip(writes, results) { write.done.resume(with: result) }
        }
    }

    /// One transaction for `bodies`; the result of each. The writes run one after another, with no
    /// savepoints: a savepoint for each costs two statements more and a copy of every page it
    /// changes. When one throws, the transaction is rolled back and run again with a savepoint for
    /// each, so that only that write fails.
    func commit(_ bodies: [Write]) -> [Result<Void, any Error>] {
        do {
            try transaction { db in
                for body in bodies { try body(db) }
            }
            return bodies.map { _ in .success(()) }
        } catch {
            guard bodies.count > 1 else { return [.failure(error)] }
        }
        var results = [Result<Void, any Error>](repeating: .success(()), count: bodies.count)
        do {
            try transaction { db in
                for (i, body) in bodies.enumerated() {
                    try db.cachedStatement(sql: "SAVEPOINT one_write").execute()
                    do {
                        try body(db)
                    } catch {
                        results[i] = .failure(error)
                        try db.cachedStatement(sql: "ROLLBACK TO SAVEPOINT one_write").execute()
                    }
                    try db.cachedStatement(sql: "RELEASE SAVEPOINT one_write").execute()
                }
            }
        } catch {
            // Nothing was committed: every write fails with the transaction's error.
            return bodies.map { _ in .failure(error) }
        }
        return results
    }

    /// `body` in one IMMEDIATE transaction, committed; rolled back when it throws.
    private func transaction(_ body: (Database) throws -> Void) throws {
        try pool.writeWithoutTransaction { db in try db.immediateTransaction { try body(db) } }
    }
}
