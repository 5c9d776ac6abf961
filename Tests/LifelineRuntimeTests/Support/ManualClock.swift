import Foundation
import Synchronization

/// A clock the test moves: a reconciler's `now`.
final class ManualClock: Sendable {
    private let time: Mutex<Date>

    init(_ start: Date = Date()) { time = Mutex(start) }

    var now: Date { time.withLock { $0 } }
    func set(_ date: Date) { time.withLock { $0 = max($0, date) } }
    func advance(_ seconds: TimeInterval) { time.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
