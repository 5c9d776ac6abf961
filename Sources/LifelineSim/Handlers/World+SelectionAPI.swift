import Foundation

/// The calls that change what a deployment group selects: CodeDeploy's `UpdateDeploymentGroup`
/// (tag filters, tag set) and Auto Scaling's `CreateOrUpdateTags` (group tags, which reach
/// instances launched afterwards when they propagate). The audit's re-key remedy is these calls.
extension World {
    /// `UpdateDeploymentGroup`: the fields given replace the group's; the rest stay.
    func updateDeploymentGroup(_ r: SimRequest) throws -> [String: Any] {
        let app = try existingApplication(r)
        let name = try requiredJSON(r, "currentDeploymentGroupName")
        var dg = try existingDeploymentGroup(app, name)
        if r.json["ec2TagFilters"] != nil, r.json["ec2TagSet"] != nil {
            throw SimError(
                code: "InvalidInputException",
                message: "ec2TagFilters and ec2TagSet cannot be used in the same call",
                status: 400
            )
        }
        if let filters = r.json["ec2TagFilters"] {
            guard let list = filters as? [[String: String]] else { throw invalidTags("ec2TagFilters") }
            dg.tagFilters = list
            dg.tagSet = []
        }
        if let set = r.json["ec2TagSet"] {
            guard let object = set as? [String: Any], let list = object["ec2TagSetList"] as? [[[String: String]]],
                list.count <= 3
            else { throw invalidTags("ec2TagSet") }
            dg.tagSet = list
            dg.tagFilters = []
        }
        if let config = r.jsonString("deploymentConfigName") { dg.configName = config }
        if let role = r.jsonString("serviceRoleArn") { dg.serviceRoleARN = role }
        deploymentGroups[dg.key] = dg
        log("deployment-group-updated", ["group": dg.key])
        return ["hooksNotCleanedUp": [Any]()]
    }

    private func invalidTags(_ field: String) -> SimError {
        SimError(code: "InvalidTagFilterException", message: "The \(field) given is not valid.", status: 400)
    }

    /// `CreateOrUpdateTags` on Auto Scaling groups: a tag with the same key is replaced.
    func createOrUpdateTags(_ r: SimRequest) throws {
        let tags = r.structures("Tags")
        guard !tags.isEmpty else { throw SimError.missing("Tags", service: .autoscaling) }
        for tag in tags {
            guard tag["ResourceType"] == "auto-scaling-group", let name = tag["ResourceId"], let key = tag["Key"] else {
                throw SimError.validation("Each tag needs ResourceId, ResourceType auto-scaling-group and Key")
            }
            guard groups[name] != nil else { throw SimError.validation("Group \(name) not found") }
            let entry = (key: key, value: tag["Value"] ?? "", propagate: tag["PropagateAtLaunch"] == "true")
            if let index = groups[name]?.tags.firstIndex(where: { $0.key == key }) {
                groups[name]?.tags[index] = entry
            } else {
                groups[name]?.tags.append(entry)
            }
            log("group-tagged", ["group": name, "key": key])
        }
    }
}
