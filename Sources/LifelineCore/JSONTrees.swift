import JSONCoding

/// The core's records as JSON trees built by hand (`JSONTreeEncodable`): the journal and the
/// intents write them by the thousand in a pass. Each tree is what the type's `Encodable` writes
/// (`JSONTreeTests` compares the bytes). Members are added in key order, so the writer need not
/// sort them.

extension DeploymentGroupName: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        .object([JSONMember("application", .string(application)), JSONMember("name", .string(name))])
    }
}

extension Revision.S3: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        var json = JSONObjectBuilder(capacity: 5)
        json.add("bucket", bucket)
        json.add("bundleType", bundleType)
        json.add("eTag", eTag)
        json.add("key", key)
        json.add("version", version)
        return json.object
    }
}

extension Revision.GitHub: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        var json = JSONObjectBuilder(capacity: 2)
        json.add("commitId", commitId)
        json.add("repository", repository)
        return json.object
    }
}

extension Revision: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        var json = JSONObjectBuilder(capacity: 4)
        json.add("contentSHA256", contentSHA256)
        json.add("gitHubLocation", gitHubLocation)
        json.add("revisionType", revisionType)
        json.add("s3Location", s3Location)
        return json.object
    }
}

extension ObservedHook: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        var json = JSONObjectBuilder(capacity: 7)
        json.add("defaultResult", defaultResult)
        json.add("heartbeatTimeout", heartbeatTimeout)
        json.add("metadata", metadata)
        json.add("name", name)
        json.add("notificationTargetARN", notificationTargetARN)
        json.add("roleARN", roleARN)
        json.add("transition", transition)
        return json.object
    }
}

extension FollowOnDeployment: JSONTreeEncodable {
    public var jsonTree: JSONValue {
        var json = JSONObjectBuilder(capacity: 5)
        json.add("deploymentGroup", deploymentGroup)
        json.add("fence", fence)
        json.add("instances", instances)
        json.add("planID", planID)
        json.add("revision", revision)
        return json.object
    }
}
