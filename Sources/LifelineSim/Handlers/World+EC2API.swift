import Foundation

/// EC2's Query API (2016-11-15): the instance calls lifeline and the tests use.
extension World {
    func ec2(_ r: SimRequest) throws -> String {
        var w = XMLWriter()
        w.element("requestId", SimID.requestID())
        switch r.operation {
        case "DescribeInstances":
            let ids = r.list("InstanceId")
            for id in ids where instances[id] == nil || isPurged(instances[id]!) {
                throw SimError(
                    code: "InvalidInstanceID.NotFound",
                    message: "The instance ID '\(id)' does not exist",
                    status: 400
                )
            }
            if !ids.isEmpty, r.string("MaxResults") != nil {
                throw SimError(
                    code: "InvalidParameterCombination",
                    message: "The parameter instancesSet cannot be used with the parameter maxResults",
                    status: 400
                )
            }
            // Parsed once per request, not per instance.
            let filters = r.ec2Filters.map { (name: $0.name, values: Set($0.values)) }
            let cutoff = now.addingTimeInterval(-config.terminatedVisibleSeconds)
            // An instance-id filter (lifeline's launch times) names its instances: look them up, not every instance.
            let wanted = Set(ids)
            let named = filters.first { $0.name == "instance-id" }?.values.union(wanted) ?? wanted
            let pool = named.isEmpty ? Array(instances.values) : named.compactMap { instances[$0] }
            var found = pool.filter {
                ($0.state != "terminated" || $0.stateChangedAt >= cutoff) && (wanted.isEmpty || wanted.contains($0.id))
            }
            for filter in filters { found = try found.filter { try Self.matches($0, filter) } }
            found.sort { $0.launchIndex < $1.launchIndex }
            let requested = r.int("MaxResults") ?? 1000
            guard requested >= 5, requested <= 1000 else {
                throw SimError(
                    code: "InvalidParameterValue",
                    message:
                        "Value ( \(requested) ) for parameter maxResults is invalid. Expecting a value between 5 "
                        + "and 1000.",
                    status: 400
                )
            }
            let (page, token) = try paginate(found, requested, limit: 1000, token: r.string("NextToken"))
            w.list("reservationSet", page, member: "item") { w, i in
                w.element("reservationId", "r-" + i.id.dropFirst(2))
                w.element("ownerId", self.config.accountID)
                w.list("groupSet", [String](), member: "item") { _, _ in }
                w.list("instancesSet", [i], member: "item") { w, i in self.writeInstance(&w, i) }
            }
            w.element("nextToken", token)
        case "CreateTags", "DeleteTags":
            let ids = r.list("ResourceId")
            guard !ids.isEmpty else { throw SimError.missing("ResourceId", service: .ec2) }
            for id in ids where instances[id] == nil {
                throw SimError(
                    code: "InvalidInstanceID.NotFound",
                    message: "The instance ID '\(id)' does not exist",
                    status: 400
                )
            }
            let tags = r.structures("Tag")
            instanceTagsChanged()
            for id in ids {
                for tag in tags {
                    guard let key = tag["Key"] else { continue }
                    if r.operation == "CreateTags" {
                        instances[id]?.tags[key] = tag["Value"] ?? ""
                    } else if tag["Value"] == nil || instances[id]?.tags[key] == tag["Value"] {
                        instances[id]?.tags[key] = nil
                    }
                }
            }
            log(
                r.operation == "CreateTags" ? "tag" : "untag",
                ["instances": ids.joined(separator: ","), "keys": tags.compactMap { $0["Key"] }.joined(separator: ",")]
            )
            w.element("return", true)
        case "TerminateInstances":
            let ids = r.list("InstanceId")
            guard !ids.isEmpty else { throw SimError.missing("InstanceId", service: .ec2) }
            for id in ids where instances[id] == nil {
                throw SimError(
                    code: "InvalidInstanceID.NotFound",
                    message: "The instance ID '\(id)' does not exist",
                    status: 400
                )
            }
            var changes: [(String, String)] = []
            for id in ids {
                let previous = instances[id]!.state
                let groupName = instances[id]?.group
                terminateNow(id)
                if let groupName { reconcileCapacity(groupName) }
                changes.append((id, previous))
            }
            w.list("instancesSet", changes, member: "item") { w, change in
                w.element("instanceId", change.0)
                w.open("currentState") { w in
                    w.element("code", 32)
                    w.element("name", "shutting-down")
                }
                w.open("previousState") { w in
                    w.element("code", Self.stateCode(change.1))
                    w.element("name", change.1)
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
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<\(r.operation)Response "
            + "xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\(w.text)</\(r.operation)Response>"
    }

    /// Terminated instances disappear from EC2 after a while (about an hour on AWS).
    func isPurged(_ i: SimInstance) -> Bool {
        i.state == "terminated" && now.timeIntervalSince(i.stateChangedAt) > config.terminatedVisibleSeconds
    }

    static func matches(_ i: SimInstance, _ filter: (name: String, values: Set<String>)) throws -> Bool {
        let values = filter.values
        switch filter.name {
        case "instance-id": return values.contains(i.id)
        case "instance-state-name": return values.contains(i.state)
        case "tag-key": return i.tags.keys.contains { values.contains($0) }
        case "tag-value": return i.tags.values.contains { values.contains($0) }
        case "availability-zone": return values.contains(i.availabilityZone)
        case let name where name.hasPrefix("tag:"):
            guard let value = i.tags[String(name.dropFirst(4))] else { return false }
            return values.contains(value) || values.contains("*")
        default:
            throw SimError(
                code: "InvalidParameterValue",
                message: "The filter '\(filter.name)' is invalid",
                status: 400
            )
        }
    }

    /// EC2's spelling in `StateTransitionReason`: `2026-11-21 10:00:00 GMT`.
    static func reasonTime(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss 'GMT'"
        return formatter.string(from: date)
    }

    static func stateCode(_ state: String) -> Int {
        switch state {
        case "running": 16
        case "shutting-down": 32
        case "terminated": 48
        case "stopping": 64
        case "stopped": 80
        default: 0
        }
    }

    func writeInstance(_ w: inout XMLWriter, _ i: SimInstance) {
        w.element("instanceId", i.id)
        w.element("imageId", i.imageID)
        w.open("instanceState") { w in
            w.element("code", Self.stateCode(i.state))
            w.element("name", i.state)
        }
        w.element("privateDnsName", "ip-" + String(i.privateIP.map { $0 == "." ? "-" : $0 }) + ".ec2.internal")
        w.element("reason", i.state == "terminated" ? "User initiated (\(Self.reasonTime(i.stateChangedAt)))" : "")
        w.element("amiLaunchIndex", 0)
        w.element("instanceType", i.instanceType)
        w.element("launchTime", i.launchTimeText)
        w.open("placement") { w in
            w.element("availabilityZone", i.availabilityZone)
            w.element("tenancy", "default")
        }
        if i.state != "terminated" { w.element("privateIpAddress", i.privateIP) }
        w.list("tagSet", i.tags.sorted { $0.key < $1.key }, member: "item") { w, tag in
            w.element("key", tag.key)
            w.element("value", tag.value)
        }
    }
}
