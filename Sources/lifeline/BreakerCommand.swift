import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime
import LifelineStore

struct BreakerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker",
        abstract: "The loop breakers: which are open and why; close one.",
        discussion: """
            A group's loop breaker opens when launch → failed deployment → ABANDON → relaunch repeats \
            (3 times in 30 minutes unless the config says otherwise). While it is open lifeline makes no \
            follow-on deployments for the group and completes waiting instances with the breaker's \
            result. Fix the cause (the revision, the stale match), then reset it.

            Examples:
              lifeline breaker status
              lifeline breaker reset shop/prod
            """,
        subcommands: [Status.self, Reset.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every group's breaker: open or closed, why, the cycles in its window.",
            discussion: """
                Examples:
                  lifeline breaker status
                  lifeline breaker status --format json --db /var/lib/lifeline/lifeline.db
                """
        )

        @Option(help: "Output: a table for people, or json for programs.")
        var format: OutputFormat = .table

        @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
        var db: String?

        func run() async throws {
            do {
                let breakers = try await BreakerControl(path: db, access: .readOnly).status()
                print(format == .json ? BreakerControl.json(breakers) : BreakerControl.table(breakers))
            } catch {
                throw CommandFailure.exit("lifeline breaker status: \(error)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a group's breaker; cycles before now no longer count.",
            discussion: """
                Examples:
                  lifeline breaker reset shop/prod
                """
        )

        @Argument(help: "The deployment group, APP/GROUP.")
        var group: String

        @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
        var db: String?

        func run() async throws {
            guard let name = DeploymentGroupName(group) else {
                throw CommandFailure.exit("lifeline breaker reset: \(group) is not APP/GROUP (e.g. shop/prod)")
            }
            do {
                print(try await BreakerControl(path: db, access: .readWrite).reset(name))
            } catch {
                throw CommandFailure.exit("lifeline breaker reset: \(error)")
            }
        }
    }
}
