import Foundation

/// The instances a deployment group matches, exactly as CodeDeploy computes them (DESIGN §4):
/// members of its Auto Scaling groups ∪ instances its `ec2TagFilters` (OR) or `ec2TagSet` (AND
/// of ORs) select, whatever their group. Each is classified, with why and since when.
public struct MatchSet: Sendable, Equatable {
    public enum Class: String, Sendable, Codable, CaseIterable {
        case healthy, pending, outdated, stale
        case orphanAction = "orphan-action"
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var instanceID: String
        public var `class`: Class
        public var why: String
        public var since: Date?
    }

    /// What EC2 says of an instance.
    public struct Instance: Sendable, Equatable {
        public var id: String
        /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`
        public var state: String
        public var tags: [String: String]
        public var stateChangedAt: Date?
        /// The revision last deployed to it for this deployment group, when known.
        public var revision: Revision?

        public init(
            id: String,
            state: String,
            tags: [String: String] = [:],
            stateChangedAt: Date? = nil,
            revision: Revision? = nil
        ) {
            self.id = id
            self.state = state
            self.tags = tags
            self.stateChangedAt = stateChangedAt
            self.revision = revision
        }

        /// `unknown`: EC2 does not know the instance (terminated long ago).
        public var isGone: Bool { ["shutting-down", "terminated", "stopping", "stopped", "unknown"].contains(state) }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// - Parameters:
    ///   - groups: the deployment group's Auto Scaling groups: name → (instance → lifecycle state).
    ///   - instances: EC2's view of every candidate (members and tag-matched).
    ///   - activeTargets: instances an active deployment of the group still waits on.
    ///   - targetedAt: instance → when the newest deployment that targets it was created.
    ///     CodeDeploy drops terminated instances from its matches; one a deployment targets after
    ///     it was terminated is a ghost (seed 004), and stale.
    ///   - openActions: the journal's open lifecycle actions for the group.
    public static func compute(
        groups: [String: [String: String]],
        tagFilters: [TagFilter],
        tagSet: [[TagFilter]],
        instances: [Instance],
        activeTargets: Set<String> = [],
        targetedAt: [String: Date] = [:],
        openActions: [LifecycleAction] = [],
        lastGood: Revision? = nil
    ) -> MatchSet {
        let byID = Dictionary(instances.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        var membership: [String: (group: String, state: String)] = [:]
        for (group, members) in groups {
            for (id, state) in members { membership[id] = (group, state) }
        }
        let tagMatched = Set(
            instances.filter { instance in
                guard TagFilter.anyMatches(tagFilters, instance.tags) || TagFilter.setMatches(tagSet, instance.tags)
                else {
                    return false
                }
                guard ["terminated", "shutting-down", "unknown"].contains(instance.state) else { return true }
                if activeTargets.contains(instance.id) { return true }
                guard let targeted = targetedAt[instance.id], let gone = instance.stateChangedAt else { return false }
                return targeted > gone
            }.map(\.id)
        )
        let matched = Set(membership.keys).union(tagMatched)
        let waiting = Set(openActions.map(\.instanceID))
        var entries: [Entry] = []
        for id in matched.sorted() {
            let ec2 = byID[id]
            let member = membership[id]
            if let ec2, ec2.isGone {
                let target = activeTargets.contains(id) ? "; an active deployment still waits on it" : ""
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .stale,
                        why: "\(ec2.state) but still matched\(target)",
                        since: ec2.stateChangedAt
                    )
                )
            } else if ec2 == nil, activeTargets.contains(id) {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .stale,
                        why: "unknown to EC2 but a target of an active deployment",
                        since: nil
                    )
                )
            } else if member == nil, let home = ec2?.tags["aws:autoscaling:groupName"], groups[home] != nil {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .stale,
                        why: "detached from \(home) but its tags still match",
                        since: ec2?.stateChangedAt
                    )
                )
            } else if member?.state == "Pending:Wait" {
                let action = waiting.contains(id) ? openActions.first { $0.instanceID == id } : nil
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .pending,
                        why: "waits in Pending:Wait" + (action.map { " on \($0.hookName)" } ?? ""),
                        since: action?.firstSeen
                    )
                )
            } else if let lastGood, let revision = ec2?.revision, revision != lastGood {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .outdated,
                        why: "runs \(revision.summary), not \(lastGood.summary)",
                        since: nil
                    )
                )
            } else {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .healthy,
                        why: member.map { "\($0.state) in \($0.group)" } ?? "running, matched by tags",
                        since: nil
                    )
                )
            }
        }
        for action in openActions
        where !matched.contains(action.instanceID) || (byID[action.instanceID]?.isGone ?? false) {
            entries.append(
                Entry(
                    instanceID: action.instanceID,
                    class: .orphanAction,
                    why:
                        "lifecycle action on \(action.hookName) is open but the instance is "
                        + "\(byID[action.instanceID]?.state ?? "gone")",
                    since: action.firstSeen
                )
            )
        }
        return MatchSet(entries: entries)
    }

    public func entries(_ kind: Class) -> [Entry] { entries.filter { $0.class == kind } }
}
