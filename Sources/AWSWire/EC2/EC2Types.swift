import Foundation

public struct EC2Instance: Sendable, Equatable {
    public var instanceID: String
    /// `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`
    public var state: String
    public var launchTime: Date?
    public var availabilityZone: String?
    public var privateIPAddress: String?
    /// `StateTransitionReason` (`<reason>`): "User initiated (2026-11-21 10:00:00 GMT)".
    public var stateReason: String?
    public var tags: [String: String]

    public init(
        instanceID: String,
        state: String,
        launchTime: Date? = nil,
        availabilityZone: String? = nil,
        privateIPAddress: String? = nil,
        stateReason: String? = nil,
        tags: [String: String] = [:]
    ) {
        self.instanceID = instanceID
        self.state = state
        self.launchTime = launchTime
        self.availabilityZone = availabilityZone
        self.privateIPAddress = privateIPAddress
        self.stateReason = stateReason
        self.tags = tags
    }
}

extension EC2Instance {
    /// When the instance last changed state, where the reason says (EC2 writes the time of a
    /// user-initiated stop or terminate into it).
    public var stateChangedAt: Date? {
        guard let reason = stateReason, let open = reason.lastIndex(of: "("), let close = reason.lastIndex(of: ")"),
            open < close
        else { return nil }
        // "2026-11-21 10:00:00 GMT" → "2026-11-21T10:00:00Z"
        let text = reason[reason.index(after: open)..<close].replacingOccurrences(of: " ", with: "T").prefix(19)
        return try? Date(text + "Z", strategy: .iso8601)
    }
}

/// An EC2 `Filter`: `tag:Name`, `tag-key`, `instance-state-name`, `instance-id`, …
public struct EC2Filter: Sendable, Equatable {
    public var name: String
    public var values: [String]

    public init(_ name: String, _ values: [String]) {
        self.name = name
        self.values = values
    }
}

/// The subset of EC2 lifeline uses.
public protocol EC2API: Sendable {
    /// Instances that match every filter, all pages.
    func describeInstances(filters: [EC2Filter]) async throws -> [EC2Instance]
    /// Instances by id through the `instance-id` filter, so that one unknown (or long terminated)
    /// id does not fail the batch as the `InstanceId` parameter would.
    func describeInstances(ids: [String]) async throws -> [EC2Instance]
}
