import Foundation

/// Something a person should fix, and the exact AWS CLI commands that fix it (DESIGN §4).
public struct Finding: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// A hook `GetDeploymentGroup` names that the Auto Scaling group lacks.
        case missingHook = "missing-hook"
        /// A `CodeDeploy-managed-*` hook the deployment group does not name.
        case orphanHook = "orphan-hook"
        /// Two hooks that each start a deployment for every launch.
        case doubleHooks = "double-hooks"
        /// lifeline's hook notifies something other than lifeline's queue.
        case hookTarget = "hook-target"
        /// A matched instance that is gone, or detached yet still tag-matched, that can hurt the next deployment.
        case stale
        /// An instance waiting on lifeline's hook that no lifeline has heartbeated for longer than
        /// the heartbeat interval: its action will run out.
        case unattendedWait = "unattended-wait"
        /// An open lifecycle action whose instance is gone.
        case orphanAction = "orphan-action"
        /// A deployment that only waits on instances that are gone.
        case stuckDeployment = "stuck-deployment"
        case breakerOpen = "breaker-open"
        /// Waiting instances two of lifeline's deployments ended without targeting: the
        /// deployment group's selection misses instances of its Auto Scaling groups.
        case selectionMiss = "selection-miss"
    }

    public var kind: Kind
    /// What it is about: an instance, a hook (`group/hook`), a deployment id.
    public var subject: String
    public var detail: String
    /// Shell commands, in order.
    public var remedy: [String]

    public init(kind: Kind, subject: String, detail: String, remedy: [String]) {
        self.kind = kind
        self.subject = subject
        self.detail = detail
        self.remedy = remedy
    }
}

/// Builds the AWS CLI commands of remedies; every argument is shell-quoted when it needs it.
enum AWSCLI {
    static func command(_ words: [String]) -> String { words.map(quote).joined(separator: " ") }

    /// Characters a shell passes through unquoted.
    static let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+")

    static func quote(_ word: String) -> String {
        guard word.isEmpty || !word.allSatisfy(safe.contains) else { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    static func deleteHook(group: String, hook: String) -> String {
        command([
            "aws", "autoscaling", "delete-lifecycle-hook", "--auto-scaling-group-name", group, "--lifecycle-hook-name",
            hook,
        ])
    }

    static func completeAction(group: String, hook: String, instance: String, result: String) -> String {
        command([
            "aws", "autoscaling", "complete-lifecycle-action", "--auto-scaling-group-name", group,
            "--lifecycle-hook-name", hook,
            "--instance-id", instance, "--lifecycle-action-result", result,
        ])
    }

    static func recordHeartbeat(group: String, hook: String, instance: String) -> String {
        command([
            "aws", "autoscaling", "record-lifecycle-action-heartbeat", "--auto-scaling-group-name", group,
            "--lifecycle-hook-name", hook, "--instance-id", instance,
        ])
    }

    static func stopDeployment(_ id: String) -> String {
        command(["aws", "deploy", "stop-deployment", "--deployment-id", id])
    }

    /// Names the deployment group's Auto Scaling groups anew; CodeDeploy then reinstalls or removes its hooks.
    static func setAutoScalingGroups(_ group: DeploymentGroupName, _ names: [String]) -> String {
        command(
            [
                "aws", "deploy", "update-deployment-group", "--application-name", group.application,
                "--current-deployment-group-name", group.name,
                "--auto-scaling-groups",
            ] + (names.isEmpty ? ["[]"] : names)
        )
    }

    /// `--ec2-tag-set` as the JSON the AWS CLI takes (`EC2TagSet` in CodeDeploy's model).
    static func tagSetJSON(_ groups: [[TagFilter]]) -> String {
        let list = groups.map { group in
            group.map { filter in
                var object = ["Type": filter.kind.rawValue]
                if let key = filter.key { object["Key"] = key }
                if let value = filter.value { object["Value"] = value }
                return object
            }
        }
        let data = try? JSONSerialization.data(
            withJSONObject: ["ec2TagSetList": list],
            options: [.sortedKeys, .withoutEscapingSlashes]
        )
        return data.map { String(decoding: $0, as: UTF8.self) } ?? "{}"
    }

    static func tagFilter(_ f: TagFilter) -> String {
        var parts: [String] = []
        if let key = f.key { parts.append("Key=\(key)") }
        if let value = f.value { parts.append("Value=\(value)") }
        parts.append("Type=\(f.kind.rawValue)")
        return parts.joined(separator: ",")
    }
}

extension DeploymentGroupName {
    /// The tag that re-keys the deployment group's matches after a detach race: a new value that
    /// only live instances carry.
    public var rekeyTag: String { "lifeline:\(name)" }
}
