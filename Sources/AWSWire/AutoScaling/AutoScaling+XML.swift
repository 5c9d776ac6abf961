import Foundation

extension AutoScalingGroup: XMLDecodable {
    init(xml: XMLNode) throws {
        var tags: [String: String] = [:]
        var propagated: [String: String] = [:]
        for tag in xml.list("Tags") {
            guard let key = tag.string("Key") else { continue }
            tags[key] = tag.string("Value") ?? ""
            if try tag.bool("PropagateAtLaunch") == true { propagated[key] = tags[key] }
        }
        self.init(
            name: try xml.required("AutoScalingGroupName"),
            arn: xml.string("AutoScalingGroupARN"),
            minSize: try xml.int("MinSize") ?? 0,
            maxSize: try xml.int("MaxSize") ?? 0,
            desiredCapacity: try xml.int("DesiredCapacity") ?? 0,
            instances: try xml.list("Instances").map {
                AutoScalingGroupInstance(
                    instanceID: try $0.required("InstanceId"),
                    lifecycleState: try $0.required("LifecycleState"),
                    healthStatus: $0.string("HealthStatus") ?? "",
                    availabilityZone: $0.string("AvailabilityZone")
                )
            },
            tags: tags,
            propagatedTags: propagated,
            status: xml.string("Status")
        )
    }
}

extension AutoScalingInstanceDetails: XMLDecodable {
    init(xml: XMLNode) throws {
        self.init(
            instanceID: try xml.required("InstanceId"),
            groupName: try xml.required("AutoScalingGroupName"),
            lifecycleState: try xml.required("LifecycleState"),
            healthStatus: xml.string("HealthStatus") ?? ""
        )
    }
}

extension LifecycleHook: XMLDecodable {
    init(xml: XMLNode) throws {
        self.init(
            name: try xml.required("LifecycleHookName"),
            groupName: try xml.required("AutoScalingGroupName"),
            transition: xml.string("LifecycleTransition") ?? "",
            notificationTargetARN: xml.string("NotificationTargetARN"),
            roleARN: xml.string("RoleARN"),
            notificationMetadata: xml.string("NotificationMetadata"),
            heartbeatTimeout: try xml.int("HeartbeatTimeout") ?? 3600,
            globalTimeout: try xml.int("GlobalTimeout"),
            defaultResult: xml.string("DefaultResult") ?? "ABANDON"
        )
    }
}

extension ScalingActivity: XMLDecodable {
    init(xml: XMLNode) throws {
        self.init(
            activityID: try xml.required("ActivityId"),
            groupName: try xml.required("AutoScalingGroupName"),
            description: xml.string("Description") ?? "",
            cause: xml.string("Cause") ?? "",
            startTime: try xml.date("StartTime"),
            endTime: try xml.date("EndTime"),
            statusCode: xml.string("StatusCode") ?? "",
            statusMessage: xml.string("StatusMessage"),
            progress: try xml.int("Progress")
        )
    }
}
