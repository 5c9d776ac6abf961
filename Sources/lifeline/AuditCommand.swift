import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime

struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "What each deployment group matches, what is stale or drifted, and how to fix it.",
        discussion: """
            Per deployment group: every instance it matches (members of its Auto Scaling groups and \
            instances its tag filters or tag set select), classified healthy, pending, outdated, stale \
            or orphan-action with why and since when; hook drift; stuck deployments; the loop breaker; \
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

    @Option(help: "Output: a table for a terminal, json or csv for programs, html for a person.")
    var format: AuditFormat = .table

    @Option(help: "Only part of the report: stale is the stale instances and their findings.")
    var only: AuditSubset?

    @Option(help: "The journal (else $LIFELINE_DB, else ./lifeline.db).")
    var db: String?

    func run() async throws {
        global.bootstrapLogging()
        let setup = try await ReconcileSetup.make(
            command: "audit",
            global: global,
            configPath: config,
            queueURL: nil,
            db: db,
            only: group,
            writer: false,
            readOnly: true
        )
        let selected = group.isEmpty ? nil : Set(group.compactMap(DeploymentGroupName.init))
        var report: AuditReport
        do {
            report = try await setup.reconciler.audit(only: selected)
        } catch {
            throw CommandFailure.exit("lifeline audit: \(error)")
        }
        if only == .stale { report = report.onlyStale() }
        print(format.render(report), terminator: format == .table ? "\n" : "")
        let unknown = report.groups.filter { !$0.exists }.map(\.deploymentGroup)
        if let first = unknown.first {
            let more = unknown.count > 1 ? " (and \(unknown.count - 1) more)" : ""
            throw CommandFailure.exit(
                "lifeline audit: CodeDeploy does not know \(first)\(more) in this account and region; check the "
                    + "group name and --region"
            )
        }
        if report.hasFindings { throw ExitCode(3) }
    }
}
