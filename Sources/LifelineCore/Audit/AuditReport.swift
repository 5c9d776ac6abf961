import Foundation

/// Every audited group; what `lifeline audit` prints.
public struct AuditReport: Sendable, Equatable, Codable {
    public var generatedAt: Date
    public var groups: [GroupAudit]

    public init(generatedAt: Date, groups: [GroupAudit]) {
        self.generatedAt = generatedAt
        self.groups = groups
    }

    /// Exit 3: something a person should fix (stale instances, orphan actions, drift, an open breaker).
    public var hasFindings: Bool { groups.contains { !$0.findings.isEmpty || !$0.exists } }

    /// `--only stale`: only the stale instances and their findings.
    public func onlyStale() -> AuditReport {
        var copy = self
        for index in copy.groups.indices {
            copy.groups[index].matches = copy.groups[index].matches.filter { $0.class == .stale }
            copy.groups[index].findings = copy.groups[index].findings.filter {
                $0.kind == .stale || $0.kind == .stuckDeployment
            }
        }
        return copy
    }
}
