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

    /// Written as a `JSONValue` tree, keys sorted: a pass over 1,000 groups reports thousands of
    /// steps, and going through `Encodable` cost 1.7 times as much (87M instructions against 52M
    /// in the cold pass); the tests compare the bytes with what Foundation wrote from `Encodable`.
    public static func json(_ report: Reconciler.PassReport, dryRun: Bool) -> String {
        // A pass's plans share a few next-pass times: each formatted once (about 4,000 instructions).
        var times: [Date: String] = [:]
        let plans: [JSONValue] = report.plans.map { plan in
            let steps: [JSONValue] = plan.steps.map { step in
                let (kind, target, detail) = step.summary
                // Members in key order throughout, so that the writer need not sort them.
                return .object([
                    JSONMember("detail", .string(detail)), JSONMember("step", .string(kind)),
                    JSONMember("target", .string(target)),
                ])
            }
            return .object([
                JSONMember("group", .string(plan.deploymentGroup.description)),
                JSONMember("next_pass_at", .string(time(plan.nextPassAt, &times))),
                JSONMember("notes", .array(plan.notes.map(JSONValue.string))),
                JSONMember("pending", .bool(plan.pending)),
                JSONMember("plan", .string(plan.id)),
                JSONMember("steps", .array(steps)),
            ])
        }
        let report: JSONValue = .object([
            JSONMember("dry_run", .bool(dryRun)),
            JSONMember(
                "failed_groups",
                .object(report.failedGroups.map { JSONMember($0.key.description, .string($0.value)) })
            ),
            JSONMember("failures", .array(report.failures.map(JSONValue.string))),
            JSONMember("pending", .bool(report.pending)),
            JSONMember("plans", .array(plans)),
        ])
        return JSONValueEncoder(format: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]).string(report)
    }

    private static func time(_ date: Date, _ known: inout [Date: String]) -> String {
        if let text = known[date] { return text }
        let text = date.formatted(.iso8601)
        known[date] = text
        return text
    }
}
