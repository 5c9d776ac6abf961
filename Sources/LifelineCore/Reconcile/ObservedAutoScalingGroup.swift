import Foundation

public struct ObservedAutoScalingGroup: Sendable, Equatable {
    public var name: String
    /// Instance id → lifecycle state (`Pending:Wait`, `InService`, `Terminating`, …).
    public var instances: [String: String]
    public var hooks: [ObservedHook]

    public init(name: String, instances: [String: String] = [:], hooks: [ObservedHook] = []) {
        self.name = name
        self.instances = instances
        self.hooks = hooks
    }

    public func hook(_ name: String) -> ObservedHook? { hooks.first { $0.name == name } }

    /// CodeDeploy's own launch hooks (`CodeDeploy-managed-automatic-launch-deployment-hook-…`).
    public var codeDeployLaunchHooks: [ObservedHook] {
        hooks.filter { $0.isLaunching && $0.name.hasPrefix("CodeDeploy-managed-automatic-launch-deployment-hook") }
    }
}
