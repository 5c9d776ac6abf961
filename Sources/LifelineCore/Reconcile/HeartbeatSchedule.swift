import Foundation

/// When each open action's next heartbeat is due, from the journal alone (DESIGN §3, heartbeats
/// first): half the hook's heartbeat timeout after the last heartbeat, or after the wait began.
/// Pure: `now` is on AWS's clock, like every time in an action.
public enum HeartbeatSchedule {
    /// One heartbeat to send: the action, the timeout it restarts, and when the action would expire.
    public struct Beat: Sendable, Equatable {
        public var action: LifecycleAction
        public var timeout: Int
        public var expires: Date
    }

    /// The timeout an action's heartbeats restart: the hook's, else what its deadline implies.
    public static func timeout(of action: LifecycleAction, fallback: Int) -> Int {
        if let known = action.heartbeatTimeout { return known }
        if let deadline = action.heartbeatDeadline {
            let implied = Int(deadline.timeIntervalSince(action.lastHeartbeat ?? action.firstSeen).rounded())
            if (1...7200).contains(implied) { return implied }
        }
        return fallback
    }

    /// When the action expires unless it is heartbeated: the last heartbeat (or the wait's start)
    /// plus the timeout, or the recorded deadline if that is earlier (one recorded before the hook's
    /// real timeout was known, or for a wait whose start is unknown).
    public static func expiry(of action: LifecycleAction, timeout: Int) -> Date {
        let byTimeout = (action.lastHeartbeat ?? action.firstSeen).addingTimeInterval(Double(timeout))
        return min(action.heartbeatDeadline ?? byTimeout, byTimeout)
    }

    /// When the action ends unless it is heartbeated: its expiry, or its global deadline if sooner.
    public static func end(of action: LifecycleAction, fallbackTimeout: Int = 300) -> Date {
        let expires = expiry(of: action, timeout: timeout(of: action, fallback: fallbackTimeout))
        return min(action.globalDeadline ?? expires, expires)
    }

    /// The next heartbeat: half the timeout before the action expires.
    public static func nextDue(_ action: LifecycleAction, timeout: Int) -> Date {
        expiry(of: action, timeout: timeout).addingTimeInterval(-Double(timeout) / 2)
    }

    /// How early a heartbeat may go out with a sweep (a sixth of the timeout, at most 10 s): a sweep
    /// before a slow observation sends what would fall due during it.
    public static func margin(timeout: Int) -> TimeInterval { min(10, Double(timeout) / 6) }

    /// The open actions whose heartbeat is due by `now` (plus each one's margin when `early`),
    /// soonest expiry first. An action past its global deadline is left out, and so is a scale-in
    /// lifeline has not decided to hold (it is continued, not kept).
    public static func due(
        _ actions: [LifecycleAction],
        now: Date,
        early: Bool = true,
        fallbackTimeout: Int = 300
    ) -> [Beat] {
        actions.compactMap { action -> Beat? in
            guard isHeartbeated(action, now: now) else { return nil }
            let timeout = timeout(of: action, fallback: fallbackTimeout)
            let slack = early ? margin(timeout: timeout) : 0
            guard nextDue(action, timeout: timeout) <= now.addingTimeInterval(slack) else { return nil }
            return Beat(action: action, timeout: timeout, expires: expiry(of: action, timeout: timeout))
        }
        .sorted { ($0.expires, $0.action.token) < ($1.expires, $1.action.token) }
    }

    /// When the soonest of these actions falls due next, less its margin (nil: none to heartbeat).
    public static func nextWake(_ actions: [LifecycleAction], now: Date, fallbackTimeout: Int = 300) -> Date? {
        actions.filter { isHeartbeated($0, now: now) }.map { action in
            let timeout = timeout(of: action, fallback: fallbackTimeout)
            return nextDue(action, timeout: timeout).addingTimeInterval(-margin(timeout: timeout))
        }.min()
    }

    /// Whether lifeline keeps this action alive: open, before its global deadline, and not a
    /// scale-in it has not decided to hold (that one is continued, not kept).
    static func isHeartbeated(_ action: LifecycleAction, now: Date) -> Bool {
        guard action.state.isOpen, action.transition == HookSpec.launching || action.state != .waiting else {
            return false
        }
        if let global = action.globalDeadline, now >= global { return false }
        return true
    }
}
