import Foundation
import LifelineCore
import LifelineStore

/// `lifeline breaker status|reset`: reads and closes the loop breakers in the journal.
public struct BreakerControl: Sendable {
    let journal: any Journal
    let now: @Sendable () -> Date

    /// `access`: `status` only reads (and works on a read-only file; with no journal there, it shows
    /// none); `reset` writes.
    public init(
        path: String?,
        access: SQLiteJournal.Access,
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws {
        let path = SQLiteJournal.defaultPath(flag: path, environment: ProcessInfo.processInfo.environment)
        // No journal yet holds no breaker: status says so and creates nothing.
        journal =
            access == .readOnly && !FileManager.default.fileExists(atPath: path)
            ? InMemoryJournal() : try SQLiteJournal(path: path, access: access)
        self.now = now
    }

    public func status() async throws -> [BreakerState] { try await journal.breakers() }

    /// Closes the breaker and forgets its cycles; returns one line saying what happened.
    public func reset(_ group: DeploymentGroupName) async throws -> String {
        guard var breaker = try await journal.breaker(deploymentGroup: group.description) else {
            return "\(group): no breaker on record; nothing to reset"
        }
        let wasOpen = breaker.isOpen
        let at = now()
        breaker.isOpen = false
        breaker.openedAt = nil
        breaker.reason = nil
        breaker.cycles = []
        breaker.resetAt = at
        _ = try await journal.saveBreaker(breaker)
        try await journal.append(
            JournalEntry(
                at: at,
                deploymentGroup: group.description,
                decision: "breaker reset",
                reason: wasOpen
                    ? "closed by lifeline breaker reset" : "cycles cleared by lifeline breaker reset (it was closed)"
            )
        )
        return wasOpen
            ? "\(group): loop breaker closed; cycles before \(at.formatted(.iso8601)) no longer count"
            : "\(group): was closed; its cycles are cleared"
    }

    public static func table(_ breakers: [BreakerState]) -> String {
        guard !breakers.isEmpty else { return "no breakers on record" }
        let rows =
            [["GROUP", "STATE", "CYCLES", "SINCE", "REASON"]]
            + breakers.map { b in
                [
                    b.deploymentGroup, b.isOpen ? "open" : "closed", String(b.cycles.count),
                    b.openedAt.map { $0.formatted(.iso8601) } ?? "-", b.reason ?? "-",
                ]
            }
        return TextTable.render(rows).joined(separator: "\n")
    }

    public static func json(_ breakers: [BreakerState]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(breakers)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }
}
