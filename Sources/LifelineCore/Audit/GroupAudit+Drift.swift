import Foundation

extension GroupAudit {
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
}
