import Foundation

extension GroupAudit {
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
        let tag = TagFilter(key: key, value: value)
        commands.append(
            AWSCLI.command(
                [
                    "aws", "deploy", "update-deployment-group", "--application-name",
                    observation.deploymentGroup.application, "--current-deployment-group-name",
                    observation.deploymentGroup.name,
                ] + selector(observation.tagSet, adding: tag)
            )
        )
        return commands
    }

    /// The deployment group's new selection. `ec2TagFilters` (OR) becomes the new tag alone. An
    /// `ec2TagSet` (AND of its groups) keeps its groups and gains one holding the new tag, so it
    /// selects what it did, less what lacks the tag (the ghost); at CodeDeploy's limit of three
    /// groups, the new tag alone replaces it.
    static func selector(_ tagSet: [[TagFilter]], adding tag: TagFilter) -> [String] {
        guard !tagSet.isEmpty else { return ["--ec2-tag-filters", AWSCLI.tagFilter(tag)] }
        let groups = tagSet.count < 3 ? tagSet + [[tag]] : [[tag]]
        return ["--ec2-tag-set", AWSCLI.tagSetJSON(groups)]
    }
}
