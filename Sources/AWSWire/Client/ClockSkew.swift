import Foundation
import Synchronization

/// The difference between AWS's clock and ours, learned from the `Date` header of a skew error
/// and added to every signing time after it.
public final class ClockSkew: Sendable {
    /// Below this, a skew error is not blamed on the clock (AWS allows 5 minutes).
    public static let threshold: TimeInterval = 300
    private let offset = Mutex<TimeInterval>(0)

    public init() {}

    public var current: TimeInterval { offset.withLock { $0 } }

    /// Remembers the skew the server's date shows, if it is over the threshold; says whether it did.
    func learn(serverDate: Date, localNow: Date) -> Bool {
        let skew = serverDate.timeIntervalSince(localNow)
        guard abs(skew) > Self.threshold else { return false }
        offset.withLock { $0 = skew }
        return true
    }
}
