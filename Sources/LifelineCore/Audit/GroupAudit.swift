import Foundation

/// `lifeline audit` for one deployment group (DESIGN §4): its match set with each instance's
/// class, drift of its hooks, stuck deployments, the loop breaker, and a timeline. Pure: built
/// from what the runtime read.
public struct GroupAudit: Sendable, Equatable, Codable {
    public var deploymentGroup: DeploymentGroupName
    public var mode: GroupPolicy.Mode
    /// False when CodeDeploy does not know the deployment group.
    public var exists: Bool
    public var matches: [MatchSet.Entry]
    public var findings: [Finding]
    public var breaker: BreakerState?
    /// Oldest first.
    public var timeline: [TimelineEvent]

    public init(
        deploymentGroup: DeploymentGroupName,
        mode: GroupPolicy.Mode,
        exists: Bool = true,
        matches: [MatchSet.Entry] = [],
        findings: [Finding] = [],
        breaker: BreakerState? = nil,
        timeline: [TimelineEvent] = []
    ) {
        self.deploymentGroup = deploymentGroup
        self.mode = mode
        self.exists = exists
        self.matches = matches
        self.findings = findings
        self.breaker = breaker
        self.timeline = timeline
    }

    /// - Parameters:
    ///   - candidates: EC2's view of the members and of every instance the tag filters select.
    ///   - history: the group's recent deployments and their targets, as the audit walked them.
    ///   - now: when the report is made (AWS's clock); it names the re-keying tag's value.
    public static func build(
        _ observation: Observation,
        _ journal: JournalView,
        candidates: [MatchSet.Instance],
        history: DeploymentHistory = DeploymentHistory(),
        policy: GroupPolicy,
        timeline: [TimelineEvent] = [],
        now: Date
    ) -> GroupAudit {
        let group = observation.deploymentGroup
        guard observation.exists else {
            return GroupAudit(
                deploymentGroup: group,
                mode: policy.mode,
                exists: false,
                findings: [],
                breaker: journal.breaker,
                timeline: timeline
            )
        }
        let active = observation.activeDeployment
        let remaining = Set(active?.remainingTargets ?? [])
        let matchSet = MatchSet.compute(
            groups: Dictionary(uniqueKeysWithValues: observation.autoScalingGroups.map { ($0.name, $0.instances) }),
            tagFilters: observation.tagFilters,
            tagSet: observation.tagSet,
            instances: candidates,
            activeTargets: remaining,
            history: history,
            openActions: journal.openActions,
            lastGood: observation.lastSuccessful?.revision ?? journal.lastGood?.revision
        )
        var findings = drift(observation, mode: policy.mode)
        findings += unattended(observation, journal, mode: policy.mode, now: now)
        let live = matchSet.entries.filter { $0.class != .stale && $0.class != .orphanAction }.map(\.instanceID)
        let rekey = rekeyCommands(observation, live: live, now: now)
        // A harmless stale instance stays in the match set with its evidence; only a risky one is a finding.
        for entry in matchSet.entries(.stale) where entry.risk != .harmless {
            let tagMatched =
                candidates.first { $0.id == entry.instanceID }.map {
                    TagFilter.anyMatches(observation.tagFilters, $0.tags)
                        || TagFilter.setMatches(observation.tagSet, $0.tags)
                } ?? false
            findings.append(
                Finding(
                    kind: .stale,
                    subject: entry.instanceID,
                    detail: entry.why + (tagMatched ? "; the deployment group's tags still select it" : ""),
                    remedy: tagMatched ? rekey : []
                )
            )
        }
        for entry in matchSet.entries(.orphanAction) {
            guard let action = journal.openActions.first(where: { $0.instanceID == entry.instanceID }) else { continue }
            findings.append(
                Finding(
                    kind: .orphanAction,
                    subject: entry.instanceID,
                    detail: entry.why,
                    remedy: [
                        AWSCLI.completeAction(
                            group: action.autoScalingGroup,
                            hook: action.hookName,
                            instance: action.instanceID,
                            result: "ABANDON"
                        )
                    ]
                )
            )
        }
        if let active, active.targetsComplete, !remaining.isEmpty, remaining.allSatisfy(observation.isGone) {
            let waiting = observation.autoScalingGroups.flatMap { asg in
                asg.instances.filter { $0.value == "Pending:Wait" && active.targets?[$0.key] == "Succeeded" }.keys
                    .sorted().map { (asg, $0) }
            }
            let continues = waiting.compactMap { asg, instance in
                (asg.codeDeployLaunchHooks.first ?? asg.hooks.first(where: \.isLaunching)).map {
                    AWSCLI.completeAction(group: asg.name, hook: $0.name, instance: instance, result: "CONTINUE")
                }
            }
            findings.append(
                Finding(
                    kind: .stuckDeployment,
                    subject: active.id,
                    detail:
                        "only waits on \(remaining.sorted().joined(separator: ", ")), which EC2 says "
                        + "\(remaining.count == 1 ? "is" : "are") gone; it would wait for the agent timeout (an "
                        + "hour) and fail",
                    remedy: continues + [AWSCLI.stopDeployment(active.id)]
                )
            )
        }
        if let breaker = journal.breaker, breaker.isOpen {
            findings.append(
                Finding(
                    kind: .breakerOpen,
                    subject: group.description,
                    detail:
                        "since \((breaker.openedAt ?? now).formatted(.iso8601)): \(breaker.reason ?? "a loop"); no "
                        + "follow-on deployments, waiting instances get \(policy.loopBreaker.result.rawValue)",
                    remedy: [AWSCLI.command(["lifeline", "breaker", "reset", group.description])]
                )
            )
        }
        let window = now.addingTimeInterval(-policy.loopBreaker.window)
        let misses = (journal.breaker?.misses ?? []).filter { $0 >= max(window, journal.breaker?.resetAt ?? window) }
        if let last = misses.max() {
            let groups = observation.autoScalingGroups.map(\.name).sorted()
            findings.append(
                Finding(
                    kind: .selectionMiss,
                    subject: group.description,
                    detail:
                        "the deployment group's selection misses instances of \(groups.joined(separator: ", ")): "
                        + "\(misses.count) time(s) since \(window.formatted(.iso8601)), the last at "
                        + "\(last.formatted(.iso8601)), two of lifeline's deployments ended without targeting waiting "
                        + "instances, which were then completed with \(policy.onFailure.rawValue); each counts towards "
                        + "the loop breaker",
                    remedy: [
                        AWSCLI.command(
                            [
                                "aws", "deploy", "update-deployment-group", "--application-name", group.application,
                                "--current-deployment-group-name", group.name, "--auto-scaling-groups",
                            ] + groups
                        )
                    ]
                )
            )
        }
        return GroupAudit(
            deploymentGroup: group,
            mode: policy.mode,
            matches: matchSet.entries,
            findings: findings,
            breaker: journal.breaker,
            timeline: timeline.sorted { $0.at < $1.at }
        )
    }
}
