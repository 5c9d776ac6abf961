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
    ///   - now: when the report is made; it names the re-keying tag's value.
    public static func build(
        _ observation: Observation,
        _ journal: JournalView,
        candidates: [MatchSet.Instance],
        targetedAt: [String: Date] = [:],
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
            targetedAt: targetedAt,
            openActions: journal.openActions,
            lastGood: journal.lastGood?.revision
        )
        var findings = drift(observation, mode: policy.mode)
        let live = matchSet.entries.filter { $0.class != .stale && $0.class != .orphanAction }.map(\.instanceID)
        let rekey = rekeyCommands(observation, live: live, now: now)
        for entry in matchSet.entries(.stale) {
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

    /// Hook drift on the group's Auto Scaling groups.
    static func drift(_ observation: Observation, mode: GroupPolicy.Mode) -> [Finding] {
        let group = observation.deploymentGroup
        var findings: [Finding] = []
        for asg in observation.autoScalingGroups {
            let named = observation.namedHooks[asg.name]
            if let named, !named.isEmpty, asg.hook(named) == nil {
                findings.append(
                    Finding(
                        kind: .missingHook,
                        subject: "\(asg.name)/\(named)",
                        detail:
                            "CodeDeploy names this hook for \(asg.name) but the group lacks it: launches there get "
                            + "no deployment",
                        remedy: [AWSCLI.setAutoScalingGroups(group, observation.namedHooks.keys.sorted())]
                    )
                )
            }
            for hook in asg.hooks where hook.name.hasPrefix("CodeDeploy-managed-") && hook.name != named {
                findings.append(
                    Finding(
                        kind: .orphanHook,
                        subject: "\(asg.name)/\(hook.name)",
                        detail:
                            "no deployment group names this CodeDeploy hook here: it holds every launch until its "
                            + "\(hook.heartbeatTimeout)s timeout, then \(hook.defaultResult)",
                        remedy: [AWSCLI.deleteHook(group: asg.name, hook: hook.name)]
                    )
                )
            }
            let lifelines = asg.hook(group.hookName).map { [$0] } ?? []
            let drivers = lifelines + asg.codeDeployLaunchHooks.filter { $0.name == named }
            if drivers.count >= 2 {
                let remedy =
                    mode == .own
                    ? AWSCLI.setAutoScalingGroups(group, observation.namedHooks.keys.filter { $0 != asg.name }.sorted())
                    : AWSCLI.deleteHook(group: asg.name, hook: group.hookName)
                findings.append(
                    Finding(
                        kind: .doubleHooks,
                        subject: asg.name,
                        detail:
                            "\(drivers.map(\.name).joined(separator: " and ")) both start a deployment for every "
                            + "launch",
                        remedy: [remedy]
                    )
                )
            }
            if mode == .own, let hook = asg.hook(group.hookName), let queue = observation.queueARN,
                let target = hook.notificationTargetARN, target != queue
            {
                var words = [
                    "aws", "autoscaling", "put-lifecycle-hook", "--auto-scaling-group-name", asg.name,
                    "--lifecycle-hook-name", hook.name,
                    "--lifecycle-transition", hook.transition, "--notification-target-arn", queue,
                ]
                if let role = hook.roleARN { words += ["--role-arn", role] }
                words += ["--heartbeat-timeout", String(hook.heartbeatTimeout), "--default-result", hook.defaultResult]
                if let metadata = hook.metadata { words += ["--notification-metadata", metadata] }
                findings.append(
                    Finding(
                        kind: .hookTarget,
                        subject: "\(asg.name)/\(hook.name)",
                        detail: "notifies \(target), not lifeline's queue \(queue)",
                        remedy: [AWSCLI.command(words)]
                    )
                )
            }
        }
        return findings
    }

    /// The seed-004 workaround as commands: a new tag on the live instances and their groups, and
    /// the deployment group selecting by it, so the ghost no longer matches.
    static func rekeyCommands(_ observation: Observation, live: [String], now: Date) -> [String] {
        let key = observation.deploymentGroup.rekeyTag
        let value = "live-" + String(Int(now.timeIntervalSince1970))
        var commands: [String] = []
        if !live.isEmpty {
            commands.append(
                AWSCLI.command(
                    ["aws", "ec2", "create-tags", "--resources"] + live.sorted() + [
                        "--tags", "Key=\(key),Value=\(value)",
                    ]
                )
            )
        }
        for asg in observation.autoScalingGroups {
            commands.append(
                AWSCLI.command([
                    "aws", "autoscaling", "create-or-update-tags", "--tags",
                    "ResourceId=\(asg.name),ResourceType=auto-scaling-group,Key=\(key),Value=\(value),PropagateAtLaunch=true",
                ])
            )
        }
        commands.append(
            AWSCLI.command([
                "aws", "deploy", "update-deployment-group", "--application-name",
                observation.deploymentGroup.application,
                "--current-deployment-group-name",
                observation.deploymentGroup.name, "--ec2-tag-filters",
                AWSCLI.tagFilter(TagFilter(key: key, value: value)),
            ])
        )
        return commands
    }
}

/// One thing that happened to a group, for the audit's timeline.
public struct TimelineEvent: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable {
        case launch, deployment, abandon, `continue`, breaker, terminate
    }

    public var at: Date
    public var kind: Kind
    public var subject: String
    public var detail: String

    public init(at: Date, kind: Kind, subject: String, detail: String) {
        self.at = at
        self.kind = kind
        self.subject = subject
        self.detail = detail
    }
}

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
