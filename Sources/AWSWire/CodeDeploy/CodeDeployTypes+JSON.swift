import Foundation
import JSONCoding

/// The CodeDeploy shapes a pass reads by the thousand, read by hand from the answer's index
/// (`JSONShape`): the same members, with the same names, as their `Decodable` forms.

extension EC2TagFilter: JSONShape {
    init(json: JSONFields) throws {
        self.init(key: try json.string("Key"), value: try json.string("Value"), type: try json.string("Type"))
    }
}

extension EC2TagSet: JSONShape {
    init(json: JSONFields) throws {
        self.init(
            ec2TagSetList: try json.list("ec2TagSetList") { value, path in
                try JSONFields.array(value, at: path) { try EC2TagFilter(json: JSONFields($0, at: $1)) }
            }
        )
    }
}

extension AutoScalingGroupReference: JSONShape {
    init(json: JSONFields) throws {
        name = try json.string("name")
        hook = try json.string("hook")
        terminationHook = try json.string("terminationHook")
    }
}

extension S3Location: JSONShape {
    init(json: JSONFields) throws {
        self.init(
            bucket: try json.string("bucket"),
            key: try json.string("key"),
            bundleType: try json.string("bundleType"),
            version: try json.string("version"),
            eTag: try json.string("eTag")
        )
    }
}

extension GitHubLocation: JSONShape {
    init(json: JSONFields) throws {
        self.init(repository: try json.string("repository"), commitId: try json.string("commitId"))
    }
}

extension RawContent: JSONShape {
    init(json: JSONFields) throws {
        content = try json.string("content")
        sha256 = try json.string("sha256")
    }
}

extension RevisionLocation: JSONShape {
    init(json: JSONFields) throws {
        self.init(
            revisionType: try json.string("revisionType"),
            s3Location: try json.object("s3Location"),
            gitHubLocation: try json.object("gitHubLocation")
        )
        string = try json.object("string")
        appSpecContent = try json.object("appSpecContent")
    }
}

extension LastDeploymentInfo: JSONShape {
    init(json: JSONFields) throws {
        deploymentId = try json.string("deploymentId")
        status = try json.string("status")
        endTime = try json.date("endTime")
        createTime = try json.date("createTime")
    }
}

extension DeploymentGroupInfo: JSONShape {
    init(json: JSONFields) throws {
        applicationName = try json.string("applicationName")
        deploymentGroupId = try json.string("deploymentGroupId")
        deploymentGroupName = try json.string("deploymentGroupName")
        deploymentConfigName = try json.string("deploymentConfigName")
        ec2TagFilters = try json.objects("ec2TagFilters")
        ec2TagSet = try json.object("ec2TagSet")
        autoScalingGroups = try json.objects("autoScalingGroups")
        serviceRoleArn = try json.string("serviceRoleArn")
        targetRevision = try json.object("targetRevision")
        lastSuccessfulDeployment = try json.object("lastSuccessfulDeployment")
        lastAttemptedDeployment = try json.object("lastAttemptedDeployment")
        outdatedInstancesStrategy = try json.string("outdatedInstancesStrategy")
        computePlatform = try json.string("computePlatform")
    }
}

extension ErrorInformation: JSONShape {
    init(json: JSONFields) throws {
        code = try json.string("code")
        message = try json.string("message")
    }
}

extension DeploymentOverview: JSONShape {
    init(json: JSONFields) throws {
        Pending = try json.int("Pending")
        InProgress = try json.int("InProgress")
        Succeeded = try json.int("Succeeded")
        Failed = try json.int("Failed")
        Skipped = try json.int("Skipped")
        Ready = try json.int("Ready")
    }
}

extension TargetInstances: JSONShape {
    init(json: JSONFields) throws {
        tagFilters = try json.objects("tagFilters")
        autoScalingGroups = try json.strings("autoScalingGroups")
        ec2TagSet = try json.object("ec2TagSet")
    }
}

extension DeploymentInfo: JSONShape {
    init(json: JSONFields) throws {
        applicationName = try json.string("applicationName")
        deploymentGroupName = try json.string("deploymentGroupName")
        deploymentConfigName = try json.string("deploymentConfigName")
        deploymentId = try json.string("deploymentId")
        revision = try json.object("revision")
        status = try json.string("status")
        errorInformation = try json.object("errorInformation")
        createTime = try json.date("createTime")
        startTime = try json.date("startTime")
        completeTime = try json.date("completeTime")
        deploymentOverview = try json.object("deploymentOverview")
        description = try json.string("description")
        creator = try json.string("creator")
        updateOutdatedInstancesOnly = try json.bool("updateOutdatedInstancesOnly")
        targetInstances = try json.object("targetInstances")
    }
}

/// `BatchGetDeployments`' answer.
struct DeploymentsPage: JSONShape, Equatable {
    var deploymentsInfo: [DeploymentInfo]?

    init(json: JSONFields) throws { deploymentsInfo = try json.objects("deploymentsInfo") }
}

/// `BatchGetDeploymentGroups`' answer. The list is required: an answer without it is no answer,
/// not "no such group".
struct DeploymentGroupsPage: JSONShape, Equatable {
    var deploymentGroupsInfo: [DeploymentGroupInfo]
    var errorMessage: String?

    init(json: JSONFields) throws {
        deploymentGroupsInfo = try json.requiredObjects("deploymentGroupsInfo")
        errorMessage = try json.string("errorMessage")
    }
}

/// `CreateDeployment`'s answer.
struct CreatedDeployment: JSONShape, Equatable {
    var deploymentId: String

    init(json: JSONFields) throws { deploymentId = try json.requiredString("deploymentId") }
}

// MARK: - Written by hand: what a pass sends by the thousand (`JSONWritable`), members in key
// order, as the writer requires

extension EC2TagFilter: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("Key", key)
            json.add("Type", type)
            json.add("Value", value)
        }
    }
}

extension EC2TagSet: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("ec2TagSetList", ec2TagSetList)
        }
    }
}

extension S3Location: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("bucket", bucket)
            json.add("bundleType", bundleType)
            json.add("eTag", eTag)
            json.add("key", key)
            json.add("version", version)
        }
    }
}

extension GitHubLocation: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("commitId", commitId)
            json.add("repository", repository)
        }
    }
}

extension RawContent: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("content", content)
            json.add("sha256", sha256)
        }
    }
}

extension RevisionLocation: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("appSpecContent", appSpecContent)
            json.add("gitHubLocation", gitHubLocation)
            json.add("revisionType", revisionType)
            json.add("s3Location", s3Location)
            json.add("string", string)
        }
    }
}

extension TargetInstances: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("autoScalingGroups", autoScalingGroups)
            json.add("ec2TagSet", ec2TagSet)
            json.add("tagFilters", tagFilters)
        }
    }
}

extension CreateDeploymentInput: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("applicationName", applicationName)
            json.add("deploymentConfigName", deploymentConfigName)
            json.add("deploymentGroupName", deploymentGroupName)
            json.add("description", description)
            json.add("fileExistsBehavior", fileExistsBehavior)
            json.add("revision", revision)
            json.add("targetInstances", targetInstances)
            json.add("updateOutdatedInstancesOnly", updateOutdatedInstancesOnly)
        }
    }
}
