import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime

struct ReconcileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reconcile",
        abstract: "One reconcile pass over the managed deployment groups, then exit.",
        discussion: """
            Observes AWS, decides, acts (unless --dry-run) and prints the plan. Exit status: 0 settled, \
            2 work still pending (a deployment runs, instances wait), 1 error. Run it again, or run \
            `lifeline serve`, to carry pending work on.

            Examples:
              lifeline reconcile --config lifeline.yaml
              lifeline reconcile --config lifeline.yaml --group shop/prod --dry-run --output json
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The config file (YAML). Without one, lifeline manages the groups that carry its hook.")
    var config: String?

    @Option(help: "Only this deployment group (APP/GROUP); repeat for more.")
    var group: [String] = []

    @Flag(help: "Print the plan and change nothing.")
    var dryRun = false

    @Option(help: "Output: a table for people, or json for programs.")
    var output: OutputFormat = .table

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    func run() async throws {
        global.bootstrapLogging()
        let setup = try await ReconcileSetup.make(
            command: "reconcile",
            global: global,
            configPath: config,
            queueURL: nil,
            db: db,
            only: group,
            writer: !dryRun  // --dry-run changes nothing, so it may run beside a serve
        )
        let only = group.isEmpty ? nil : Set(group.compactMap(DeploymentGroupName.init))
        let report = try await withTaskExecutorPreference(setup.executor) {
            // With leases, one run acts only for the groups no serve replica holds, and gives them back after.
            if !dryRun { await setup.reconciler.leases?.round() }
            do {
                let report = try await setup.reconciler.pass(only: only, dryRun: dryRun)
                await setup.reconciler.leases?.releaseAll()
                return report
            } catch {
                await setup.reconciler.leases?.releaseAll()
                throw CommandFailure.exit("lifeline reconcile: \(error)")
            }
        }
        print(output == .json ? PlanReport.json(report, dryRun: dryRun) : PlanReport.table(report, dryRun: dryRun))
        if let unknown = report.unknownGroups.first {
            let more = report.unknownGroups.count > 1 ? " (and \(report.unknownGroups.count - 1) more)" : ""
            throw CommandFailure.exit(
                "lifeline reconcile: CodeDeploy does not know \(unknown)\(more) in this account and region; check "
                    + "application, deployment_group and --region"
            )
        }
        // A group that could not be reconciled is an error (exit 1), after every other group was.
        if !report.failedGroups.isEmpty { throw ExitCode(1) }
        if report.pending { throw ExitCode(2) }
    }
}
