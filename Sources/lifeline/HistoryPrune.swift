import ArgumentParser
import Foundation
import LifelineCore
import LifelineStore

/// `lifeline history prune`: retention by hand (serve prunes daily by `retention:`).
struct HistoryPrune: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Forget what ended longer ago than --older-than; open actions and intents stay.",
        discussion: """
            Deletes decisions, finished lifecycle actions, finished intents and ended deployments older than \
            the given age, then gives the file's space back (VACUUM). Open actions and open intents, the last \
            good revisions and the loop breakers are never pruned. serve does the same daily with the \
            config's retention (default 90d), and holds the journal while it runs: stop it first, or let it \
            prune.

            Examples:
              lifeline history prune --older-than 30d
              lifeline history prune --older-than 365d --db /var/lib/lifeline/lifeline.db
            """
    )

    @Option(help: "Prune what ended longer ago than this: 30d, 720h (at least 1d).")
    var olderThan: String

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    func run() async throws {
        guard let seconds = DurationText.seconds(olderThan), seconds >= 86_400 else {
            throw CommandFailure.exit(
                "lifeline history prune: --older-than \(olderThan) is not a duration of a day or more; write it "
                    + "like 30d"
            )
        }
        let path = SQLiteJournal.defaultPath(flag: db, environment: ProcessInfo.processInfo.environment)
        do {
            guard FileManager.default.fileExists(atPath: path) else {
                throw StoreError(.notFound, "no journal at \(path): give --db")
            }
            _ = try SQLiteJournal.check(path)
            let lock = try JournalLock(journal: path)
            let journal = try SQLiteJournal(path: path)
            let cutoff = Date().addingTimeInterval(-seconds)
            let report = try await journal.prune(before: cutoff)
            withExtendedLifetime(lock) {}
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            print("pruned \(report.summary) that ended before \(cutoff.formatted(.iso8601)); \(path) is \(size) bytes")
        } catch {
            throw CommandFailure.exit("lifeline history prune: \(error)")
        }
    }
}
