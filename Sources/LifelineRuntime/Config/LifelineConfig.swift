import AWSWire
import Foundation
import LifelineCore

/// `lifeline.yaml` (DESIGN §5): the groups lifeline manages and how.
public struct LifelineConfig: Sendable, Equatable {
    public struct ManagedGroup: Sendable, Equatable {
        public var name: DeploymentGroupName
        public var policy: GroupPolicy

        public init(name: DeploymentGroupName, policy: GroupPolicy = GroupPolicy()) {
            self.name = name
            self.policy = policy
        }
    }

    public var region: String?
    public var queueURL: String?
    public var resyncInterval: TimeInterval = 60
    public var pollInterval: TimeInterval = 10
    /// `hook_check_interval`: how long a verified reading of a group's hooks is trusted before
    /// lifeline reads them again (DESIGN §3: hooks are verified, not re-read every pass).
    public var hookCheckInterval: TimeInterval = 600
    /// `retention`: serve prunes what ended longer ago than this from the journal, daily.
    public var retention: TimeInterval = 90 * 86_400
    /// `retry_mode`: the SDKs' standard or adaptive mode (else AWS_RETRY_MODE).
    public var retryMode: ClientRateLimiter.Mode?
    /// `max_requests_per_second`: each service's send ceiling (0: none; default 50).
    public var maxRequestsPerSecond: Double?
    /// `lease:`: several replicas share the groups through DynamoDB leases; nil: this one owns all.
    public var lease: LeaseSettings?
    public var groups: [ManagedGroup] = []

    public struct LeaseSettings: Sendable, Equatable {
        public var table: String
        public var duration: TimeInterval = 20
        /// Unique per replica; by default the host name and the process id.
        public var owner: String = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
    }

    public init(region: String? = nil, queueURL: String? = nil, groups: [ManagedGroup] = []) {
        self.region = region
        self.queueURL = queueURL
        self.groups = groups
    }

    public func group(_ name: DeploymentGroupName) -> ManagedGroup? { groups.first { $0.name == name } }
}

/// A config that cannot be used: the file, the line and the field, and what would be right.
public struct ConfigError: Error, Sendable, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var field: String
    public var problem: String

    public var description: String { "\(file)\(line.map { ":\($0)" } ?? ""): \(field): \(problem)" }
}
