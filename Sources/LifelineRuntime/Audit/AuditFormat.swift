import Foundation
import LifelineCore

/// `lifeline audit` output: `table` for a terminal, `json` and `csv` for programs and
/// spreadsheets, `html` for a person (AuditHTML).
public enum AuditFormat: String, CaseIterable, Sendable {
    case table, json, csv, html

    public func render(_ report: AuditReport) -> String {
        switch self {
        case .table: Self.table(report)
        case .json: Self.json(report)
        case .csv: Self.csv(report)
        case .html: AuditHTML.render(report)
        }
    }

    static func table(_ report: AuditReport) -> String {
        var lines: [String] = []
        for group in report.groups {
            lines.append(
                "\(group.deploymentGroup) (\(group.mode.rawValue))"
                    + (group.exists ? "" : ": CodeDeploy does not know this deployment group")
            )
            if let breaker = group.breaker, breaker.isOpen {
                lines.append("  loop breaker OPEN since \(stamp(breaker.openedAt)): \(breaker.reason ?? "")")
            } else {
                lines.append("  loop breaker closed (\(group.breaker?.cycles.count ?? 0) cycle(s) in the window)")
            }
            if group.matches.isEmpty {
                lines.append("  matches no instance")
            } else {
                lines += TextTable.render(
                    [["INSTANCE", "CLASS", "SINCE", "WHY"]]
                        + group.matches.map { [$0.instanceID, label($0), stamp($0.since), $0.why] },
                    indent: "  "
                )
            }
            for finding in group.findings {
                lines.append("  \(finding.kind.rawValue) \(finding.subject): \(finding.detail)")
                for command in finding.remedy { lines.append("    $ \(command)") }
            }
            lines.append("")
        }
        let findings = report.groups.map(\.findings.count).reduce(0, +)
        lines.append(findings == 0 ? "clean" : "\(findings) finding(s)")
        return lines.joined(separator: "\n")
    }

    static func json(_ report: AuditReport) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    /// One row per matched instance and per finding (RFC 4180; a remedy's commands joined by `&&`).
    static func csv(_ report: AuditReport) -> String {
        var rows = [["deployment_group", "row", "subject", "class", "risk", "detail", "since", "remedy"]]
        for group in report.groups {
            for match in group.matches {
                rows.append([
                    group.deploymentGroup.description, "instance", match.instanceID, match.class.rawValue,
                    match.risk?.rawValue ?? "", match.why, stamp(match.since, empty: ""), "",
                ])
            }
            for finding in group.findings {
                rows.append([
                    group.deploymentGroup.description, "finding", finding.subject, finding.kind.rawValue, "",
                    finding.detail, "",
                    finding.remedy.joined(separator: " && "),
                ])
            }
        }
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A match's class, with a stale instance's risk: `stale (risky)`.
    static func label(_ match: MatchSet.Entry) -> String {
        match.class.rawValue + (match.risk.map { " (\($0.rawValue))" } ?? "")
    }

    static func stamp(_ date: Date?, empty: String = "-") -> String { date.map { $0.formatted(.iso8601) } ?? empty }
}
