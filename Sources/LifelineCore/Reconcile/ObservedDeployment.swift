import Foundation

public struct ObservedDeployment: Sendable, Equatable, Codable {
    public var id: String
    /// `Created`, `Queued`, `InProgress`, `Baking`, `Ready`, `Succeeded`, `Failed`, `Stopped`
    public var status: String
    public var revision: Revision?
    public var description: String?
    public var createdAt: Date?
    /// Instance id → target status, for the instances of open actions; nil when not read.
    public var targets: [String: String]?
    /// `targets` holds every target of the deployment, not only the waiting instances.
    public var targetsComplete: Bool

    public init(
        id: String,
        status: String,
        revision: Revision? = nil,
        description: String? = nil,
        createdAt: Date? = nil,
        targets: [String: String]? = nil,
        targetsComplete: Bool = false
    ) {
        self.id = id
        self.status = status
        self.revision = revision
        self.description = description
        self.createdAt = createdAt
        self.targets = targets
        self.targetsComplete = targetsComplete
    }

    public static let activeStatuses: Set<String> = ["Created", "Queued", "InProgress", "Baking", "Ready"]
    public var isActive: Bool { Self.activeStatuses.contains(status) }

    /// The targets it still waits on (Pending or InProgress), of those read.
    public var remainingTargets: [String] { Self.remaining(targets) }

    /// The instances of a target map (instance → status) still Pending or InProgress.
    public static func remaining(_ targets: [String: String]?) -> [String] {
        (targets ?? [:]).filter { ["Pending", "InProgress"].contains($0.value) }.keys.sorted()
    }
}
