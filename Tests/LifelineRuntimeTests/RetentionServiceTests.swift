import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("retention in serve")
struct RetentionServiceTests {
    @Test("a prune counts ages on the clock it is given (AWS's), not the host's")
    func prunesOnTheGivenClock() async throws {
        let journal = InMemoryJournal()
        // The account's clock is a year behind the host's: on it, neither entry is older than 30 days.
        let aws = Date().addingTimeInterval(-365 * 86_400)
        try await journal.appendMany([
            JournalEntry(at: aws.addingTimeInterval(-40 * 86_400), decision: "heartbeat", reason: "old"),
            JournalEntry(at: aws.addingTimeInterval(-86_400), decision: "heartbeat", reason: "recent"),
        ])
        let service = RetentionService(
            journal: journal,
            retention: 30 * 86_400,
            now: { aws },
            logger: Logger(label: "test")
        )
        await service.prune()
        #expect(try await journal.entries(JournalQuery()).map(\.reason) == ["recent"])
    }
}
