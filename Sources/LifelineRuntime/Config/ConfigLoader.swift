import AWSWire
import Foundation
import LifelineCore
import Yams

/// Reads `lifeline.yaml` with Yams' node API, so that every error names its line.
extension LifelineConfig {
    public static func load(path: String) throws -> LifelineConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(
                file: path,
                line: nil,
                field: "file",
                problem: "cannot be read; check the path given to --config"
            )
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, line: nil, field: "file", problem: "is not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws -> LifelineConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ConfigError(file: file, line: error.line, field: "yaml", problem: error.problem)
        }
        let top = try Fields(
            root ?? .mapping(Node.Mapping([])),
            path: "",
            file: file,
            allowed: [
                "region", "queue_url", "resync_interval", "poll_interval", "retry_mode", "max_requests_per_second",
                "groups",
            ]
        )
        var config = LifelineConfig()
        config.region = try top.string("region")
        config.queueURL = try top.string("queue_url")
        if let url = config.queueURL, !(url.hasPrefix("https://") || url.hasPrefix("http://")) {
            throw top.error("queue_url", "'\(url)' is not a queue URL (https://sqs.REGION.amazonaws.com/ACCOUNT/NAME)")
        }
        config.resyncInterval = try top.duration("resync_interval") ?? config.resyncInterval
        config.pollInterval = try top.duration("poll_interval") ?? config.pollInterval
        config.retryMode = try top.choice("retry_mode", ClientRateLimiter.Mode.self)
        if let text = try top.string("max_requests_per_second") {
            guard let rate = Double(text), rate.isFinite, (0...10_000).contains(rate) else {
                throw top.error(
                    "max_requests_per_second",
                    "'\(text)' is not a rate; write requests per second per service, 0 to 10000 (0: no ceiling)"
                )
            }
            config.maxRequestsPerSecond = rate
        }
        guard let groups = try top.sequence("groups"), !groups.isEmpty else {
            throw top.error(
                "groups",
                "is required: list the deployment groups to manage (application, deployment_group)"
            )
        }
        for (index, node) in groups.enumerated() {
            let fields = try Fields(
                node,
                path: "groups[\(index)]",
                file: file,
                allowed: [
                    "application", "deployment_group", "mode", "hook", "on_failure", "loop_breaker", "allow",
                    "auto_scaling_groups",
                ]
            )
            let name = DeploymentGroupName(
                application: try fields.required("application"),
                name: try fields.required("deployment_group")
            )
            guard !config.groups.contains(where: { $0.name == name }) else {
                throw fields.error("deployment_group", "\(name) is listed twice")
            }
            var policy = GroupPolicy(pollInterval: config.pollInterval, resyncInterval: config.resyncInterval)
            policy.mode = try fields.choice("mode", GroupPolicy.Mode.self) ?? .own
            policy.onFailure = try fields.result("on_failure") ?? .abandon
            policy.autoScalingGroups = try fields.strings("auto_scaling_groups") ?? []
            if let hookNode = fields.node("hook") {
                let hook = try Fields(
                    hookNode,
                    path: "\(fields.path).hook",
                    file: file,
                    allowed: ["heartbeat_timeout", "role_arn"]
                )
                if let timeout = try hook.duration("heartbeat_timeout") {
                    // AWS takes 30–7200 s; the simulator allows shorter hooks for tests.
                    guard timeout >= 1, timeout <= 7200, timeout == timeout.rounded() else {
                        throw hook.error(
                            "heartbeat_timeout",
                            "must be whole seconds up to 7200s (AWS's minimum is 30s)"
                        )
                    }
                    policy.heartbeatTimeout = Int(timeout)
                }
                policy.hookRoleARN = try hook.string("role_arn")
            }
            if let allowed = try fields.strings("allow") {
                guard policy.mode == .supervise else {
                    throw fields.error("allow", "applies to mode: supervise only (in own mode lifeline acts anyway)")
                }
                for word in allowed {
                    guard let action = SuperviseAction(rawValue: word) else {
                        throw fields.error(
                            "allow",
                            "'\(word)' is not one of "
                                + "\(SuperviseAction.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    policy.allow.insert(action)
                }
            }
            var breaker = LoopBreakerPolicy()
            if let node = fields.node("loop_breaker") {
                let b = try Fields(
                    node,
                    path: "\(fields.path).loop_breaker",
                    file: file,
                    allowed: ["max_cycles", "window", "result"]
                )
                if let cycles = try b.string("max_cycles") {
                    guard let n = Int(cycles), n >= 1 else {
                        throw b.error("max_cycles", "'\(cycles)' is not a whole number of at least 1")
                    }
                    breaker.maxCycles = n
                }
                breaker.window = try b.duration("window") ?? breaker.window
                breaker.result = try b.result("result") ?? breaker.result
            }
            policy.loopBreaker = breaker
            config.groups.append(ManagedGroup(name: name, policy: policy))
        }
        return config
    }
}

/// A YAML mapping and where it is, for errors that name the line and the field.
private struct Fields {
    let pairs: [(key: String, value: Node, line: Int?)]
    let path: String
    let file: String
    let line: Int?

    init(_ node: Node, path: String, file: String, allowed: Set<String>) throws {
        self.path = path
        self.file = file
        line = node.mark?.line
        guard case let .mapping(mapping) = node else {
            throw ConfigError(
                file: file,
                line: node.mark?.line,
                field: path.isEmpty ? "top level" : path,
                problem: "must be a mapping of keys to values"
            )
        }
        pairs = mapping.map { (key: $0.key.string ?? "", value: $0.value, line: $0.key.mark?.line) }
        for pair in pairs where !allowed.contains(pair.key) {
            throw ConfigError(
                file: file,
                line: pair.line,
                field: field(pair.key),
                problem: "is not a known key (known: \(allowed.sorted().joined(separator: ", ")))"
            )
        }
    }

    func field(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    func node(_ key: String) -> Node? { pairs.first { $0.key == key }?.value }

    func error(_ key: String, _ problem: String) -> ConfigError {
        ConfigError(file: file, line: node(key)?.mark?.line ?? line, field: field(key), problem: problem)
    }

    func string(_ key: String) throws -> String? {
        guard let value = node(key) else { return nil }
        guard case let .scalar(scalar) = value else { throw error(key, "must be a single value") }
        return scalar.string
    }

    func required(_ key: String) throws -> String {
        guard let value = try string(key), !value.isEmpty else { throw error(key, "is required") }
        return value
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(list) = value else { throw error(key, "must be a list") }
        return try list.map { item in
            guard case let .scalar(s) = item else { throw error(key, "must be a list of names") }
            return s.string
        }
    }

    func sequence(_ key: String) throws -> [Node]? {
        guard let value = node(key) else { return nil }
        guard case let .sequence(list) = value else { throw error(key, "must be a list") }
        return Array(list)
    }

    func duration(_ key: String) throws -> TimeInterval? {
        guard let text = try string(key) else { return nil }
        guard let seconds = DurationText.seconds(text), seconds > 0 else {
            throw error(key, "'\(text)' is not a duration; write it like 300s, 30m or 2h")
        }
        return seconds
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, _: T.Type) throws -> T? where T.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = T(rawValue: text) else {
            throw error(key, "'\(text)' is not one of \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return value
    }

    func result(_ key: String) throws -> LifecycleAction.Result? {
        guard let text = try string(key) else { return nil }
        switch text.lowercased() {
        case "abandon": return .abandon
        case "continue": return .continue
        default: throw error(key, "'\(text)' is not one of abandon, continue")
        }
    }
}

extension YamlError {
    var line: Int? {
        switch self {
        case let .scanner(_, _, mark, _), let .parser(_, _, mark, _): mark.line
        default: nil
        }
    }

    var problem: String {
        switch self {
        case let .scanner(_, problem, _, _), let .parser(_, problem, _, _): "not valid YAML: \(problem)"
        default: "not valid YAML: \(self)"
        }
    }
}
