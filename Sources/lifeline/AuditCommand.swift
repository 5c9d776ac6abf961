import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "What each deployment group matches, what is stale or drifted, and how to fix it.",
        discussion: """
            Per deployment group: every instance it matches (members of its Auto Scaling groups and
            instances its tag filters or tag set select), classified healthy, pending, outdated, stale
            or orphan-action with why and since when; hook drift; stuck deployments; the loop breaker;
            and for each finding the exact AWS CLI commands that fix it. Changes nothing.
            Exit status: 0 clean, 3 findings, 1 error (a deployment group CodeDeploy does not know is one).

            Examples:
              lifeline audit --config lifeline.yaml
              lifeline audit --group shop/prod --only stale
              lifeline audit --config lifeline.yaml --format html > audit.html
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The config file (YAML). Without one, lifeline audits the groups that carry its hook.")
    var config: String?

    @Option(help: "Only this deployment group (APP/GROUP); repeat for more.")
    var group: [String] = []

    @Option(help: "Output: table, json, csv or html.")
    var format: String = "table"

    @Option(help: "Only 'stale': the stale instances and their findings.")
    var only: String?

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    func run() async throws {
        global.bootstrapLogging()
        guard let output = AuditFormat(rawValue: format) else {
            throw CommandFailure.exit("lifeline audit: --format \(format) is not known; use table, json, csv or html")
        }
        if let only, only != "stale" {
            throw CommandFailure.exit("lifeline audit: --only \(only) is not known; use --only stale")
        }
        let setup = try await ReconcileSetup.make(
            command: "audit",
            global: global,
            configPath: config,
            queueURL: nil,
            db: db,
            only: group
        )
        let selected = group.isEmpty ? nil : Set(group.compactMap(DeploymentGroupName.init))
        var report: AuditReport
        do {
            report = try await setup.reconciler.audit(only: selected)
        } catch {
            throw CommandFailure.exit("lifeline audit: \(error)")
        }
        if only == "stale" { report = report.onlyStale() }
        print(output.render(report), terminator: output == .table ? "\n" : "")
        let unknown = report.groups.filter { !$0.exists }.map(\.deploymentGroup)
        if let first = unknown.first {
            let more = unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""
            throw CommandFailure.exit(
                "lifeline audit: CodeDeploy does not know \(first)\(more) in this account and region; check the group name and --region"
            )
        }
        if report.hasFindings { throw ExitCode(3) }
    }
}

struct BreakerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "breaker",
        abstract: "The loop breakers: which are open and why; close one.",
        discussion: """
            A group's loop breaker opens when launch → failed deployment → ABANDON → relaunch repeats
            (3 times in 30 minutes unless the config says otherwise). While it is open lifeline makes no
            follow-on deployments for the group and completes waiting instances with the breaker's
            result. Fix the cause (the revision, the stale match), then reset it.

            Examples:
              lifeline breaker status
              lifeline breaker reset shop/prod
            """,
        subcommands: [Status.self, Reset.self]
    )

    struct Status: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Every group's breaker: open or closed, why, the cycles in its window."
        )

        @Option(help: "Output: table or json.")
        var format: String = "table"

        @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
        var db: String?

        func run() async throws {
            guard ["table", "json"].contains(format) else {
                throw CommandFailure.exit("lifeline breaker status: --format \(format) is not known; use table or json")
            }
            do {
                let breakers = try await BreakerControl(path: db).status()
                print(format == "json" ? BreakerControl.json(breakers) : BreakerControl.table(breakers))
            } catch {
                throw CommandFailure.exit("lifeline breaker status: \(error)")
            }
        }
    }

    struct Reset: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Close a group's breaker; cycles before now no longer count."
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
                print(try await BreakerControl(path: db).reset(name))
            } catch {
                throw CommandFailure.exit("lifeline breaker reset: \(error)")
            }
        }
    }
}
