import Foundation
import JSONCoding
import LifelineCore

/// A pass's plans for people (`table`) and programs (`json`).
public enum PlanReport {
    public static func table(_ report: Reconciler.PassReport, dryRun: Bool) -> String {
        var rows: [[String]] = [["GROUP", "STEP", "TARGET", "DETAIL"]]
        for plan in report.plans {
            for step in plan.steps {
                let (kind, target, detail) = step.summary
                rows.append([plan.deploymentGroup.description, kind, target, detail])
            }
        }
        var lines: [String] = []
        if rows.count == 1 {
            lines.append(dryRun ? "nothing to do" : "nothing was done")
        } else {
            lines += TextTable.render(rows)
        }
        for plan in report.plans {
            for note in plan.notes { lines.append("note: \(plan.deploymentGroup): \(note)") }
        }
        for (group, error) in report.failedGroups.sorted(by: { $0.key.description < $1.key.description }) {
            lines.append("failed: \(group) was not reconciled: \(error)")
        }
        for failure in report.failures { lines.append("failed: \(failure)") }
        let pending = report.plans.filter(\.pending).map(\.deploymentGroup.description)
        lines.append(
            pending.isEmpty && report.failures.isEmpty && report.failedGroups.isEmpty
                ? "settled" : "work still pending" + (pending.isEmpty ? "" : ": " + pending.joined(separator: ", "))
        )
        return lines.joined(separator: "\n")
    }

    public static func json(_ report: Reconciler.PassReport, dryRun: Bool) -> String {
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
        let encoder = JSONValueEncoder(format: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return (try? encoder.string(object)) ?? "{}"
    }
}
