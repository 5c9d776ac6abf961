import Foundation
import LifelineCore

/// Each group's own schedule (DESIGN §3, requeue): when a group is due, what a message marks due,
/// and the work of a pass that runs off the actor so that a message's pass need not wait for it.
extension Reconciler {
    /// `decide` for every group, off the actor: a message's pass need not wait while a resync's
    /// 1,000 decisions are made.
    nonisolated static func decideAll(_ seen: [Observer.Seen], at: Date) async -> [Plan] {
        seen.map { decide($0.observation, $0.journal, now: at, policy: $0.group.policy) }
    }

    /// Each group's stale instances, for the metrics; off the actor as `decideAll`.
    nonisolated static func staleCounts(_ seen: [Observer.Seen]) async -> [DeploymentGroupName: Int] {
        Dictionary(
            seen.map { ($0.group.name, MatchSet.observed($0.observation).entries(.stale).count) },
            uniquingKeysWith: { first, _ in first }
        )
    }

    /// Passes due within this much of each other go together: one batched observation, not several.
    static let coalesce: TimeInterval = 2

    /// Whether the group's own next pass has come (or comes within `coalesce`).
    func isDue(_ group: DeploymentGroupName, at time: Date) -> Bool {
        (dueAt[group] ?? .distantPast) <= time.addingTimeInterval(Self.coalesce)
    }

    /// The soonest next pass of any group this replica acts for, or a failing group's retry.
    /// `elsewhere`: groups another pass has now; it says when they are due once it is over.
    func nextDue(held: Set<String>?, elsewhere: Set<DeploymentGroupName>) -> Date? {
        // A failing group's next try is its backoff's (`health.nextRetry`), not its schedule's.
        let mine = groups.filter {
            (held?.contains($0.name.description) ?? true) && health.failing[$0.name] == nil
                && !elsewhere.contains($0.name)
        }
        let times =
            mine.map { hinted[$0.name] != nil ? .distantPast : dueAt[$0.name] ?? .distantPast }
            + [health.nextRetry].compactMap { $0 }
        return times.min()
    }

    /// A message named these groups (DESIGN §3, a message is a hint of where to look): they are
    /// due at the next wake, whatever their schedule said.
    public func markDue(_ names: some Sequence<DeploymentGroupName>, autoScalingGroup: String? = nil) {
        for name in names { hinted[name, default: []].formUnion([autoScalingGroup].compactMap { $0 }) }
    }
}
