import Foundation
import Synchronization

/// The difference between AWS's clock and ours (DESIGN §3: every time is on AWS's clock). Learned
/// from the `Date` header of every answer, and at once from a skew error; added to every signing
/// time and to `AWSClient.awsNow()`.
public final class ClockSkew: Sendable {
    /// Below this, a skew error is not blamed on the clock (AWS allows 5 minutes).
    public static let threshold: TimeInterval = 300
    /// A `Date` header further off than this is not taken as the account's clock (a broken proxy,
    /// a hostile endpoint); only a skew error's may correct more.
    public static let plausible: TimeInterval = 3600
    /// An estimate this close to what the header allows is kept, so the offset does not jitter.
    static let tolerance: TimeInterval = 0.25
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

    /// An answer's `Date` (whole seconds, taken between `sent` and `received` on our clock) bounds
    /// the offset to [date − received, date + 1 − sent]. The estimate moves only when it falls
    /// outside those bounds, to their middle.
    func observe(serverDate: Date, sent: Date, received: Date) {
        let low = serverDate.timeIntervalSince(received)
        let high = serverDate.addingTimeInterval(1).timeIntervalSince(sent)
        guard low <= high, abs(low) <= Self.plausible else { return }
        offset.withLock { current in
            if current < low - Self.tolerance || current > high + Self.tolerance { current = (low + high) / 2 }
        }
    }
}
