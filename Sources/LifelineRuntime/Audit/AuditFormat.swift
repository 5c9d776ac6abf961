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
        for g in report.groups {
            lines.append(
                "\(g.deploymentGroup) (\(g.mode.rawValue))"
                    + (g.exists ? "" : ": CodeDeploy does not know this deployment group")
            )
            if let b = g.breaker, b.isOpen {
                lines.append("  loop breaker OPEN since \(stamp(b.openedAt)): \(b.reason ?? "")")
            } else {
                lines.append("  loop breaker closed (\(g.breaker?.cycles.count ?? 0) cycle(s) in the window)")
            }
            if g.matches.isEmpty {
                lines.append("  matches no instance")
            } else {
                lines += TextTable.render(
                    [["INSTANCE", "CLASS", "SINCE", "WHY"]]
                        + g.matches.map { [$0.instanceID, $0.class.rawValue, stamp($0.since), $0.why] },
                    indent: "  "
                )
            }
            for f in g.findings {
                lines.append("  \(f.kind.rawValue) \(f.subject): \(f.detail)")
                for command in f.remedy { lines.append("    $ \(command)") }
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
        var rows = [["deployment_group", "row", "subject", "class", "detail", "since", "remedy"]]
        for g in report.groups {
            for m in g.matches {
                rows.append([
                    g.deploymentGroup.description, "instance", m.instanceID, m.class.rawValue, m.why,
                    stamp(m.since, empty: ""), "",
                ])
            }
            for f in g.findings {
                rows.append([
                    g.deploymentGroup.description, "finding", f.subject, f.kind.rawValue, f.detail, "",
                    f.remedy.joined(separator: " && "),
                ])
            }
        }
        return rows.map { $0.map(csvField).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    static func csvField(_ s: String) -> String {
        guard s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return s }
        return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func stamp(_ date: Date?, empty: String = "-") -> String { date.map { $0.formatted(.iso8601) } ?? empty }
}
