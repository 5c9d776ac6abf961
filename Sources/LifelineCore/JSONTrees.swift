import JSONCoding

/// The core's records written as JSON by hand (`JSONWritable`): the journal and the intents
/// write them by the thousand in a pass. Each writes what the type's `Encodable` writes
/// (`JSONTreeTests` compares the bytes). Members are added in key order, as the writer requires.

extension DeploymentGroupName: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("application", application)
            json.add("name", name)
        }
    }
}

extension Revision.S3: JSONWritable {
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

extension Revision.GitHub: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("commitId", commitId)
            json.add("repository", repository)
        }
    }
}

extension Revision: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("contentSHA256", contentSHA256)
            json.add("gitHubLocation", gitHubLocation)
            json.add("revisionType", revisionType)
            json.add("s3Location", s3Location)
        }
    }
}

extension ObservedHook: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("defaultResult", defaultResult)
            json.add("heartbeatTimeout", heartbeatTimeout)
            json.add("metadata", metadata)
            json.add("name", name)
            json.add("notificationTargetARN", notificationTargetARN)
            json.add("roleARN", roleARN)
            json.add("transition", transition)
        }
    }
}

extension FollowOnDeployment: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) {
        json.object { json in
            json.add("deploymentGroup", deploymentGroup)
            json.add("fence", fence)
            json.add("instances", instances)
            json.add("planID", planID)
            json.add("revision", revision)
        }
    }
}
