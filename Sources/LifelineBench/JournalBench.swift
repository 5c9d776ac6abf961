import Foundation
import LifelineCore
import LifelineStore

/// Elapsed wall time of `body`, in milliseconds.
func milliseconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = ContinuousClock.now
    try await body()
    let d = ContinuousClock.now - start
    return Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15
}

func scratchDatabase(_ name: String) -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-bench-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    return folder.appendingPathComponent(name).path
}

func benchAction(_ i: Int, state: LifecycleAction.State = .waiting, at: Date) -> LifecycleAction {
    LifecycleAction(
        token: String(format: "%08x-0000-4000-8000-%012x", i, i),
        instanceID: String(format: "i-%017x", i),
        hookName: "lifeline-launch-prod",
        autoScalingGroup: "asg-\(i % 1000)",
        deploymentGroup: "app/dg-\(i % 1000)",
        firstSeen: at.addingTimeInterval(Double(i)),
        heartbeatDeadline: at.addingTimeInterval(300),
        globalDeadline: at.addingTimeInterval(30_000),
        state: state,
        messageIDs: ["m-\(i)"]
    )
}

/// 10,000 action upserts in one transaction (a wave of new instances seen at once). Target ≤ 100 ms.
struct JournalUpsertBench: Bench {
    let name = "journal.upsert-10k"

    func run() async throws -> BenchRow {
        let journal = try SQLiteJournal(path: scratchDatabase("upsert.db"))
        let now = Date()
        let actions = (0..<10_000).map { benchAction($0, at: now) }
        _ = try await journal.recordActions(Array(actions.prefix(100)))  // warm the statement cache and the file
        var best = Double.infinity
        for round in 0..<5 {
            let batch = actions.map { a -> LifecycleAction in
                var a = a
                a.token += "-\(round)"
                return a
            }
            best = min(best, try await milliseconds { _ = try await journal.recordActions(batch) })
        }
        return BenchRow(
            name: name,
            result: String(format: "%.1f ms (best of 5)", best),
            target: "≤ 100 ms",
            met: best <= 100
        )
    }
}

/// The open actions among 1,000,000 journal rows and 100,000 actions (1,000 open). Target ≤ 10 ms.
struct JournalOpenActionsBench: Bench {
    let name = "journal.open-actions"

    func run() async throws -> BenchRow {
        let path = scratchDatabase("open.db")
        let journal = try SQLiteJournal(path: path)
        let now = Date()
        for chunk in stride(from: 0, to: 100_000, by: 10_000) {
            _ = try await journal.recordActions(
                (chunk..<chunk + 10_000).map { benchAction($0, state: $0 % 100 == 0 ? .waiting : .completed, at: now) }
            )
        }
        try await journal.appendMany(
            (0..<1_000_000).map { i in
                JournalEntry(
                    at: now.addingTimeInterval(Double(i)),
                    deploymentGroup: "app/dg-\(i % 1000)",
                    instanceID: String(format: "i-%017x", i % 100_000),
                    decision: i % 3 == 0 ? "heartbeat" : "complete CONTINUE",
                    reason: "bench row \(i)"
                )
            }
        )
        var best = Double.infinity
        var count = 0
        for _ in 0..<20 {
            best = min(best, try await milliseconds { count = try await journal.openActions().count })
        }
        precondition(count == 1000)
        return BenchRow(
            name: name,
            result: String(format: "%.2f ms for %d open (best of 20)", best, count),
            target: "≤ 10 ms",
            met: best <= 10
        )
    }
}
