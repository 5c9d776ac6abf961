import Foundation
import Synchronization

/// The simulated account's things. Plain values held by the `World` actor.

struct SimInstance {
    var id: String
    /// EC2 state: `pending`, `running`, `shutting-down`, `terminated`, `stopping`, `stopped`
    var state: String
    var launchTime: Date
    var stateChangedAt: Date
    var tags: [String: String]
    var availabilityZone: String
    var privateIP: String
    var imageID: String
    var instanceType: String
    var group: String?
    /// Auto Scaling lifecycle state while in a group.
    var lifecycleState: String?
    /// Revision key installed per deployment group key (`app/dg`).
    var revisions: [String: String] = [:]
    /// The agent on it cannot reach CodeDeploy: its deployments never progress (seed 000).
    var agentHangs = false
    /// Its deployments fail at AfterInstall whatever the revision (a bad host, a full disk).
    var deploysFail = false
    /// Terminated while a detach was still in flight: it stays among CodeDeploy's matches until purged (seed 004).
    var lingers = false
    var launchIndex = 0
    /// `launchTime` as the wire shows it, formatted once.
    var launchTimeText = ""
}

struct SimHook {
    var name: String
    var group: String
    var transition: String
    var heartbeatTimeout: Int
    var defaultResult: String
    var notificationTargetARN: String?
    var roleARN: String?
    var metadata: String?
    /// `app/dg` when CodeDeploy installed it.
    var codeDeployGroup: String?

    var globalTimeout: Int { min(172_800, 100 * heartbeatTimeout) }
    var isLaunching: Bool { transition == "autoscaling:EC2_INSTANCE_LAUNCHING" }
}

struct SimAction {
    var token: String
    var instanceID: String
    var group: String
    var hook: String
    var transition: String
    var start: Date
    var heartbeatDeadline: Date
    var globalDeadline: Date
    var result: String?
    var heartbeats = 0
}

struct SimGroup {
    var name: String
    var arn: String
    var minSize: Int
    var maxSize: Int
    var desired: Int
    var instances: [String] = []
    var hooks: [String: SimHook] = [:]
    var hookOrder: [String] = []
    var tags: [(key: String, value: String, propagate: Bool)] = []
    var launchTemplate: String?
    var availabilityZones: [String]
    var createdTime: Date
}

struct SimActivity {
    var id: String
    var group: String
    var description: String
    var cause: String
    var start: Date
    var end: Date?
    var status: String
}

struct SimMessage {
    var id: String
    var body: String
    var sentAt: Date
    var visibleAt: Date
    var receiveCount = 0
    var receiptHandle: String?
    var firstReceiveAt: Date?
}

struct SimQueue {
    var name: String
    var url: String
    var arn: String
    var visibilityTimeout: Int
    var attributes: [String: String]
    var messages: [SimMessage] = []
    var createdAt: Date
}

struct SimDeploymentGroup {
    var application: String
    var name: String
    var id: String
    var serviceRoleARN: String?
    var configName: String
    var autoScalingGroups: [String]
    /// The hook CodeDeploy installed on each of its groups.
    var managedHooks: [String: String] = [:]
    var tagFilters: [[String: String]]
    var tagSet: [[[String: String]]]
    var outdatedInstancesStrategy: String
    var targetRevision: Data?
    var lastSuccessful: (id: String, status: String, created: Date, ended: Date?)?
    var lastAttempted: (id: String, status: String, created: Date, ended: Date?)?

    var key: String { "\(application)/\(name)" }
}

struct SimTarget {
    var instanceID: String
    var status: String
    var lastUpdated: Date
    var startedAt: Date?
    var events: [(name: String, status: String, start: Date?, end: Date?, diagnostics: [String: String]?)]
}

struct SimDeployment {
    var id: String
    var application: String
    var group: String
    var revision: Data
    var revisionKey: String
    var status: String
    var createTime: Date
    var startTime: Date?
    var completeTime: Date?
    var description: String?
    var creator: String
    var updateOutdatedOnly: Bool
    var configName: String
    var targets: [String: SimTarget]
    var targetOrder: [String]
    var error: (code: String, message: String)?
    /// Lifecycle actions CodeDeploy's own hook waits on for this deployment.
    var heldActions: [String] = []

    var groupKey: String { "\(application)/\(group)" }
    var isActive: Bool { ["Created", "Queued", "InProgress"].contains(status) }

    static let events = [
        "ApplicationStop", "DownloadBundle", "BeforeInstall", "Install", "AfterInstall", "ApplicationStart",
        "ValidateService",
    ]
}

/// Identifiers in AWS's shapes.
enum SimID {
    static func instance(_ n: Int) -> String {
        let hex = String(0x5f3a_0000_0000 + n, radix: 16)
        return "i-0" + String(repeating: "0", count: max(0, 16 - hex.count)) + hex
    }
    static func token() -> String { UUID().uuidString.lowercased() }
    /// `bytes` random bytes in hex: keys and secrets the simulator issues.
    static func hex(_ bytes: Int) -> String {
        (0..<bytes).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }
    static func deployment(_ n: Int) -> String {
        let digits = String(n, radix: 36).uppercased()
        return "d-" + String(repeating: "A", count: max(0, 9 - digits.count)) + digits
    }
    /// Unique within the simulator: a random prefix per process and a counter (a UUID per
    /// request read the kernel's random source every time).
    static func requestID() -> String {
        let n = requestCounter.add(1, ordering: .relaxed).newValue
        return requestPrefix + String(format: "%012x", n)
    }

    private static let requestPrefix = String(UUID().uuidString.lowercased().prefix(24))
    private static let requestCounter = Atomic<Int>(0)
}
