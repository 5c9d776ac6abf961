import Foundation
import LifelineCore
import Testing

@testable import LifelineRuntime

@Suite("reconcile --output json")
struct PlanReportTests {
    /// What the report was when it went through `Encodable` and Foundation's encoder: the oracle.
    static func throughEncodable(_ report: Reconciler.PassReport, dryRun: Bool) throws -> String {
        struct Step: Encodable { var step, target, detail: String }
        struct PlanJSON: Encodable {
            var group, plan: String
            var pending: Bool
            var next_pass_at: String
            var notes: [String]
            var steps: [Step]
        }
        struct ReportJSON: Encodable {
            var dry_run, pending: Bool
            var failures: [String]
            var plans: [PlanJSON]
            var failed_groups: [String: String]
        }
        let object = ReportJSON(
            dry_run: dryRun,
            pending: report.pending,
            failures: report.failures,
            plans: report.plans.map { plan in
                PlanJSON(
                    group: plan.deploymentGroup.description,
                    plan: plan.id,
                    pending: plan.pending,
                    next_pass_at: plan.nextPassAt.formatted(.iso8601),
                    notes: plan.notes,
                    steps: plan.steps.map { step in
                        let (kind, target, detail) = step.summary
                        return Step(step: kind, target: target, detail: detail)
                    }
                )
            },
            failed_groups: Dictionary(uniqueKeysWithValues: report.failedGroups.map { ($0.key.description, $0.value) })
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }

    @Test("the report is byte for byte what Foundation's encoder wrote, empty parts and escapes included")
    func sameBytes() throws {
        let at = Date(timeIntervalSince1970: 1_800_000_000)
        let shop = DeploymentGroupName(application: "shop", name: "prod")
        let action = LifecycleAction(
            token: "t-1",
            instanceID: "i-0123456789abcdef0",
            hookName: "lifeline-launch",
            autoScalingGroup: "shop-asg",
            deploymentGroup: shop.description,
            firstSeen: at,
            state: .deploying
        )
        let report = Reconciler.PassReport(
            plans: [
                Plan(
                    id: "p-1",
                    deploymentGroup: shop,
                    steps: [
                        .heartbeat(action, timeout: 300, reason: "deployment d-1 \"still\" runs; half of 300 s passed"),
                        .complete(action, .continue, reason: "the revision s3://b/k.zip succeeded\non it"),
                        .stopDeployment(id: "d-2", reason: "a tab\there, a slash / there"),
                    ],
                    notes: ["two hooks \\ one group", "ünïcode ✓"],
                    nextPassAt: at.addingTimeInterval(60),
                    pending: true
                ),
                Plan(id: "p-2", deploymentGroup: DeploymentGroupName(application: "a", name: "b"), nextPassAt: at),
            ],
            failures: ["shop/prod: heartbeat refused (Throttling)"],
            failedGroups: [DeploymentGroupName(application: "x", name: "y"): "AccessDenied on DescribeLifecycleHooks"],
            nextPassAt: at,
            unknownGroups: []
        )
        for dryRun in [true, false] {
            #expect(PlanReport.json(report, dryRun: dryRun) == (try Self.throughEncodable(report, dryRun: dryRun)))
        }
        let empty = Reconciler.PassReport(plans: [], failures: [], nextPassAt: at, unknownGroups: [])
        #expect(PlanReport.json(empty, dryRun: false) == (try Self.throughEncodable(empty, dryRun: false)))
    }
}
