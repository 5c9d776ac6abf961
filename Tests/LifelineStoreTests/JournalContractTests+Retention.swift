import Foundation
import LifelineCore
import Testing

@testable import LifelineStore

/// Retention: what `prune(before:)` deletes and what it never touches, in both journals.
extension JournalContractTests {
    @Test(
        "a prune deletes what ended before the cutoff, never an open action or an open intent",
        arguments: JournalKind.allCases
    )
    func prune(_ kind: JournalKind) async throws {
        let journal = try kind.make()
        let old = t0.addingTimeInterval(-90 * 86_400)
        let cutoff = t0.addingTimeInterval(-30 * 86_400)
        var finished = action("tok-done", instance: "i-done", at: old, state: .completed)
        finished.closedAt = old
        var recent = action("tok-recent", instance: "i-recent", at: old, state: .closed)
        recent.closedAt = t0
        _ = try await journal.recordActions([finished, recent, action("tok-open", instance: "i-open", at: old)])
        let open = try await journal.beginIntent(
            Intent(kind: .complete, deploymentGroup: "shop/prod", payload: "{}", createdAt: old)
        )
        let done = try await journal.beginIntent(
            Intent(kind: .complete, deploymentGroup: "shop/prod", payload: "{}", createdAt: old)
        )
        try await journal.finishIntent(id: done.id!, outcome: .done, at: old)
        for (id, status, at) in [
            ("d-old", "Succeeded", old), ("d-running", "InProgress", old), ("d-new", "Failed", t0),
        ] {
            try await journal.recordDeployment(
                DeploymentRecord(
                    id: id,
                    deploymentGroup: "shop/prod",
                    revision: revision,
                    instances: ["i-1"],
                    status: status,
                    createdAt: at,
                    updatedAt: at
                )
            )
        }
        try await journal.appendMany([
            JournalEntry(at: old, decision: "heartbeat", reason: "old"),
            JournalEntry(at: t0, decision: "heartbeat", reason: "new"),
        ])
        try await journal.setLastGoodRevision(
            LastGoodRevision(deploymentGroup: "shop/prod", revision: revision, deploymentID: "d-old", recordedAt: old)
        )

        let report = try await journal.prune(before: cutoff)
        #expect(report == PruneReport(entries: 1, actions: 1, intents: 1, deployments: 1))
        #expect(try await journal.openActions().map(\.token) == ["tok-open"])
        #expect(try await journal.action(token: "tok-recent") != nil)
        #expect(try await journal.action(token: "tok-done") == nil)
        #expect(try await journal.openIntents().map(\.id) == [open.id])
        #expect(try await journal.deployment(id: "d-running") != nil)
        #expect(try await journal.deployment(id: "d-old") == nil)
        #expect(try await journal.entries(JournalQuery()).map(\.reason) == ["new"])
        #expect(try await journal.lastGoodRevision(deploymentGroup: "shop/prod")?.deploymentID == "d-old")
        #expect(try await journal.prune(before: cutoff) == PruneReport(), "a second prune finds nothing")
    }
}
