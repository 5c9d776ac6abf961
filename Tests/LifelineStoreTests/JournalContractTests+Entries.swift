import Foundation
import LifelineCore
import Testing

@testable import LifelineStore

/// The decision journal: entries written one at a time and a pass's many at once, in both journals.
extension JournalContractTests {
    @Test("the decision journal is read newest first, by time, group and instance", arguments: JournalKind.allCases)
    func decisionJournal(kind: JournalKind) async throws {
        let journal = try kind.make()
        for i in 0..<10 {
            try await journal.append(
                JournalEntry(
                    at: t0.addingTimeInterval(Double(i) * 60),
                    deploymentGroup: i % 2 == 0 ? "shop/prod" : "shop/staging",
                    instanceID: "i-\(i % 3)",
                    decision: "heartbeat",
                    reason: "half the heartbeat timeout passed",
                    observation: #"{"n":\#(i)}"#
                )
            )
        }
        let all = try await journal.entries(JournalQuery())
        #expect(all.count == 10)
        #expect(all.first?.observation == #"{"n":9}"#)
        #expect(try await journal.entries(JournalQuery(since: t0.addingTimeInterval(7 * 60))).count == 3)
        #expect(
            try await journal.entries(JournalQuery(deploymentGroup: "shop/prod")).map(\.observation)
                == [8, 6, 4, 2, 0].map { #"{"n":\#($0)}"# }
        )
        #expect(try await journal.entries(JournalQuery(deploymentGroup: "shop/staging", instanceID: "i-1")).count == 2)
        #expect(try await journal.entries(JournalQuery(limit: 2)).count == 2)
    }

    @Test("a pass's many entries, written in one call, come back whole and in order", arguments: JournalKind.allCases)
    func manyEntries(kind: JournalKind) async throws {
        let journal = try kind.make()
        // More than two of SQLiteJournal's multi-row inserts, with the optional columns empty in some.
        var written: [JournalEntry] = []
        for i in 0..<150 {
            let group: String? = i % 5 == 0 ? nil : "shop/g\(i % 7)"
            let instance: String? = i % 3 == 0 ? nil : "i-\(i)"
            let observation: String? = i % 2 == 0 ? nil : "{\"i\":\(i)}"
            written.append(
                JournalEntry(
                    at: t0.addingTimeInterval(Double(i)),
                    deploymentGroup: group,
                    instanceID: instance,
                    decision: "step \(i)",
                    reason: "reason \(i)",
                    observation: observation
                )
            )
        }
        try await journal.appendMany(written)
        let read = try await journal.entries(JournalQuery(limit: 500))
        #expect(read.count == 150)
        #expect(
            read.reversed().map { entry in
                var e = entry
                e.id = nil
                return e
            } == written
        )
    }
}
