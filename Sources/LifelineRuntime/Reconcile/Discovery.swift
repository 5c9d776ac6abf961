import AWSWire
import Foundation
import LifelineCore

/// Without a config, lifeline manages the deployment groups whose Auto Scaling groups carry its
/// hook: `lifeline-launch-<group>`, whose notification metadata names `APP/GROUP`; where
/// `lifeline-terminate-<group>` is there too, the terminating hook is attended as well.
public enum Discovery {
    public static func managedGroups(
        _ aws: AWSServices,
        resyncInterval: TimeInterval = 60,
        pollInterval: TimeInterval = 10
    ) async throws -> [LifelineConfig.ManagedGroup] {
        let asgs = try await aws.autoScaling.describeAutoScalingGroups(names: [])
        let hookLists = try await concurrentMap(asgs.map(\.name)) {
            try await aws.autoScaling.describeLifecycleHooks(group: $0)
        }
        var found: [DeploymentGroupName: LifelineConfig.ManagedGroup] = [:]
        for (asg, hooks) in zip(asgs, hookLists) {
            for hook in hooks where hook.name.hasPrefix("lifeline-launch-") {
                guard let name = hook.notificationMetadata.flatMap(DeploymentGroupName.init), name.hookName == hook.name
                else { continue }
                var group =
                    found[name]
                    ?? LifelineConfig.ManagedGroup(
                        name: name,
                        policy: GroupPolicy(
                            heartbeatTimeout: hook.heartbeatTimeout,
                            hookRoleARN: hook.roleARN,
                            pollInterval: pollInterval,
                            resyncInterval: resyncInterval
                        )
                    )
                group.policy.autoScalingGroups.append(asg.name)
                // Its terminating hook there too: it was installed with terminating_hook: true.
                if hooks.contains(where: { $0.name == name.terminateHookName }) { group.policy.terminatingHook = true }
                found[name] = group
            }
        }
        return found.values.sorted { $0.name < $1.name }
    }
}
