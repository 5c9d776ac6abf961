import Foundation

/// How the simulated account behaves: what a scenario file sets (fixtures/scenarios/*.json).
struct SimConfig: Sendable {
    var accountID = "123456789012"
    var region = "us-east-1"
    /// Access key → secret. The AWS documentation's example key is always accepted.
    var credentials: [String: String] = ["AKIDEXAMPLE": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"]
    /// Skip signature and clock checks (for tools that cannot sign).
    var skipAuth = false
    /// How long a deployment takes on one instance.
    var deploymentSeconds = 2.0
    /// How long CodeDeploy waits for an agent that never answers before failing the target.
    var agentTimeoutSeconds = 3600.0
    /// How long terminated instances stay visible in DescribeInstances (AWS: about an hour).
    var terminatedVisibleSeconds = 3600.0
    /// Allow hook heartbeat timeouts under AWS's 30 s minimum, for fast tests.
    var allowShortHeartbeat = false
    /// `direct`, `sns` or `eventbridge`: the shape of lifecycle notifications in SQS.
    var notificationShape = "direct"
    /// Revision keys (or substrings of them) whose deployments fail, and at which lifecycle event.
    var failingRevisions: [String: String] = [:]
    /// Launches whose agent cannot reach CodeDeploy: per group, how many of the next launches.
    var hangingLaunches: [String: Int] = [:]
    /// Launches whose deployments fail at AfterInstall: per group, how many of the next launches.
    var failingLaunches: [String: Int] = [:]
    /// Deployment group (`APP/GROUP`) → seconds each new deployment of it stays `Created` before it
    /// starts; meanwhile its target reads answer DeploymentNotStartedException, as AWS's do.
    var heldInCreated: [String: Double] = [:]
    var faults = Faults()

    struct Faults: Sendable {
        /// Share of calls answered with a throttling error, per operation (`*` for all).
        var throttleRate: [String: Double] = [:]
        var serverErrorRate = 0.0
        var resetRate = 0.0
        var latencyMilliseconds = 0.0
        /// Extra latency for one operation (`CreateDeployment` or `codedeploy.CreateDeployment`):
        /// holds a call open after it was counted, so a test can kill the caller inside it.
        var latencyByOperation: [String: Double] = [:]
        /// Share of calls that take effect and then lose their answer: a 5xx, or a reset connection.
        var serverErrorAfterRate = 0.0
        var resetAfterRate = 0.0
        /// Errors for one operation, optionally on one resource (a group name, a deployment group).
        var scoped: [ScopedFault] = []
        /// Seconds the simulator's clock is ahead of the real one (negative: behind).
        var clockSkewSeconds = 0.0
        var seed: UInt64 = 1
    }

    /// `{"operation": "DescribeLifecycleHooks", "resource": "shop-bad", "code": "AccessDenied"}`:
    /// every call of the operation that names the resource (any input value equal to it) fails;
    /// with `after`, it takes effect first and then fails ("applied, but the answer lost").
    struct ScopedFault: Sendable {
        var operation: String
        var resource: String?
        var code: String
        var message: String
        var status: Int
        var after: Bool
    }
}
