import Foundation

/// CodeDeploy's JSON 1.1 API (`CodeDeploy_20141006.<Op>`).
extension World {
    func codeDeploy(_ r: SimRequest) throws -> String {
        var out: [String: Any] = [:]
        switch r.operation {
        case "CreateApplication":
            let name = try requiredJSON(r, "applicationName")
            guard applications[name] == nil else {
                throw SimError(
                    code: "ApplicationAlreadyExistsException",
                    message: "The application \(name) already exists",
                    status: 400
                )
            }
            let id = UUID().uuidString.lowercased()
            applications[name] = (id, now, r.jsonString("computePlatform") ?? "Server")
            out = ["applicationId": id]
        case "ListApplications":
            let (page, token) = try paginate(
                applications.keys.sorted(),
                100,
                limit: 100,
                token: r.jsonString("nextToken")
            )
            out = ["applications": page]
            if let token { out["nextToken"] = token }
        case "CreateDeploymentGroup":
            let app = try existingApplication(r)
            let name = try requiredJSON(r, "deploymentGroupName")
            let key = "\(app)/\(name)"
            guard deploymentGroups[key] == nil else {
                throw SimError(
                    code: "DeploymentGroupAlreadyExistsException",
                    message: "The deployment group \(name) already exists",
                    status: 400
                )
            }
            let asgs = r.jsonStrings("autoScalingGroups")
            for asg in asgs where groups[asg] == nil {
                throw SimError(
                    code: "InvalidAutoScalingGroupException",
                    message: "Auto Scaling group \(asg) was not found",
                    status: 400
                )
            }
            var dg = SimDeploymentGroup(
                application: app,
                name: name,
                id: UUID().uuidString.lowercased(),
                serviceRoleARN: r.jsonString("serviceRoleArn"),
                configName: r.jsonString("deploymentConfigName") ?? "CodeDeployDefault.OneAtATime",
                autoScalingGroups: asgs,
                tagFilters: r.json["ec2TagFilters"] as? [[String: String]] ?? [],
                tagSet: (r.json["ec2TagSet"] as? [String: Any])?["ec2TagSetList"] as? [[[String: String]]] ?? [],
                outdatedInstancesStrategy: r.jsonString("outdatedInstancesStrategy") ?? "UPDATE"
            )
            // CodeDeploy installs its own launch hook on every group the deployment group names.
            for asg in asgs {
                let hookName =
                    "CodeDeploy-managed-automatic-launch-deployment-hook-\(name)-\(UUID().uuidString.lowercased())"
                dg.managedHooks[asg] = hookName
                groups[asg]?.hooks[hookName] = SimHook(
                    name: hookName,
                    group: asg,
                    transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                    heartbeatTimeout: 600,
                    defaultResult: "ABANDON",
                    notificationTargetARN:
                        "arn:aws:sqs:\(config.region):\(config.accountID):razorbill-\(config.region)-prod-default-autoscaling-lifecycle-hook",
                    codeDeployGroup: key
                )
                groups[asg]?.hookOrder.append(hookName)
            }
            deploymentGroups[key] = dg
            log("deployment-group", ["group": key, "asgs": asgs.joined(separator: ",")])
            out = ["deploymentGroupId": dg.id]
        case "UpdateDeploymentGroup":
            out = try updateDeploymentGroup(r)
        case "ListDeploymentGroups":
            let app = try existingApplication(r)
            let names = deploymentGroups.values.filter { $0.application == app }.map(\.name).sorted()
            let (page, token) = try paginate(names, 100, limit: 100, token: r.jsonString("nextToken"))
            out = ["applicationName": app, "deploymentGroups": page]
            if let token { out["nextToken"] = token }
        case "GetDeploymentGroup":
            let app = try existingApplication(r)
            let name = try requiredJSON(r, "deploymentGroupName")
            let dg = try existingDeploymentGroup(app, name)
            out = ["deploymentGroupInfo": groupInfo(dg)]
        case "BatchGetDeploymentGroups":
            let app = try existingApplication(r)
            let names = r.jsonStrings("deploymentGroupNames")
            guard names.count <= 100 else {
                throw SimError(
                    code: "BatchLimitExceededException",
                    message: "The maximum number of names or IDs allowed for this request (100) was exceeded.",
                    status: 400
                )
            }
            let found = names.compactMap { deploymentGroups["\(app)/\($0)"] }
            let missing = names.filter { deploymentGroups["\(app)/\($0)"] == nil }
            out = [
                "deploymentGroupsInfo": found.map(groupInfo),
                "errorMessage": missing.isEmpty
                    ? "" : "Deployment groups not found: \(missing.joined(separator: ", "))",
            ]
        case "CreateDeployment":
            let app = try existingApplication(r)
            let name = try requiredJSON(r, "deploymentGroupName")
            let dg = try existingDeploymentGroup(app, name)
            if let active = activeDeployments[dg.key].flatMap({ deployments[$0] }) {
                throw SimError(
                    code: "DeploymentLimitExceededException",
                    message: "The Deployment Group '\(name)' already has an active Deployment '\(active.id)'",
                    status: 400
                )
            }
            guard
                let revision = r.json["revision"] as? [String: Any]
                    ?? dg.targetRevision.flatMap({ try? JSONSerialization.jsonObject(with: $0) as? [String: Any] })
            else {
                throw SimError(
                    code: "RevisionRequiredException",
                    message: "The revision ID was not specified.",
                    status: 400
                )
            }
            if let description = r.jsonString("description"), description.count > 512 {
                throw SimError(
                    code: "DescriptionTooLongException",
                    message: "The description is too long.",
                    status: 400
                )
            }
            let data = Data(SimJSON.encode(revision, sortedKeys: true).utf8)
            let id = startDeployment(
                dg,
                revision: data,
                targets: matchSet(dg).filter { instances[$0]?.state == "running" || instances[$0]?.lingers == true },
                description: r.jsonString("description"),
                creator: "user",
                outdatedOnly: r.jsonBool("updateOutdatedInstancesOnly") ?? false
            )
            log("create-deployment", ["deployment": id, "group": dg.key, "caller": r.accessKeyID])
            out = ["deploymentId": id]
        case "GetDeployment":
            out = ["deploymentInfo": deploymentInfo(try existingDeployment(try requiredJSON(r, "deploymentId")))]
        case "BatchGetDeployments":
            let ids = r.jsonStrings("deploymentIds")
            guard ids.count <= 25 else {
                throw SimError(
                    code: "BatchLimitExceededException",
                    message: "The maximum number of names or IDs allowed for this request (25) was exceeded.",
                    status: 400
                )
            }
            out = ["deploymentsInfo": ids.compactMap { deployments[$0] }.map(deploymentInfo)]
        case "ListDeployments":
            var list = deploymentOrder.reversed().compactMap { deployments[$0] }
            if let app = r.jsonString("applicationName") {
                list = list.filter { $0.application == app }
                if let group = r.jsonString("deploymentGroupName") {
                    _ = try existingDeploymentGroup(app, group)
                    list = list.filter { $0.group == group }
                }
            }
            let statuses = r.jsonStrings("includeOnlyStatuses")
            if !statuses.isEmpty { list = list.filter { statuses.contains($0.status) } }
            if let range = r.json["createTimeRange"] as? [String: Any],
                let start = (range["start"] as? NSNumber)?.doubleValue
            {
                list = list.filter { $0.createTime.timeIntervalSince1970 >= start }
            }
            let (page, token) = try paginate(list.map(\.id), 100, limit: 100, token: r.jsonString("nextToken"))
            out = ["deployments": page]
            if let token { out["nextToken"] = token }
        case "ListDeploymentTargets":
            let deployment = try existingDeployment(try requiredJSON(r, "deploymentId"))
            try startedDeployment(deployment)
            let (page, token) = try paginate(deployment.targetOrder, 100, limit: 100, token: r.jsonString("nextToken"))
            out = ["targetIds": page]
            if let token { out["nextToken"] = token }
        case "BatchGetDeploymentTargets":
            let deployment = try existingDeployment(try requiredJSON(r, "deploymentId"))
            try startedDeployment(deployment)
            let ids = r.jsonStrings("targetIds")
            guard ids.count <= 25 else {
                throw SimError(
                    code: "DeploymentTargetListSizeExceededException",
                    message:
                        "The maximum number of targets that can be associated with a deployment (25) was exceeded.",
                    status: 400
                )
            }
            for id in ids where deployment.targets[id] == nil {
                throw SimError(
                    code: "DeploymentTargetDoesNotExistException",
                    message: "The deployment target \(id) does not exist.",
                    status: 400
                )
            }
            out = ["deploymentTargets": ids.compactMap { deployment.targets[$0] }.map { targetInfo($0, deployment) }]
        case "StopDeployment":
            let deployment = try existingDeployment(try requiredJSON(r, "deploymentId"))
            guard deployment.isActive else {
                throw SimError(
                    code: "DeploymentAlreadyCompletedException",
                    message: "The deployment \(deployment.id) is already completed.",
                    status: 400
                )
            }
            stopDeployment(deployment.id)
            out = ["status": "Succeeded", "statusMessage": "Stopped deployment \(deployment.id)"]
        default:
            throw SimError(code: "UnknownOperationException", message: "Unknown operation \(r.operation)", status: 400)
        }
        return ErrorEnvelope.json(out)
    }

    func requiredJSON(_ r: SimRequest, _ key: String) throws -> String {
        guard let v = r.jsonString(key), !v.isEmpty else { throw SimError.missing(key, service: .codedeploy) }
        return v
    }

    func existingApplication(_ r: SimRequest) throws -> String {
        let name = try requiredJSON(r, "applicationName")
        guard applications[name] != nil else {
            throw SimError(
                code: "ApplicationDoesNotExistException",
                message: "No application found for name: \(name)",
                status: 400
            )
        }
        return name
    }

    func existingDeploymentGroup(_ app: String, _ name: String) throws -> SimDeploymentGroup {
        guard let group = deploymentGroups["\(app)/\(name)"] else {
            throw SimError(
                code: "DeploymentGroupDoesNotExistException",
                message: "No Deployment Group found for name: \(name)",
                status: 400
            )
        }
        return group
    }

    /// AWS documents DeploymentNotStartedException for target reads while a deployment is Created or Queued.
    func startedDeployment(_ deployment: SimDeployment) throws {
        guard deployment.status == "Created" || deployment.status == "Queued" else { return }
        throw SimError(
            code: "DeploymentNotStartedException",
            message: "The specified deployment has not started.",
            status: 400
        )
    }

    func existingDeployment(_ id: String) throws -> SimDeployment {
        guard let d = deployments[id] else {
            throw SimError(
                code: "DeploymentDoesNotExistException",
                message: "The deployment \(id) could not be found.",
                status: 400
            )
        }
        return d
    }

    func groupInfo(_ dg: SimDeploymentGroup) -> [String: Any] {
        var info: [String: Any] = [
            "applicationName": dg.application, "deploymentGroupId": dg.id, "deploymentGroupName": dg.name,
            "deploymentConfigName": dg.configName, "ec2TagFilters": dg.tagFilters,
            "onPremisesInstanceTagFilters": [Any](),
            "autoScalingGroups": dg.autoScalingGroups.map { ["name": $0, "hook": dg.managedHooks[$0] ?? ""] },
            "triggerConfigurations": [Any](), "outdatedInstancesStrategy": dg.outdatedInstancesStrategy,
            "computePlatform": "Server",
            "deploymentStyle": ["deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"],
        ]
        if let role = dg.serviceRoleARN { info["serviceRoleArn"] = role }
        if !dg.tagSet.isEmpty { info["ec2TagSet"] = ["ec2TagSetList": dg.tagSet] }
        if let revision = dg.targetRevision { info["targetRevision"] = SimJSON.Raw(revision) }
        func last(_ l: (id: String, status: String, created: Date, ended: Date?)?) -> [String: Any]? {
            guard let l else { return nil }
            var d: [String: Any] = [
                "deploymentId": l.id, "status": l.status, "createTime": l.created.timeIntervalSince1970,
            ]
            if let ended = l.ended { d["endTime"] = ended.timeIntervalSince1970 }
            return d
        }
        info["lastSuccessfulDeployment"] = last(dg.lastSuccessful)
        info["lastAttemptedDeployment"] = last(dg.lastAttempted)
        return info
    }

    func deploymentInfo(_ d: SimDeployment) -> [String: Any] {
        var overview = ["Pending": 0, "InProgress": 0, "Succeeded": 0, "Failed": 0, "Skipped": 0, "Ready": 0]
        for t in d.targets.values { overview[t.status, default: 0] += 1 }
        var info: [String: Any] = [
            "applicationName": d.application, "deploymentGroupName": d.group, "deploymentConfigName": d.configName,
            "deploymentId": d.id,
            "revision": SimJSON.Raw(d.revision), "status": d.status,
            "createTime": d.createTime.timeIntervalSince1970, "deploymentOverview": overview, "creator": d.creator,
            "ignoreApplicationStopFailures": false, "updateOutdatedInstancesOnly": d.updateOutdatedOnly,
            "instanceTerminationWaitTimeStarted": false, "fileExistsBehavior": "DISALLOW", "computePlatform": "Server",
            "deploymentStyle": ["deploymentType": "IN_PLACE", "deploymentOption": "WITHOUT_TRAFFIC_CONTROL"],
        ]
        if let s = d.startTime { info["startTime"] = s.timeIntervalSince1970 }
        if let c = d.completeTime { info["completeTime"] = c.timeIntervalSince1970 }
        if let description = d.description { info["description"] = description }
        if let e = d.error { info["errorInformation"] = ["code": e.code, "message": e.message] }
        return info
    }

    func targetInfo(_ t: SimTarget, _ d: SimDeployment) -> [String: Any] {
        [
            "deploymentTargetType": "InstanceTarget",
            "instanceTarget": [
                "deploymentId": d.id, "targetId": t.instanceID, "status": t.status,
                "lastUpdatedAt": t.lastUpdated.timeIntervalSince1970,
                "targetArn": "arn:aws:ec2:\(config.region):\(config.accountID):instance/\(t.instanceID)",
                "lifecycleEvents": t.events.map { e -> [String: Any] in
                    var event: [String: Any] = ["lifecycleEventName": e.name, "status": e.status]
                    if let s = e.start { event["startTime"] = s.timeIntervalSince1970 }
                    if let end = e.end { event["endTime"] = end.timeIntervalSince1970 }
                    if let diagnostics = e.diagnostics { event["diagnostics"] = diagnostics }
                    return event
                },
            ] as [String: Any],
        ]
    }
}
