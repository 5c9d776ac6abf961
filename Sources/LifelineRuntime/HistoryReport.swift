import Foundation
import LifelineCore
import LifelineStore

/// `lifeline history`: the decision journal, filtered, as a table or JSON.
public struct HistoryReport: Sendable {
    public let entries: [JournalEntry]

    public init(entries: [JournalEntry]) { self.entries = entries }

    /// Reads the journal at `path` read-only, without creating one where there is none.
    public static func load(path: String, query: JournalQuery) async throws -> HistoryReport {
        let journal = try SQLiteJournal(path: path, access: .readOnly)
        return HistoryReport(entries: try await journal.entries(query))
    }

    public var table: String {
        guard !entries.isEmpty else { return "no decisions recorded in that window" }
        let rows = entries.map { e in
            [Self.time(e.at), e.deploymentGroup ?? "-", e.instanceID ?? "-", e.decision, e.reason]
        }
        let header = ["TIME (UTC)", "GROUP", "INSTANCE", "DECISION", "WHY"]
        let widths = (0..<4).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            (0..<4).map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                + "  " + cells[4]
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n")
    }

    public var json: String {
        struct Row: Encodable {
            var at: String
            var group: String?
            var instance: String?
            var decision: String
            var reason: String
            var observation: String?
        }
        let rows = entries.map {
            Row(
                at: Self.time($0.at),
                group: $0.deploymentGroup,
                instance: $0.instanceID,
                decision: $0.decision,
                reason: $0.reason,
                observation: $0.observation
            )
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(rows)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func time(_ date: Date) -> String { date.formatted(.iso8601) }
}
