import Foundation

/// EC2 over its Query dialect (2016-11-15). https://docs.aws.amazon.com/AWSEC2/latest/APIReference/
public struct EC2Client: EC2API {
    /// MaxResults ≤ 1000.
    static let page = 1000
    /// Values per filter.
    static let filterValues = 200

    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    public func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance] {
        var instances: [EC2Instance] = []
        // EC2 may answer runs of empty pages under tag filters in a large account: a longer run is allowed.
        try await paginate(.ec2, "DescribeInstances", maxEmptyRun: 100) { token in
            var p = QueryParameters(action: "DescribeInstances", version: "2016-11-15")
            p.setFilters(filters.map { ($0.name, $0.values) })
            p.set("MaxResults", Self.page)
            p.set("NextToken", token)
            let root = try await client.query(.ec2, p)
            let before = instances.count
            for reservation in root.list("reservationSet") {
                instances += try client.members(
                    reservation,
                    "instancesSet",
                    as: EC2Instance.self,
                    .ec2,
                    "DescribeInstances"
                )
            }
            return (root.string("nextToken"), instances.count - before)
        }
        return instances
    }

    public func describeInstances(ids: [String]) async throws -> [EC2Instance] {
        var instances: [EC2Instance] = []
        for batch in Array(Set(ids)).sorted().chunked(Self.filterValues) {
            instances += try await describeInstances(filters: [EC2Filter("instance-id", batch)])
        }
        return instances
    }
}

extension EC2Instance: XMLDecodable {
    init(xml: XMLNode) throws {
        var tags: [String: String] = [:]
        for tag in xml.list("tagSet") {
            if let key = tag.string("key") { tags[key] = tag.string("value") ?? "" }
        }
        self.init(
            instanceID: try xml.required("instanceId"),
            state: xml.at("instanceState", "name")?.text ?? "unknown",
            launchTime: try xml.date("launchTime"),
            availabilityZone: xml.at("placement", "availabilityZone")?.text,
            privateIPAddress: xml.string("privateIpAddress"),
            stateReason: xml.string("reason"),
            tags: tags
        )
    }
}
