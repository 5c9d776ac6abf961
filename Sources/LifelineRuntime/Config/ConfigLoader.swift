import AWSWire
import Foundation
import LifelineCore

/// Reads `lifeline.yaml` (`ConfigYAML`), so that every error names its line.
extension LifelineConfig {
    /// - Parameter environment: `LIFELINE_ALLOW_SHORT_HOOKS=1` lets hooks be shorter than AWS's 30 s,
    ///   for the simulator's tests.
    public static func load(
        path: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> LifelineConfig {
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
        return try parse(text, file: path, allowShortHooks: environment["LIFELINE_ALLOW_SHORT_HOOKS"] == "1")
    }

    public static func parse(_ text: String, file: String, allowShortHooks: Bool = false) throws -> LifelineConfig {
        let root: ConfigYAML?
        do {
            root = try ConfigYAML.compose(text)
        } catch {
            throw ConfigError(file: file, line: error.line, field: "yaml", problem: "not valid YAML: \(error.problem)")
        }
        let top = try Fields(
            root ?? ConfigYAML(value: .mapping(keys: [], values: []), line: 1),
            path: "",
            file: file,
            allowed: [
                "region", "queue_url", "resync_interval", "poll_interval", "hook_check_interval", "retry_mode",
                "max_requests_per_second", "retention", "lease", "groups",
            ]
        )
        var config = LifelineConfig()
        config.region = try top.string("region")
        if let region = config.region, !RegionResolver.isRegion(region) {
            throw top.error("region", "'\(region)' is not a region; write it like us-east-1")
        }
        config.queueURL = try top.string("queue_url")
        if let url = config.queueURL, let problem = ConfigLimits.queueURLProblem(url) {
            throw top.error("queue_url", problem)
        }
        config.resyncInterval =
            try top.duration("resync_interval", within: ConfigLimits.resyncInterval) ?? config.resyncInterval
        config.pollInterval =
            try top.duration("poll_interval", within: ConfigLimits.pollInterval) ?? config.pollInterval
        config.hookCheckInterval =
            try top.duration("hook_check_interval", within: ConfigLimits.hookCheckInterval)
            ?? config.hookCheckInterval
        config.retention = try top.duration("retention", within: ConfigLimits.retention) ?? config.retention
        config.retryMode = try top.choice("retry_mode", ClientRateLimiter.Mode.self)
        if let text = try top.string("max_requests_per_second") {
            guard let rate = Double(text), rate.isFinite, ConfigLimits.maxRequestsPerSecond.contains(rate) else {
                throw top.error(
                    "max_requests_per_second",
                    "'\(text)' is not a rate; write requests per second per service, 0 to 10000 (0: no ceiling)"
                )
            }
            config.maxRequestsPerSecond = rate
        }
        if let node = top.node("lease") {
            config.lease = try parseLease(
                Fields(node, path: "lease", file: file, allowed: ["table", "duration", "owner"])
            )
        }
        guard let groups = try top.sequence("groups"), !groups.isEmpty else {
            throw top.error(
                "groups",
                "is required: list the deployment groups to manage (application, deployment_group)"
            )
        }
        var names = Set<DeploymentGroupName>()
        for (index, node) in groups.enumerated() {
            let fields = try Fields(
                node,
                path: "groups[\(index)]",
                file: file,
                allowed: [
                    "application", "deployment_group", "mode", "hook", "on_failure", "loop_breaker", "allow",
                    "auto_scaling_groups", "terminating_hook",
                ]
            )
            let application = try fields.required("application")
            guard ConfigLimits.isApplicationName(application) else {
                throw fields.error(
                    "application",
                    "'\(application)' is not an application name (1–100 characters, no /)"
                )
            }
            let deploymentGroup = try fields.required("deployment_group")
            guard ConfigLimits.isDeploymentGroupName(deploymentGroup) else {
                throw fields.error(
                    "deployment_group",
                    "'\(deploymentGroup)' cannot name lifeline's hook lifeline-launch-<deployment_group>: "
                        + "use 1–100 letters, digits, - and _"
                )
            }
            let name = DeploymentGroupName(application: application, name: deploymentGroup)
            guard names.insert(name).inserted else { throw fields.error("deployment_group", "\(name) is listed twice") }
            var policy = GroupPolicy(pollInterval: config.pollInterval, resyncInterval: config.resyncInterval)
            policy.mode = try fields.choice("mode", GroupPolicy.Mode.self) ?? .own
            policy.onFailure = try fields.result("on_failure") ?? .abandon
            policy.autoScalingGroups = try fields.strings("auto_scaling_groups") ?? []
            policy.terminatingHook = try fields.flag("terminating_hook") ?? false
            if policy.terminatingHook, policy.mode != .own {
                throw fields.error("terminating_hook", "is own mode's: in supervise mode CodeDeploy owns the hooks")
            }
            if let hookNode = fields.node("hook") {
                let hook = try Fields(
                    hookNode,
                    path: "\(fields.path).hook",
                    file: file,
                    allowed: ["heartbeat_timeout", "role_arn"]
                )
                let range = allowShortHooks ? ConfigLimits.shortHeartbeatTimeout : ConfigLimits.heartbeatTimeout
                if let timeout = try hook.duration("heartbeat_timeout", within: range) {
                    guard timeout == timeout.rounded() else {
                        throw hook.error("heartbeat_timeout", "must be whole seconds (AWS takes 30s to 7200s)")
                    }
                    policy.heartbeatTimeout = Int(timeout)
                }
                policy.hookRoleARN = try hook.string("role_arn")
                if let role = policy.hookRoleARN, !ConfigLimits.isRoleARN(role) {
                    throw hook.error(
                        "role_arn",
                        "'\(role)' is not a role ARN; write it like arn:aws:iam::123456789012:role/NAME"
                    )
                }
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
                    guard let n = Int(cycles), ConfigLimits.maxCycles.contains(n) else {
                        throw b.error("max_cycles", "'\(cycles)' is not a whole number from 1 to 1000")
                    }
                    breaker.maxCycles = n
                }
                breaker.window = try b.duration("window", within: ConfigLimits.breakerWindow) ?? breaker.window
                breaker.result = try b.result("result") ?? breaker.result
            }
            policy.loopBreaker = breaker
            config.groups.append(ManagedGroup(name: name, policy: policy))
        }
        return config
    }
}

extension LifelineConfig {
    /// `lease:` (DESIGN §11): the DynamoDB table, the duration, and this replica's name.
    static func parseLease(_ fields: Fields) throws -> LifelineConfig.LeaseSettings {
        let table = try fields.required("table")
        guard ConfigLimits.isTableName(table) else {
            throw fields.error(
                "table",
                "'\(table.prefix(60))' is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)"
            )
        }
        var lease = LifelineConfig.LeaseSettings(table: table)
        lease.duration = try fields.duration("duration", within: ConfigLimits.leaseDuration) ?? lease.duration
        if let owner = try fields.string("owner"), !owner.isEmpty {
            guard owner.count <= 200, !owner.hasPrefix("replica:") else {
                throw fields.error("owner", "must be at most 200 characters and not begin with replica:")
            }
            lease.owner = owner
        }
        return lease
    }
}
