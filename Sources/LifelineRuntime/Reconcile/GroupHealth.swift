import Foundation
import LifelineCore

/// Each deployment group's record of failed passes (DESIGN §3, failure per group): a failing group
/// is retried with backoff and said once per change of state, while every other group goes on.
struct GroupHealth: Sendable {
    struct Failing: Sendable, Equatable {
        var since: Date
        var passes: Int
        var error: String
        var retryAt: Date
    }

    private(set) var failing: [DeploymentGroupName: Failing] = [:]

    /// What changed for the log: a group began failing, failed differently, or recovered.
    enum Change: Equatable {
        case began(String)
        case changed(String)
        case recovered(passes: Int)
    }

    /// Backoff between tries of a failing group: 2, 4, 8 … seconds, at most `cap`.
    static func backoff(afterPasses passes: Int, cap: TimeInterval = 60) -> TimeInterval {
        min(cap, pow(2, Double(min(passes, 16))))
    }

    /// Whether the group is due for a try at `now` (always, unless it is backing off).
    func isDue(_ group: DeploymentGroupName, at now: Date) -> Bool { (failing[group]?.retryAt ?? now) <= now }

    mutating func failed(_ group: DeploymentGroupName, error: String, at now: Date) -> Change? {
        let previous = failing[group]
        let passes = (previous?.passes ?? 0) + 1
        failing[group] = Failing(
            since: previous?.since ?? now,
            passes: passes,
            error: error,
            retryAt: now.addingTimeInterval(Self.backoff(afterPasses: passes))
        )
        guard let previous else { return .began(error) }
        return Self.same(previous.error, error) ? nil : .changed(error)
    }

    /// The same failure again: equal but for the request id every AWS answer carries.
    static func same(_ a: String, _ b: String) -> Bool {
        func stable(_ s: String) -> String {
            s.replacingOccurrences(of: #"request id [^)\s]+"#, with: "", options: .regularExpression)
        }
        return stable(a) == stable(b)
    }

    mutating func succeeded(_ group: DeploymentGroupName) -> Change? {
        guard let previous = failing.removeValue(forKey: group) else { return nil }
        return .recovered(passes: previous.passes)
    }

    /// The soonest retry of a failing group.
    var nextRetry: Date? { failing.values.map(\.retryAt).min() }
}
