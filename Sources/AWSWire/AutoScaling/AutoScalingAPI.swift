/// The subset of Auto Scaling lifeline uses. Every list is paginated to the end and every batch
/// sent at the API's own limit.
public protocol AutoScalingAPI: Sendable {
    /// Groups by name (all groups when `names` is empty), with their instances.
    func describeAutoScalingGroups(names: [String]) async throws -> [AutoScalingGroup]
    /// The groups whose own tags pass every filter (no filter: every group).
    func describeAutoScalingGroups(filters: [AutoScalingGroupFilter]) async throws -> [AutoScalingGroup]
    /// Instances by id (50 per call); unknown ids are simply absent.
    func describeAutoScalingInstances(ids: [String]) async throws -> [AutoScalingInstanceDetails]
    func describeLifecycleHooks(group: String) async throws -> [LifecycleHook]
    func putLifecycleHook(_ hook: LifecycleHook) async throws
    func deleteLifecycleHook(group: String, hook: String) async throws
    func completeLifecycleAction(
        group: String,
        hook: String,
        action: LifecycleActionReference,
        result: LifecycleActionResult
    ) async throws
    func recordLifecycleActionHeartbeat(group: String, hook: String, action: LifecycleActionReference) async throws
    /// The group's recent activities, newest first, at most `limit`.
    func describeScalingActivities(group: String, limit: Int) async throws -> [ScalingActivity]
}
