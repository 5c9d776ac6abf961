import Foundation

/// A scenario file (fixtures/scenarios/*.json): settings, faults, and the account's starting state.
/// Every field is checked; a bad one is named in the error.
struct Scenario: Sendable {
    struct Hook: Sendable {
        var name: String
        var heartbeatTimeout: Int
        var defaultResult: String
        var queue: String?
        var metadata: String?
        var terminating: Bool
    }
    struct Group: Sendable {
        var name: String
        var min: Int
        var max: Int
        var desired: Int
        var tags: [String: String]
        var hooks: [Hook]
    }
    struct DeploymentGroup: Sendable {
        var application: String
        var name: String
        var autoScalingGroups: [String]
        var tagFilters: [[String: String]]
        var tagSet: [[[String: String]]]
        /// A revision (CodeDeploy's RevisionLocation JSON) already deployed to the matching instances.
        var deployed: Data?
        /// A revision being deployed when the scenario starts.
        var deploying: Data?
        /// `CodeDeployDefault.OneAtATime` (the default) or `CodeDeployDefault.AllAtOnce`.
        var configName = "CodeDeployDefault.OneAtATime"
    }
    struct Step: Sendable {
        var at: Double
        var action: String
        var fields: [String: String]
    }

    var name: String
    var config = SimConfig()
    var queues: [String] = []
    var groups: [Group] = []
    var deploymentGroups: [DeploymentGroup] = []
    var steps: [Step] = []

    init(json data: Data) throws {
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ScenarioError("the scenario is not a JSON object")
        }
        let r = Reader(root, path: "")
        name = try r.string("name") ?? "unnamed"
        if let s = try r.object("settings") {
            config.deploymentSeconds = try s.double("deploymentSeconds") ?? config.deploymentSeconds
            config.agentTimeoutSeconds = try s.double("agentTimeoutSeconds") ?? config.agentTimeoutSeconds
            config.terminatedVisibleSeconds =
                try s.double("terminatedVisibleSeconds") ?? config.terminatedVisibleSeconds
            config.allowShortHeartbeat = try s.bool("allowShortHeartbeat") ?? false
            config.skipAuth = try s.bool("skipAuth") ?? false
            if let shape = try s.string("notificationShape") {
                guard ["direct", "sns", "eventbridge"].contains(shape) else {
                    throw ScenarioError("settings.notificationShape must be direct, sns or eventbridge")
                }
                config.notificationShape = shape
            }
            for (key, secret) in try s.stringMap("credentials") ?? [:] { config.credentials[key] = secret }
            config.failingRevisions = try s.stringMap("failingRevisions") ?? [:]
            config.hangingLaunches = try s.intMap("hangingLaunches") ?? [:]
            config.failingLaunches = try s.intMap("failingLaunches") ?? [:]
            config.heldInCreated = try s.doubleMap("heldInCreated") ?? [:]
        }
        if let f = try r.object("faults") { config.faults = try Self.faults(f) }
        queues = try r.strings("queues") ?? []
        for g in try r.objects("groups") ?? [] {
            let hooks = try (g.objects("hooks") ?? []).map { h in
                Hook(
                    name: try h.requiredString("name"),
                    heartbeatTimeout: try h.int("heartbeatTimeout") ?? 300,
                    defaultResult: try h.string("defaultResult") ?? "ABANDON",
                    queue: try h.string("queue"),
                    metadata: try h.string("metadata"),
                    terminating: try h.bool("terminating") ?? false
                )
            }
            let min = try g.int("min") ?? 0
            let max = try g.int("max") ?? 10
            let desired = try g.int("desired") ?? min
            guard min <= desired, desired <= max else {
                throw ScenarioError("\(g.path).desired must be between min and max")
            }
            groups.append(
                Group(
                    name: try g.requiredString("name"),
                    min: min,
                    max: max,
                    desired: desired,
                    tags: try g.stringMap("tags") ?? [:],
                    hooks: hooks
                )
            )
        }
        for dg in try r.objects("deploymentGroups") ?? [] {
            let deployed = try dg.object("deployedRevision").map {
                try JSONSerialization.data(withJSONObject: $0.raw, options: [.sortedKeys])
            }
            let deploying = try dg.object("deployingRevision").map {
                try JSONSerialization.data(withJSONObject: $0.raw, options: [.sortedKeys])
            }
            deploymentGroups.append(
                DeploymentGroup(
                    application: try dg.requiredString("application"),
                    name: try dg.requiredString("name"),
                    autoScalingGroups: try dg.strings("autoScalingGroups") ?? [],
                    tagFilters: try dg.stringMaps("ec2TagFilters") ?? [],
                    tagSet: try (dg.array("ec2TagSet") ?? []).enumerated().map { i, set in
                        guard let list = set as? [[String: String]] else {
                            throw ScenarioError("\(dg.path).ec2TagSet[\(i)] must be a list of tag filters")
                        }
                        return list
                    },
                    deployed: deployed,
                    deploying: deploying,
                    configName: try dg.string("deploymentConfigName") ?? "CodeDeployDefault.OneAtATime"
                )
            )
        }
        for s in try r.objects("steps") ?? [] {
            var fields: [String: String] = [:]
            for (k, v) in s.raw where k != "at" && k != "action" { fields[k] = ControlAPI.text(of: v) }
            steps.append(Step(at: try s.double("at") ?? 0, action: try s.requiredString("action"), fields: fields))
        }
    }
}

struct ScenarioError: Error, CustomStringConvertible {
    var description: String
    init(_ d: String) { description = d }
}

/// Typed access to a JSON object that names the field when it has the wrong type.
struct Reader {
    let raw: [String: Any]
    let path: String

    init(_ raw: [String: Any], path: String) {
        self.raw = raw
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    private func typed<T>(_ key: String, _ what: String) throws -> T? {
        guard let v = raw[key], !(v is NSNull) else { return nil }
        guard let t = v as? T else { throw ScenarioError("\(name(key)) must be \(what)") }
        return t
    }

    func string(_ key: String) throws -> String? { try typed(key, "a string") }
    func requiredString(_ key: String) throws -> String {
        guard let s = try string(key), !s.isEmpty else { throw ScenarioError("\(name(key)) is required") }
        return s
    }
    func double(_ key: String) throws -> Double? { (try typed(key, "a number") as NSNumber?)?.doubleValue }
    func int(_ key: String) throws -> Int? {
        guard let n: NSNumber = try typed(key, "a whole number") else { return nil }
        guard n.doubleValue == n.doubleValue.rounded() else {
            throw ScenarioError("\(name(key)) must be a whole number")
        }
        return n.intValue
    }
    func bool(_ key: String) throws -> Bool? { try typed(key, "true or false") }
    func strings(_ key: String) throws -> [String]? { try typed(key, "a list of strings") }
    func array(_ key: String) throws -> [Any]? { try typed(key, "a list") }
    func stringMap(_ key: String) throws -> [String: String]? { try typed(key, "an object of strings") }
    func stringMaps(_ key: String) throws -> [[String: String]]? { try typed(key, "a list of objects of strings") }
    func intMap(_ key: String) throws -> [String: Int]? { try typed(key, "an object of whole numbers") }
    func doubleMap(_ key: String) throws -> [String: Double]? { try typed(key, "an object of numbers") }
    func object(_ key: String) throws -> Reader? {
        try (typed(key, "an object") as [String: Any]?).map { Reader($0, path: name(key)) }
    }
    func objects(_ key: String) throws -> [Reader]? {
        try (typed(key, "a list of objects") as [[String: Any]]?).map {
            $0.enumerated().map { Reader($1, path: "\(name(key))[\($0)]") }
        }
    }
}
