import AWSWire
import Foundation
import LifelineCore

/// Why a group could not be reconciled this pass: the line for people, and what stays the same
/// while the failure does (an AWS error's service, operation and code; not its request id).
struct GroupFailure: Sendable, Equatable, CustomStringConvertible {
    var description: String
    var kind: String

    init(_ error: any Error, while doing: String? = nil) {
        let text = doing.map { "\($0): \(error)" } ?? "\(error)"
        description = text
        if let aws = error as? AWSError {
            kind = "\(doing ?? "") \(aws.service) \(aws.operation) \(aws.code)"
        } else {
            kind = text
        }
    }
}

/// Each deployment group's record of failed passes (DESIGN §3, failure per group): a failing group
/// is retried with backoff and said once per change of state, while every other group goes on.
struct GroupHealth: Sendable {
    struct Failing: Sendable, Equatable {
        var since: Date
        var passes: Int
        var failure: GroupFailure
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

    mutating func failed(_ group: DeploymentGroupName, _ failure: GroupFailure, at now: Date) -> Change? {
        let previous = failing[group]
        let passes = (previous?.passes ?? 0) + 1
        failing[group] = Failing(
            since: previous?.since ?? now,
            passes: passes,
            failure: failure,
            retryAt: now.addingTimeInterval(Self.backoff(afterPasses: passes))
        )
        guard let previous else { return .began(failure.description) }
        return previous.failure.kind == failure.kind ? nil : .changed(failure.description)
    }

    mutating func succeeded(_ group: DeploymentGroupName) -> Change? {
        guard let previous = failing.removeValue(forKey: group) else { return nil }
        return .recovered(passes: previous.passes)
    }

    /// The soonest retry of a failing group.
    var nextRetry: Date? { failing.values.map(\.retryAt).min() }
}
