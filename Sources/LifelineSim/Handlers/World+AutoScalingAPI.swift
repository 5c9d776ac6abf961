import Foundation

/// Auto Scaling's Query API (2011-01-01): requests in, XML out.
extension World {
    func autoScaling(_ r: SimRequest) throws -> String {
        var w = XMLWriter()
        switch r.operation {
        case "CreateAutoScalingGroup":
            let name = try required(r, "AutoScalingGroupName")
            guard groups[name] == nil else {
                throw SimError(
                    code: "AlreadyExists",
                    message:
                        "AutoScalingGroup by this name already exists - A group with the name \(name) already exists",
                    status: 400
                )
            }
            guard let min = r.int("MinSize"), let max = r.int("MaxSize") else {
                throw SimError.missing("MinSize", service: .autoscaling)
            }
            let desired = r.int("DesiredCapacity") ?? min
            guard min <= desired, desired <= max else {
                throw SimError.validation(
                    "Desired capacity:\(desired) must be between the specified min size:\(min) and max size:\(max)"
                )
            }
            var zones = r.list("AvailabilityZones")
            if zones.isEmpty { zones = [config.region + "a", config.region + "b"] }
            groups[name] = SimGroup(
                name: name,
                arn:
                    "arn:aws:autoscaling:\(config.region):\(config.accountID):autoScalingGroup:\(UUID().uuidString.lowercased()):autoScalingGroupName/\(name)",
                minSize: min,
                maxSize: max,
                desired: desired,
                tags: r.structures("Tags").map {
                    ($0["Key"] ?? "", $0["Value"] ?? "", $0["PropagateAtLaunch"] != "false")
                },
                launchTemplate: r.string("LaunchTemplate.LaunchTemplateName") ?? r.string("LaunchConfigurationName"),
                availabilityZones: zones,
                createdTime: now
            )
            reconcileCapacity(name)
        case "UpdateAutoScalingGroup", "SetDesiredCapacity":
            let name = try required(r, "AutoScalingGroupName")
            guard var group = groups[name] else {
                throw SimError.validation("AutoScalingGroup name not found - AutoScalingGroup \(name) not found")
            }
            if let v = r.int("MinSize") { group.minSize = v }
            if let v = r.int("MaxSize") { group.maxSize = v }
            if let v = r.int("DesiredCapacity") { group.desired = v }
            guard group.minSize <= group.desired, group.desired <= group.maxSize else {
                throw SimError.validation(
                    "New SetDesiredCapacity value \(group.desired) is "
                        + "\(group.desired < group.minSize ? "below min" : "above max") value "
                        + "\(group.desired < group.minSize ? group.minSize : group.maxSize) for the "
                        + "AutoScalingGroup."
                )
            }
            groups[name] = group
            log("capacity", ["group": name, "desired": String(group.desired)])
            reconcileCapacity(name)
        case "DescribeAutoScalingGroups":
            let names = r.list("AutoScalingGroupNames")
            let filters = try r.filterMembers("Filters").map { try GroupTagFilter(name: $0.name, values: $0.values) }
            var selected = names.isEmpty ? groupNamesInOrder() : names.filter { groups[$0] != nil }
            if !filters.isEmpty {
                selected = selected.filter { name in filters.allSatisfy { $0.passes(groups[name]?.tags ?? []) } }
            }
            // Paged by name: only the page's groups are copied (all of them was quadratic over the pages).
            let (page, token) = try paginate(
                selected,
                r.int("MaxRecords") ?? 50,
                limit: 100,
                token: r.string("NextToken")
            )
            w.open("DescribeAutoScalingGroupsResult") { w in
                w.list("AutoScalingGroups", page.compactMap { groups[$0] }) { w, g in self.writeGroup(&w, g) }
                w.element("NextToken", token)
            }
        case "DescribeAutoScalingInstances":
            let ids = r.list("InstanceIds")
            let members = (ids.isEmpty ? instances.keys.sorted() : ids).compactMap { instances[$0] }.filter {
                $0.group != nil
            }
            let (page, token) = try paginate(
                members,
                r.int("MaxRecords") ?? 50,
                limit: 50,
                token: r.string("NextToken")
            )
            w.open("DescribeAutoScalingInstancesResult") { w in
                w.list("AutoScalingInstances", page) { w, i in
                    w.element("InstanceId", i.id)
                    w.element("InstanceType", i.instanceType)
                    w.element("AutoScalingGroupName", i.group)
                    w.element("AvailabilityZone", i.availabilityZone)
                    w.element("LifecycleState", i.lifecycleState)
                    w.element("HealthStatus", "HEALTHY")
                    w.element("ProtectedFromScaleIn", false)
                }
                w.element("NextToken", token)
            }
        case "DescribeLifecycleHooks":
            let group = try existingGroup(r)
            let wanted = r.list("LifecycleHookNames")
            let hooks = group.hookOrder.compactMap { group.hooks[$0] }.filter {
                wanted.isEmpty || wanted.contains($0.name)
            }
            w.open("DescribeLifecycleHooksResult") { w in
                w.list("LifecycleHooks", hooks) { w, h in self.writeHook(&w, h) }
            }
        case "PutLifecycleHook":
            try putLifecycleHook(r)
            w.open("PutLifecycleHookResult") { _ in }
        case "DeleteLifecycleHook":
            var group = try existingGroup(r)
            let name = try required(r, "LifecycleHookName")
            guard group.hooks[name] != nil else {
                throw SimError.validation("No Lifecycle Hook found with name \(name) for group \(group.name)")
            }
            group.hooks[name] = nil
            group.hookOrder.removeAll { $0 == name }
            groups[group.name] = group
            for action in actions.values where action.group == group.name && action.hook == name && action.result == nil
            {
                finishAction(action.token, result: "CONTINUE", why: "its hook was deleted")
            }
            w.open("DeleteLifecycleHookResult") { _ in }
        case "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat":
            // Every attempt is on the record (/_sim/events), accepted or refused, with what it named.
            var attempt = [
                "operation": r.operation, "group": r.string("AutoScalingGroupName") ?? "",
                "hook": r.string("LifecycleHookName") ?? "", "token": r.string("LifecycleActionToken") ?? "",
                "instance": r.string("InstanceId") ?? "", "result": r.string("LifecycleActionResult") ?? "",
                "caller": r.accessKeyID,
            ]
            do {
                try lifecycleActionCall(r, &w)
                attempt["outcome"] = "accepted"
                log("lifecycle-attempt", attempt)
            } catch let error as SimError {
                attempt["outcome"] = "refused"
                attempt["error"] = error.message
                log("lifecycle-attempt", attempt)
                throw error
            }
        case "DescribeScalingActivities":
            let name = r.string("AutoScalingGroupName")
            let matching = activities.filter { name == nil || $0.group == name }.reversed()
            let (page, token) = try paginate(
                Array(matching),
                r.int("MaxRecords") ?? 100,
                limit: 100,
                token: r.string("NextToken")
            )
            w.open("DescribeScalingActivitiesResult") { w in
                w.list("Activities", page) { w, a in
                    w.element("ActivityId", a.id)
                    w.element("AutoScalingGroupName", a.group)
                    w.element("AutoScalingGroupARN", self.groups[a.group]?.arn)
                    w.element("Description", a.description)
                    w.element("Cause", a.cause)
                    w.element("StartTime", a.start)
                    w.element("EndTime", a.end)
                    w.element("StatusCode", a.status)
                    w.element("Progress", a.end == nil ? 50 : 100)
                    w.element(
                        "Details",
                        "{\"Subnet ID\":\"subnet-0123456789abcdef0\",\"Availability Zone\":\"\(self.config.region)a\"}"
                    )
                }
                w.element("NextToken", token)
            }
        case "CreateOrUpdateTags":
            try createOrUpdateTags(r)
            w.open("CreateOrUpdateTagsResult") { _ in }
        case "DetachInstances":
            let group = try existingGroup(r)
            guard let decrement = r.bool("ShouldDecrementDesiredCapacity") else {
                throw SimError.missing("ShouldDecrementDesiredCapacity", service: .autoscaling)
            }
            let ids = r.list("InstanceIds")
            for id in ids where !group.instances.contains(id) {
                throw SimError.validation("The instance \(id) is not part of Auto Scaling group \(group.name).")
            }
            for id in ids { detach(id, decrement: decrement) }
            w.open("DetachInstancesResult") { w in
                w.list("Activities", ids) { w, id in
                    w.element("ActivityId", SimID.token())
                    w.element("AutoScalingGroupName", group.name)
                    w.element("Description", "Detaching EC2 instance: \(id)")
                    w.element(
                        "Cause",
                        "At \(XMLWriter.timestamp(self.now)) instance \(id) was detached in response to a user request."
                    )
                    w.element("StartTime", self.now)
                    w.element("StatusCode", "InProgress")
                    w.element("Progress", 50)
                }
            }
        case "TerminateInstanceInAutoScalingGroup":
            let id = try required(r, "InstanceId")
            guard let decrement = r.bool("ShouldDecrementDesiredCapacity") else {
                throw SimError.missing("ShouldDecrementDesiredCapacity", service: .autoscaling)
            }
            guard let groupName = instances[id]?.group else {
                throw SimError.validation("Instance Id not found - No managed instance found for instance ID: \(id)")
            }
            if decrement { groups[groupName]?.desired -= 1 }
            beginTermination(
                id,
                cause:
                    "At \(XMLWriter.timestamp(now)) instance \(id) was taken out of service in response to a user "
                    + "request\(decrement ? ", shrinking the capacity" : "")."
            )
            reconcileCapacity(groupName)
            w.open("TerminateInstanceInAutoScalingGroupResult") { w in
                w.open("Activity") { w in
                    w.element("ActivityId", SimID.token())
                    w.element("AutoScalingGroupName", groupName)
                    w.element("Description", "Terminating EC2 instance: \(id)")
                    w.element(
                        "Cause",
                        "At \(XMLWriter.timestamp(self.now)) instance \(id) was taken out of service in response to "
                            + "a user request."
                    )
                    w.element("StartTime", self.now)
                    w.element("StatusCode", "InProgress")
                    w.element("Progress", 0)
                }
            }
        default:
            throw SimError(
                code: "InvalidAction",
                message: "The action \(r.operation) is not valid for this web service.",
                status: 400
            )
        }
        return
            "<\(r.operation)Response "
            + "xmlns=\"http://autoscaling.amazonaws.com/doc/2011-01-01/\">\(w.text)<ResponseMetadata><RequestId>\(SimID.requestID())</RequestId></ResponseMetadata></\(r.operation)Response>"
    }

    func writeGroup(_ w: inout XMLWriter, _ g: SimGroup) {
        w.element("AutoScalingGroupName", g.name)
        w.element("AutoScalingGroupARN", g.arn)
        if let t = g.launchTemplate {
            w.open("LaunchTemplate") { w in
                w.element("LaunchTemplateName", t)
                w.element("Version", "$Default")
            }
        }
        w.element("MinSize", g.minSize)
        w.element("MaxSize", g.maxSize)
        w.element("DesiredCapacity", g.desired)
        w.element("DefaultCooldown", 300)
        w.list("AvailabilityZones", g.availabilityZones) { w, z in w.value(z) }
        w.list("LoadBalancerNames", [String]()) { _, _ in }
        w.list("TargetGroupARNs", [String]()) { _, _ in }
        w.element("HealthCheckType", "EC2")
        w.element("HealthCheckGracePeriod", 300)
        w.list("Instances", g.instances.compactMap { instances[$0] }) { w, i in
            w.element("InstanceId", i.id)
            w.element("InstanceType", i.instanceType)
            w.element("AvailabilityZone", i.availabilityZone)
            w.element("LifecycleState", i.lifecycleState)
            w.element("HealthStatus", "Healthy")
            if let t = g.launchTemplate {
                w.open("LaunchTemplate") { w in
                    w.element("LaunchTemplateName", t)
                    w.element("Version", "1")
                }
            }
            w.element("ProtectedFromScaleIn", false)
        }
        w.element("CreatedTime", g.createdTime)
        w.list("SuspendedProcesses", [String]()) { _, _ in }
        w.list("EnabledMetrics", [String]()) { _, _ in }
        w.list("Tags", g.tags) { w, t in
            w.element("ResourceId", g.name)
            w.element("ResourceType", "auto-scaling-group")
            w.element("Key", t.key)
            w.element("Value", t.value)
            w.element("PropagateAtLaunch", t.propagate)
        }
        w.list("TerminationPolicies", ["Default"]) { w, p in w.value(p) }
        w.element("NewInstancesProtectedFromScaleIn", false)
        w.element(
            "ServiceLinkedRoleARN",
            "arn:aws:iam::\(config.accountID):role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"
        )
    }

    func required(_ r: SimRequest, _ name: String) throws -> String {
        guard let v = r.string(name), !v.isEmpty else { throw SimError.missing(name, service: r.service) }
        return v
    }

    func existingGroup(_ r: SimRequest) throws -> SimGroup {
        let name = try required(r, "AutoScalingGroupName")
        guard let group = groups[name] else { throw SimError.validation("Group \(name) not found") }
        return group
    }

    /// Every group's name, sorted. Groups are only ever added (a scenario load starts afresh), so
    /// a count that changed means names that changed.
    func groupNamesInOrder() -> [String] {
        if groupNamesSorted.count != groups.count { groupNamesSorted = groups.keys.sorted() }
        return groupNamesSorted
    }

    /// A page of `items` from an opaque offset token.
    func paginate<T>(_ items: [T], _ requested: Int, limit: Int, token: String?) throws -> ([T], String?) {
        guard requested >= 1, requested <= limit else {
            throw SimError.validation("MaxRecords must be between 1 and \(limit)")
        }
        var start = 0
        if let token {
            guard let data = Data(base64Encoded: token), let offset = Int(String(decoding: data, as: UTF8.self)),
                offset <= items.count
            else {
                throw SimError(code: "InvalidNextToken", message: "The token '\(token)' is invalid.", status: 400)
            }
            start = offset
        }
        let end = min(items.count, start + requested)
        let next = end < items.count ? Data(String(end).utf8).base64EncodedString() : nil
        return (Array(items[start..<end]), next)
    }
}

extension XMLWriter {
    /// Raw escaped text inside the current element (list members that are plain strings).
    mutating func value(_ s: String) { self.appendRaw(XMLWriter.escape(s)) }
}
