import Foundation

/// The instances a deployment group matches, exactly as CodeDeploy computes them (DESIGN §4):
/// members of its Auto Scaling groups ∪ instances its `ec2TagFilters` (OR) or `ec2TagSet` (AND
/// of ORs) select, whatever their group. Each is classified, with why and since when.
public struct MatchSet: Sendable, Equatable {
    public enum Class: String, Sendable, Codable, CaseIterable {
        case healthy, pending, outdated, stale
        /// Running, but the bounded walk of the group's deployments did not find what it runs.
        case unknown
        case orphanAction = "orphan-action"
    }

    /// What a stale instance can do to the next deployment, judged from evidence.
    public enum Risk: String, Sendable, Codable {
        /// A deployment waits on it, targeted it after it was gone, or may target it next.
        case risky
        /// A deployment created after it was gone passed it over: CodeDeploy has let it go.
        case harmless
    }

    public struct Entry: Sendable, Equatable, Codable {
        public var instanceID: String
        public var `class`: Class
        public var why: String
        public var since: Date?
        /// For a stale instance: whether it can hurt the next deployment.
        public var risk: Risk?

        public init(instanceID: String, class: Class, why: String, since: Date? = nil, risk: Risk? = nil) {
            self.instanceID = instanceID
            self.class = `class`
            self.why = why
            self.since = since
            self.risk = risk
        }
    }

    /// What EC2 says of an instance.
    public struct Instance: Sendable, Equatable {
        public var id: String
        /// `pending`, `running`, `stopping`, `stopped`, `shutting-down`, `terminated`
        public var state: String
        public var tags: [String: String]
        public var stateChangedAt: Date?

        public init(id: String, state: String, tags: [String: String] = [:], stateChangedAt: Date? = nil) {
            self.id = id
            self.state = state
            self.tags = tags
            self.stateChangedAt = stateChangedAt
        }

        /// `unknown`: EC2 does not know the instance (terminated long ago).
        public var isGone: Bool { ["shutting-down", "terminated", "stopping", "stopped", "unknown"].contains(state) }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// - Parameters:
    ///   - groups: the deployment group's Auto Scaling groups: name → (instance → lifecycle state).
    ///   - instances: EC2's view of every candidate (members and tag-matched), in any state: a
    ///     terminated instance the tags select is matched until EC2 forgets it (seed 004).
    ///   - activeTargets: instances an active deployment of the group still waits on.
    ///   - history: the group's recent deployments with their targets; nil: what instances run is
    ///     not judged (a reconcile pass's gauge), and a stale instance's risk rests on the rest.
    ///   - openActions: the journal's open lifecycle actions for the group.
    ///   - lastGood: the revision the group's instances should run.
    public static func compute(
        groups: [String: [String: String]],
        tagFilters: [TagFilter],
        tagSet: [[TagFilter]],
        instances: [Instance],
        activeTargets: Set<String> = [],
        history: DeploymentHistory? = nil,
        openActions: [LifecycleAction] = [],
        lastGood: Revision? = nil
    ) -> MatchSet {
        let byID = Dictionary(instances.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var membership: [String: (group: String, state: String)] = [:]
        for (group, members) in groups {
            for (id, state) in members { membership[id] = (group, state) }
        }
        let tagMatched = Set(
            instances.filter {
                TagFilter.anyMatches(tagFilters, $0.tags) || TagFilter.setMatches(tagSet, $0.tags)
            }.map(\.id)
        )
        let matched = Set(membership.keys).union(tagMatched)
        let actions = Dictionary(openActions.map { ($0.instanceID, $0) }, uniquingKeysWith: { first, _ in first })
        var entries: [Entry] = []
        for id in matched.sorted() {
            let ec2 = byID[id]
            let member = membership[id]
            if let ec2, ec2.isGone {
                entries.append(gone(ec2, activeTargets: activeTargets, history: history))
            } else if ec2 == nil, activeTargets.contains(id) {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .stale,
                        why: "unknown to EC2 but a target of an active deployment",
                        risk: .risky
                    )
                )
            } else if member == nil, let home = ec2?.tags["aws:autoscaling:groupName"], groups[home] != nil {
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .stale,
                        why:
                            "detached from \(home) but its tags still match: it gets every deployment, and "
                            + "terminated with these tags it becomes a ghost (seed 004)",
                        since: ec2?.stateChangedAt,
                        risk: .risky
                    )
                )
            } else if member?.state == "Pending:Wait" {
                let action = actions[id]
                entries.append(
                    Entry(
                        instanceID: id,
                        class: .pending,
                        why: "waits in Pending:Wait" + (action.map { " on \($0.hookName)" } ?? ""),
                        since: action?.firstSeen
                    )
                )
            } else {
                entries.append(running(id, member: member, history: history, lastGood: lastGood))
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

    /// A matched instance EC2 says is gone, with the evidence of what it can do to the next deployment.
    static func gone(_ instance: Instance, activeTargets: Set<String>, history: DeploymentHistory?) -> Entry {
        let state = instance.state
        func entry(_ why: String, _ risk: Risk) -> Entry {
            Entry(
                instanceID: instance.id,
                class: .stale,
                why: "\(state) but still matched; " + why,
                since: instance.stateChangedAt,
                risk: risk
            )
        }
        if activeTargets.contains(instance.id) {
            return entry("an active deployment still waits on it", .risky)
        }
        if ["stopped", "stopping"].contains(state) {
            return entry("CodeDeploy targets a stopped instance, and the deployment fails on it", .risky)
        }
        guard let goneAt = instance.stateChangedAt else {
            return entry("EC2 gives no time it went, so no deployment can show CodeDeploy let it go", .risky)
        }
        guard let (next, targeted) = history?.after(instance.id, gone: goneAt) else {
            return entry("no deployment since it went: the next one may target it (seed 004)", .risky)
        }
        if targeted {
            return entry(
                "deployment \(next.id), created after it went, still targeted it; the next one will too",
                .risky
            )
        }
        return entry(
            "deployment \(next.id), created after it went, passed it over: CodeDeploy has let it go",
            .harmless
        )
    }

    /// A running member or tag match: healthy, outdated, or unknown, from what the walk found it runs.
    static func running(
        _ id: String,
        member: (group: String, state: String)?,
        history: DeploymentHistory?,
        lastGood: Revision?
    ) -> Entry {
        let place = member.map { "\($0.state) in \($0.group)" } ?? "running, matched by tags"
        guard let lastGood, let history else { return Entry(instanceID: id, class: .healthy, why: place) }
        switch history.revision(of: id) {
        case let .deployed(revision, by) where revision == lastGood:
            return Entry(instanceID: id, class: .healthy, why: "\(place); runs \(revision.summary) (\(by))")
        case let .deployed(revision, by):
            return Entry(
                instanceID: id,
                class: .outdated,
                why: "\(place); runs \(revision.summary) (\(by)), not \(lastGood.summary)"
            )
        case let .neverSucceeded(count):
            return Entry(
                instanceID: id,
                class: .unknown,
                why: count == 0
                    ? "\(place); the group has no deployment in the walk's window to say what it runs"
                    : "\(place); none of the group's \(count) recent deployment(s) succeeded on it"
            )
        case let .unknown(walked):
            return Entry(
                instanceID: id,
                class: .unknown,
                why: "\(place); the walk stopped after the newest \(walked) deployment(s) before finding what it runs"
            )
        }
    }

    public func entries(_ kind: Class) -> [Entry] { entries.filter { $0.class == kind } }
}

extension MatchSet {
    /// The match set a reconcile pass can compute from its own reads, for the stale-instance gauge:
    /// the audit's classification over the instances the pass looked up in EC2 (waiting instances,
    /// deployment targets), with no walk of the group's deployments.
    public static func observed(_ observation: Observation, openActions: [LifecycleAction] = []) -> MatchSet {
        compute(
            groups: Dictionary(
                observation.autoScalingGroups.map { ($0.name, $0.instances) },
                uniquingKeysWith: { first, _ in first }
            ),
            tagFilters: observation.tagFilters,
            tagSet: observation.tagSet,
            instances: Array(observation.ec2.values),
            activeTargets: Set(observation.activeDeployment?.remainingTargets ?? []),
            openActions: openActions
        )
    }
}
