import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime

struct IAMPolicyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "iam-policy",
        abstract: "Print the least-privilege IAM policy lifeline needs, as JSON.",
        discussion: """
            With --config: for the groups it names, their modes and allowances, scoped to their \
            deployment groups, the queue and the hook roles. Without: for one mode (and, in supervise \
            mode, the --allow list), on any deployment group. Describe* calls cannot be scoped in IAM.

            Examples:
              lifeline iam-policy --config lifeline.yaml > lifeline-policy.json
              lifeline iam-policy --mode supervise --allow stop-stuck,open-breaker
              aws iam put-role-policy --role-name lifeline --policy-name lifeline --policy-document "$(lifeline \
              iam-policy --config lifeline.yaml)"
            """
    )

    @Option(help: "The config file (YAML): modes, allowances, groups, queue and hook roles come from it.")
    var config: String?

    @Option(help: "Without --config: own or supervise.")
    var mode: String = "own"

    @Option(help: "Without --config, supervise mode: what lifeline may do (abandon-gone, stop-stuck, open-breaker).")
    var allow: String = ""

    @Option(help: "Without --config: the queue the hooks notify (scopes the SQS actions).")
    var queueURL: String?

    func run() throws {
        func fail(_ message: String) -> ExitCode { CommandFailure.exit("lifeline iam-policy: \(message)") }
        let scope: IAMPolicy.Scope
        if let config {
            guard mode == "own", allow.isEmpty else {
                throw fail("--mode and --allow come from \(config) when --config is given; leave them out")
            }
            let loaded: LifelineConfig
            do { loaded = try LifelineConfig.load(path: config) } catch { throw fail("\(error)") }
            scope = IAMPolicy.Scope(
                groups: loaded.groups,
                queueURL: queueURL ?? loaded.queueURL,
                region: loaded.region,
                leaseTable: loaded.lease?.table
            )
        } else {
            guard let m = GroupPolicy.Mode(rawValue: mode) else {
                throw fail("--mode \(mode) is not one of own, supervise")
            }
            var allowed = Set<SuperviseAction>()
            for name in allow.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty
            {
                guard let a = SuperviseAction(rawValue: name) else {
                    throw fail(
                        "--allow \(name) is not one of "
                            + "\(SuperviseAction.allCases.map(\.rawValue).joined(separator: ", "))"
                    )
                }
                allowed.insert(a)
            }
            if m == .own, !allowed.isEmpty { throw fail("--allow is for supervise mode; own mode does all of it") }
            scope = IAMPolicy.Scope(
                groups: [],
                anyGroup: GroupPolicy(mode: m, allow: allowed),
                queueURL: queueURL,
                region: nil
            )
        }
        print(IAMPolicy(scope).json())
    }
}
