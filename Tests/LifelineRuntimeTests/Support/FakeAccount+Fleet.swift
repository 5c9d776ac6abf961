import Foundation
import LifelineCore

@testable import AWSWire
@testable import LifelineRuntime

/// Ready-made accounts: deployment groups `shop/<name>` that select their Auto Scaling group
/// `shop-<name>` by the tag `group=<name>`, lifeline's hook on it, and a last successful
/// deployment `d-<name>-good` of `app-1.zip`.
extension FakeAccount {
    static let revision = RevisionLocation(
        revisionType: "S3",
        s3Location: S3Location(bucket: "shop-artifacts", key: "app-1.zip", bundleType: "zip")
    )

    /// `waiting`: instances in Pending:Wait on lifeline's hook, per deployment group name.
    static func fleet(_ waiting: [String: [String]], hookTimeout: Int = 300) -> FakeAccount {
        let account = FakeAccount()
        account.update { state in
            for (name, instances) in waiting.sorted(by: { $0.key < $1.key }) {
                let asg = "shop-\(name)"
                state.groups.append(
                    AutoScalingGroup(
                        name: asg,
                        minSize: 0,
                        maxSize: 10,
                        desiredCapacity: instances.count,
                        instances: instances.map {
                            AutoScalingGroupInstance(instanceID: $0, lifecycleState: "Pending:Wait")
                        },
                        tags: ["group": name]
                    )
                )
                state.hooks[asg] = [
                    LifecycleHook(
                        name: "lifeline-launch-\(name)",
                        groupName: asg,
                        transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                        notificationMetadata: "shop/\(name)",
                        heartbeatTimeout: hookTimeout
                    )
                ]
                let good = "d-\(name)-good"
                state.deployments[good] = DeploymentInfo(
                    applicationName: "shop",
                    deploymentGroupName: name,
                    deploymentId: good,
                    revision: revision,
                    status: "Succeeded",
                    createTime: Date(timeIntervalSince1970: 1_000),
                    creator: "user"
                )
                state.deploymentGroups.append(
                    DeploymentGroupInfo(
                        applicationName: "shop",
                        deploymentGroupName: name,
                        ec2TagFilters: [EC2TagFilter(key: "group", value: name, type: "KEY_AND_VALUE")],
                        lastSuccessfulDeployment: LastDeploymentInfo(deploymentId: good, status: "Succeeded"),
                        lastAttemptedDeployment: LastDeploymentInfo(
                            deploymentId: good,
                            status: "Succeeded",
                            createTime: Date(timeIntervalSince1970: 1_000)
                        )
                    )
                )
                for instance in instances {
                    state.instances.append(
                        EC2Instance(instanceID: instance, state: "running", launchTime: Date(), tags: ["group": name])
                    )
                }
            }
        }
        return account
    }

    /// `fleet(["prod": waiting])` with a second deployment group, shop/canary, covering the same
    /// Auto Scaling group (shop-prod) with its own lifeline hook.
    static func sharedWithCanary(_ waiting: [String]) -> FakeAccount {
        let account = fleet(["prod": waiting])
        account.update { state in
            var canary = state.deploymentGroups[0]
            canary.deploymentGroupName = "canary"
            state.deploymentGroups.append(canary)
            var hook = state.hooks["shop-prod"]![0]
            hook.name = "lifeline-launch-canary"
            state.hooks["shop-prod"]!.append(hook)
        }
        return account
    }

    static func managed(_ names: String...) -> [LifelineConfig.ManagedGroup] {
        names.map { LifelineConfig.ManagedGroup(name: DeploymentGroupName(application: "shop", name: $0)) }
    }

    /// A deployment lifeline (or anyone) started, with its targets' statuses.
    func startDeployment(
        _ id: String,
        group: String,
        description: String? = nil,
        status: String,
        targets: [String: String]
    ) {
        update { state in
            state.deployments[id] = DeploymentInfo(
                applicationName: "shop",
                deploymentGroupName: group,
                deploymentId: id,
                revision: Self.revision,
                status: status,
                createTime: Date(),
                description: description,
                creator: "user"
            )
            state.targets[id] = targets
            if let index = state.deploymentGroups.firstIndex(where: { $0.deploymentGroupName == group }) {
                state.deploymentGroups[index].lastAttemptedDeployment = LastDeploymentInfo(
                    deploymentId: id,
                    status: status,
                    createTime: Date()
                )
            }
        }
    }
}
