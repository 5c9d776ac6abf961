import AWSWire
import Foundation

/// One `DescribeAutoScalingGroups` page as the simulator writes it (100 groups of 10 instances,
/// about 500 KB) read into an `XMLNode` tree. A cold pass over 1,000 groups reads ten.
struct XMLBench: Bench {
    let name = "xml.groups-page"

    func run() async throws -> BenchRow {
        let page = Data(Self.page(groups: 100, instances: 10).utf8)
        var best = Double.infinity
        for _ in 0..<7 {
            best = min(best, try await milliseconds { for _ in 0..<20 { _ = try XMLNode.parse(page) } } / 20)
        }
        return BenchRow(
            name: name,
            result: String(format: "%.2f ms per page (%d KB), best of 7 × 20", best, page.count / 1024),
            target: "reported",
            met: true
        )
    }

    static func page(groups: Int, instances: Int) -> String {
        var xml = #"<DescribeAutoScalingGroupsResponse xmlns="http://autoscaling.amazonaws.com/doc/2011-01-01/">"#
        xml += "<DescribeAutoScalingGroupsResult><AutoScalingGroups>"
        for g in 0..<groups {
            let name = "asg-\(g)"
            xml += "<member><AutoScalingGroupName>\(name)</AutoScalingGroupName><AutoScalingGroupARN>"
            xml += "arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:2163df67-63e2-46bf-bb33-5f564e580919:"
            xml += "autoScalingGroupName/\(name)</AutoScalingGroupARN><LaunchTemplate><LaunchTemplateName>\(name)"
            xml += "</LaunchTemplateName><Version>$Default</Version></LaunchTemplate><MinSize>0</MinSize>"
            xml += "<MaxSize>11</MaxSize><DesiredCapacity>10</DesiredCapacity><DefaultCooldown>300</DefaultCooldown>"
            xml += "<AvailabilityZones><member>us-east-1a</member><member>us-east-1b</member></AvailabilityZones>"
            xml += "<LoadBalancerNames></LoadBalancerNames><TargetGroupARNs></TargetGroupARNs>"
            xml += "<HealthCheckType>EC2</HealthCheckType><HealthCheckGracePeriod>300</HealthCheckGracePeriod>"
            xml += "<Instances>"
            for i in 0..<instances {
                xml += "<member><InstanceId>i-000005f3a\(String(format: "%08x", g * instances + i))</InstanceId>"
                xml += "<InstanceType>t3.micro</InstanceType><AvailabilityZone>us-east-1a</AvailabilityZone>"
                xml += "<LifecycleState>InService</LifecycleState><HealthStatus>Healthy</HealthStatus>"
                xml += "<LaunchTemplate><LaunchTemplateName>\(name)</LaunchTemplateName><Version>1</Version>"
                xml += "</LaunchTemplate><ProtectedFromScaleIn>false</ProtectedFromScaleIn></member>"
            }
            xml += "</Instances><CreatedTime>2026-12-04T06:59:23.511Z</CreatedTime><SuspendedProcesses>"
            xml += "</SuspendedProcesses><EnabledMetrics></EnabledMetrics><Tags><member><ResourceId>\(name)"
            xml += "</ResourceId><ResourceType>auto-scaling-group</ResourceType><Key>app</Key><Value>g\(g)</Value>"
            xml += "<PropagateAtLaunch>true</PropagateAtLaunch></member></Tags><TerminationPolicies><member>Default"
            xml += "</member></TerminationPolicies><NewInstancesProtectedFromScaleIn>false"
            xml += "</NewInstancesProtectedFromScaleIn><ServiceLinkedRoleARN>arn:aws:iam::123456789012:role/"
            xml += "aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling</ServiceLinkedRoleARN>"
            xml += "</member>"
        }
        xml += "</AutoScalingGroups><NextToken>asg-100</NextToken></DescribeAutoScalingGroupsResult>"
        xml += "<ResponseMetadata><RequestId>1cdb01ee-604c-4881-8926-000000000400</RequestId></ResponseMetadata>"
        return xml + "</DescribeAutoScalingGroupsResponse>"
    }
}
