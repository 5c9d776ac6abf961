import Foundation
import LifelineCore

/// The audit as one self-contained HTML file (no network, no external assets): per group, the
/// breaker, the findings with their commands, a timeline of launches, deployments and abandons,
/// and the match set.
enum AuditHTML {
    static func render(_ report: AuditReport) -> String {
        let findings = report.groups.map(\.findings.count).reduce(0, +)
        var body = """
            <header><h1>lifeline audit</h1>
            <p>Generated \(esc(stamp(report.generatedAt))) · \(report.groups.count) deployment group(s) · \
            <span class="\(findings == 0 ? "ok" : "bad")">\(findings == 0 ? "clean" : "\(findings) finding(s)")</span></p></header>

            """
        for group in report.groups { body += section(group) }
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, \
            initial-scale=1">
            <title>lifeline audit · \(esc(stamp(report.generatedAt)))</title>
            <style>\(css)</style></head>
            <body>
            \(body)<script>\(script)</script>
            </body></html>

            """
    }

    static func section(_ group: GroupAudit) -> String {
        let open = group.breaker?.isOpen == true
        var html =
            "<section><h2>\(esc(group.deploymentGroup.description)) <span class=\"tag\">\(group.mode.rawValue) "
            + "mode</span> "
        html +=
            open
            ? "<span class=\"tag bad\">loop breaker open</span></h2>\n<p class=\"breaker\">Open since "
                + "\(esc(stamp(group.breaker?.openedAt))): \(esc(group.breaker?.reason ?? ""))</p>\n"
            : "<span class=\"tag ok\">loop breaker closed</span></h2>\n"
        guard group.exists else {
            return html
                + "<p class=\"bad\">CodeDeploy does not know this deployment group in this account and "
                + "region.</p></section>\n"
        }
        html += "<p class=\"counts\">"
        for matchClass in MatchSet.Class.allCases {
            let count = group.matches.filter { $0.class == matchClass }.count
            if count > 0 {
                html += "<span class=\"chip \(matchClass.rawValue)\">\(count) \(matchClass.rawValue)</span> "
            }
        }
        html += group.matches.isEmpty ? "matches no instance</p>\n" : "</p>\n"
        html += "<h3>Timeline</h3>\n" + timeline(group.timeline)
        if !group.findings.isEmpty {
            html += "<h3>Findings</h3>\n"
            for finding in group.findings {
                html +=
                    "<div class=\"finding\"><p><b>\(esc(finding.kind.rawValue))</b> "
                    + "<code>\(esc(finding.subject))</code> \(esc(finding.detail))</p>"
                if !finding.remedy.isEmpty {
                    html += "<pre>" + finding.remedy.map { "$ " + esc($0) }.joined(separator: "\n") + "</pre>"
                }
                html += "</div>\n"
            }
        }
        html +=
            "<h3>Match set</h3>\n<table><thead><tr><th>Instance</th><th>Class</th><th>Since</th><th>Why</th></tr></thead><tbody>\n"
        for match in group.matches {
            html +=
                "<tr class=\"\(match.class.rawValue)\"><td><code>\(esc(match.instanceID))</code></td><td><span "
                + "class=\"chip \(match.class.rawValue)\">\(match.class.rawValue)</span>"
                + (match.risk.map { " <span class=\"chip \($0.rawValue)\">\($0.rawValue)</span>" } ?? "") + "</td>"
            html += "<td>\(esc(match.since.map(stamp) ?? "–"))</td><td>\(esc(match.why))</td></tr>\n"
        }
        return html + "</tbody></table></section>\n"
    }

    /// An SVG lane per kind of event over the timeline's span, and the events as a list.
    static func timeline(_ events: [TimelineEvent]) -> String {
        guard let first = events.map(\.at).min(), let last = events.map(\.at).max() else {
            return "<p>Nothing happened in the last 24 hours.</p>\n"
        }
        let lanes: [(TimelineEvent.Kind, String)] = [
            (.launch, "launches"), (.deployment, "deployments"), (.abandon, "abandons"), (.continue, "continues"),
            (.breaker, "breaker"),
        ]
        let width = 880.0
        let left = 110.0
        let laneHeight = 26.0
        let span = max(last.timeIntervalSince(first), 1)
        func x(_ d: Date) -> Double { left + (width - left - 20) * d.timeIntervalSince(first) / span }
        var svg =
            "<svg class=\"timeline\" viewBox=\"0 0 \(Int(width)) \(Int(laneHeight * Double(lanes.count) + 30))\" "
            + "role=\"img\" aria-label=\"timeline\">\n"
        for (i, (kind, label)) in lanes.enumerated() {
            let y = laneHeight * Double(i) + 16
            svg +=
                "<text x=\"4\" y=\"\(y + 4)\" class=\"lane\">\(label)</text><line x1=\"\(left)\" y1=\"\(y)\" "
                + "x2=\"\(width - 10)\" y2=\"\(y)\" class=\"rule\"/>\n"
            for e in events where e.kind == kind {
                svg +=
                    "<circle cx=\"\(String(format: "%.1f", x(e.at)))\" cy=\"\(y)\" r=\"6\" class=\"ev "
                    + "\(kind.rawValue)\"><title>\(esc(stamp(e.at))) \(esc(e.subject)): "
                    + "\(esc(e.detail))</title></circle>\n"
            }
        }
        let axis = laneHeight * Double(lanes.count) + 20
        svg += "<text x=\"\(left)\" y=\"\(axis)\" class=\"axis\">\(esc(stamp(first)))</text>"
        svg +=
            "<text x=\"\(width - 10)\" y=\"\(axis)\" class=\"axis\" "
            + "text-anchor=\"end\">\(esc(stamp(last)))</text>\n</svg>\n"
        var list = "<details><summary>\(events.count) event(s)</summary><ol class=\"events\">\n"
        for e in events {
            list +=
                "<li><time>\(esc(stamp(e.at)))</time> <span class=\"chip "
                + "\(e.kind.rawValue)\">\(e.kind.rawValue)</span> <code>\(esc(e.subject))</code> "
                + "\(esc(e.detail))</li>\n"
        }
        return svg + list + "</ol></details>\n"
    }

    static func stamp(_ date: Date?) -> String { date.map { $0.formatted(.iso8601) } ?? "–" }

    static func esc(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let css = """
        body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:960px;padding:16px \
        24px;color:#1d232b;background:#fafbfc}
        h1{margin:0 0 4px}h2{margin:28px 0 6px;border-top:1px solid #d8dde3;padding-top:18px}h3{margin:18px 0 \
        6px;font-size:15px;color:#4a5562}
        code,pre{font:13px/1.4 \
        ui-monospace,SFMono-Regular,Menlo,monospace}pre{background:#1d232b;color:#e8edf2;padding:10px \
        12px;border-radius:6px;overflow-x:auto;white-space:pre-wrap}
        table{border-collapse:collapse;width:100%;background:#fff}th,td{text-align:left;padding:5px \
        8px;border-bottom:1px solid #e6e9ed;vertical-align:top}
        .tag{font-size:12px;font-weight:600;padding:2px 8px;border-radius:10px;background:#e6e9ed;vertical-align:middle}
        .ok{color:#116329}.tag.ok{background:#dafbe1}.bad{color:#a40e26}.tag.bad{background:#ffebe9}
        .breaker{background:#ffebe9;border-left:4px solid #cf222e;padding:8px 12px}
        .finding{background:#fff;border:1px solid #e6e9ed;border-left:4px solid #cf222e;border-radius:4px;padding:2px \
        12px;margin:8px 0}
        .chip{display:inline-block;font-size:12px;padding:1px 7px;border-radius:9px;background:#e6e9ed}
        .chip.healthy{background:#dafbe1}.chip.pending{background:#ddf4ff}.chip.outdated{background:#fff8c5}.chip.stale{background:#ffebe9}.chip.unknown{background:#eaeef2}.chip.risky{background:#ff8182}.chip.harmless{background:#eaeef2}.chip.orphan-action{background:#fbefff}
        .chip.launch{background:#ddf4ff}.chip.deployment{background:#e6e9ed}.chip.abandon{background:#ffebe9}.chip.continue{background:#dafbe1}.chip.breaker{background:#fbefff}
        tr.stale td{background:#fff5f4}svg.timeline{width:100%;background:#fff;border:1px solid \
        #e6e9ed;border-radius:4px}
        .lane{font-size:12px;fill:#4a5562}.axis{font-size:11px;fill:#6e7781}.rule{stroke:#e6e9ed}
        .ev{stroke:#fff;stroke-width:1.5}.ev.launch{fill:#0969da}.ev.deployment{fill:#57606a}.ev.abandon{fill:#cf222e}.ev.continue{fill:#1a7f37}.ev.breaker{fill:#8250df}
        ol.events{padding-left:18px}ol.events time{color:#6e7781;font-size:13px}
        """

    /// Marks the page rendered, or records a script error, so a headless browser can tell.
    static let script = """
        window.addEventListener('error',function(e){document.body.setAttribute('data-errors',String(e.message))});
        document.body.setAttribute('data-rendered','ok');
        """
}
