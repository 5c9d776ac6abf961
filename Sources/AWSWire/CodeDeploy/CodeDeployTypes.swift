import Foundation

/// CodeDeploy shapes (2014-10-06), Codable in their wire names.
/// https://docs.aws.amazon.com/codedeploy/latest/APIReference/

/// `{"Key","Value","Type"}`, Type one of `KEY_ONLY`, `VALUE_ONLY`, `KEY_AND_VALUE`.
public struct EC2TagFilter: Codable, Sendable, Equatable, Hashable {
    public var key: String?
    public var value: String?
    public var type: String?

    public init(key: String?, value: String?, type: String?) {
        self.key = key
        self.value = value
        self.type = type
    }

    enum CodingKeys: String, CodingKey {
        case key = "Key"
        case value = "Value"
        case type = "Type"
    }
}

public struct EC2TagSet: Codable, Sendable, Equatable {
    public var ec2TagSetList: [[EC2TagFilter]]?
    public init(ec2TagSetList: [[EC2TagFilter]]?) { self.ec2TagSetList = ec2TagSetList }
}

/// A group the deployment group names, and the hook CodeDeploy installed on it.
public struct AutoScalingGroupReference: Codable, Sendable, Equatable {
    public var name: String?
    public var hook: String?
    public var terminationHook: String?
}

public struct S3Location: Codable, Sendable, Equatable, Hashable {
    public var bucket: String?
    public var key: String?
    public var bundleType: String?
    public var version: String?
    public var eTag: String?
    public init(bucket: String?, key: String?, bundleType: String?, version: String? = nil, eTag: String? = nil) {
        self.bucket = bucket
        self.key = key
        self.bundleType = bundleType
        self.version = version
        self.eTag = eTag
    }
}

public struct GitHubLocation: Codable, Sendable, Equatable, Hashable {
    public var repository: String?
    public var commitId: String?
    public init(repository: String?, commitId: String?) {
        self.repository = repository
        self.commitId = commitId
    }
}

public struct RawContent: Codable, Sendable, Equatable, Hashable {
    public var content: String?
    public var sha256: String?
}

/// A revision exactly as CodeDeploy describes it, so it can be sent back unchanged.
public struct RevisionLocation: Codable, Sendable, Equatable, Hashable {
    public var revisionType: String?
    public var s3Location: S3Location?
    public var gitHubLocation: GitHubLocation?
    public var string: RawContent?
    public var appSpecContent: RawContent?

    public init(revisionType: String?, s3Location: S3Location? = nil, gitHubLocation: GitHubLocation? = nil) {
        self.revisionType = revisionType
        self.s3Location = s3Location
        self.gitHubLocation = gitHubLocation
    }
}

public struct LastDeploymentInfo: Codable, Sendable, Equatable {
    public var deploymentId: String?
    public var status: String?
    public var endTime: Date?
    public var createTime: Date?
}

public struct DeploymentGroupInfo: Codable, Sendable, Equatable {
    public var applicationName: String?
    public var deploymentGroupId: String?
    public var deploymentGroupName: String?
    public var deploymentConfigName: String?
    public var ec2TagFilters: [EC2TagFilter]?
    public var ec2TagSet: EC2TagSet?
    public var autoScalingGroups: [AutoScalingGroupReference]?
    public var serviceRoleArn: String?
    public var targetRevision: RevisionLocation?
    public var lastSuccessfulDeployment: LastDeploymentInfo?
    public var lastAttemptedDeployment: LastDeploymentInfo?
    /// `UPDATE` or `IGNORE`
    public var outdatedInstancesStrategy: String?
    public var computePlatform: String?
}

public struct ErrorInformation: Codable, Sendable, Equatable {
    public var code: String?
    public var message: String?
}

public struct DeploymentOverview: Codable, Sendable, Equatable {
    public var Pending: Int?
    public var InProgress: Int?
    public var Succeeded: Int?
    public var Failed: Int?
    public var Skipped: Int?
    public var Ready: Int?
}

public struct TargetInstances: Codable, Sendable, Equatable {
    public var tagFilters: [EC2TagFilter]?
    public var autoScalingGroups: [String]?
    public var ec2TagSet: EC2TagSet?
}

public struct DeploymentInfo: Codable, Sendable, Equatable {
    public var applicationName: String?
    public var deploymentGroupName: String?
    public var deploymentConfigName: String?
    public var deploymentId: String?
    public var revision: RevisionLocation?
    /// `Created`, `Queued`, `InProgress`, `Baking`, `Succeeded`, `Failed`, `Stopped`, `Ready`
    public var status: String?
    public var errorInformation: ErrorInformation?
    public var createTime: Date?
    public var startTime: Date?
    public var completeTime: Date?
    public var deploymentOverview: DeploymentOverview?
    public var description: String?
    /// `user`, `autoscaling`, `codeDeployRollback`, `CodeDeploy`, `CloudFormation`, …
    public var creator: String?
    public var updateOutdatedInstancesOnly: Bool?
    public var targetInstances: TargetInstances?
}

public struct Diagnostics: Codable, Sendable, Equatable {
    public var errorCode: String?
    public var scriptName: String?
    public var message: String?
    public var logTail: String?
}

public struct LifecycleEvent: Codable, Sendable, Equatable {
    public var lifecycleEventName: String?
    public var diagnostics: Diagnostics?
    public var startTime: Date?
    public var endTime: Date?
    public var status: String?
}

public struct InstanceTarget: Codable, Sendable, Equatable {
    public var deploymentId: String?
    public var targetId: String?
    public var targetArn: String?
    /// `Pending`, `InProgress`, `Succeeded`, `Failed`, `Skipped`, `Unknown`, `Ready`
    public var status: String?
    public var lastUpdatedAt: Date?
    public var lifecycleEvents: [LifecycleEvent]?
    public var instanceLabel: String?
}

public struct DeploymentTarget: Codable, Sendable, Equatable {
    public var deploymentTargetType: String?
    public var instanceTarget: InstanceTarget?
}

public struct CreateDeploymentInput: Codable, Sendable, Equatable {
    public var applicationName: String
    public var deploymentGroupName: String?
    public var revision: RevisionLocation?
    public var deploymentConfigName: String?
    public var description: String?
    public var updateOutdatedInstancesOnly: Bool?
    public var targetInstances: TargetInstances?
    public var fileExistsBehavior: String?

    public init(
        applicationName: String,
        deploymentGroupName: String?,
        revision: RevisionLocation?,
        description: String? = nil,
        updateOutdatedInstancesOnly: Bool? = nil,
        deploymentConfigName: String? = nil
    ) {
        self.applicationName = applicationName
        self.deploymentGroupName = deploymentGroupName
        self.revision = revision
        self.description = description
        self.updateOutdatedInstancesOnly = updateOutdatedInstancesOnly
        self.deploymentConfigName = deploymentConfigName
    }
}
