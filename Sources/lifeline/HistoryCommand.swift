import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime
import LifelineStore

struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "What lifeline decided, and why, from its journal; prune what is old.",
        discussion: """
            Examples:
              lifeline history --since 2h
              lifeline history --group shop/prod --instance i-0123456789abcdef0 --format json
              lifeline history prune --older-than 30d
            """,
        subcommands: [Show.self, HistoryPrune.self],
        defaultSubcommand: Show.self
    )
}

extension HistoryCommand {
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "What lifeline decided, and why (the default).",
            discussion: """
                Examples:
                  lifeline history show --since 7d --group shop/prod
                """
        )

        @Option(help: "How far back: 300s, 30m, 24h, 7d.")
        var since: String = "24h"

        @Option(help: "Only this deployment group (APP/GROUP).")
        var group: String?

        @Option(help: "Only this instance.")
        var instance: String?

        @Option(help: "Output: a table for people, or json for programs.")
        var format: OutputFormat = .table

        @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
        var db: String?

        func run() async throws {
            guard let seconds = DurationText.seconds(since) else {
                throw CommandFailure.exit(
                    "lifeline history: --since \(since) is not a duration; write it like 30m, 24h or 7d"
                )
            }
            let path = SQLiteJournal.defaultPath(flag: db, environment: ProcessInfo.processInfo.environment)
            let query = JournalQuery(
                since: Date().addingTimeInterval(-seconds),
                deploymentGroup: group,
                instanceID: instance,
                limit: 10_000
            )
            do {
                let report = try await HistoryReport.load(path: path, query: query)
                print(format == .json ? report.json : report.table)
            } catch {
                throw CommandFailure.exit("lifeline history: \(error)")
            }
        }
    }
}
