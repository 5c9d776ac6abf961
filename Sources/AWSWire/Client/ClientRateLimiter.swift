import Foundation
import Synchronization

/// One service's client-side send rate (DESIGN §6): a token bucket at a fixed ceiling (the
/// account's API rate is shared by every tool in it), and in the SDKs' `adaptive` retry mode a
/// rate that falls on throttling and climbs back on a cubic curve (botocore's ClientRateLimiter:
/// β 0.7, scale 0.4, at most twice the measured rate). Heartbeats and completions go at once and
/// charge the bucket: reads wait behind them, never the other way round.
public final class ClientRateLimiter: Sendable {
    public enum Mode: String, Sendable, CaseIterable {
        case standard, adaptive
    }

    static let beta = 0.7
    static let scale = 0.4
    static let minimumRate = 0.5

    struct State {
        var tokens: Double
        var lastRefill: TimeInterval
        /// The bucket's rate now: the ceiling, or less while adaptive mode backs off.
        var rate: Double
        var adaptiveEnabled = false
        // Cubic state (botocore's CubicCalculator).
        var maxRate: Double
        var zeroPoint: Double = 0
        var lastThrottle: TimeInterval
        // Measured send rate (botocore's RateClocker: half-second buckets, smoothing 0.8).
        var measuredRate: Double = 0
        var bucketCount = 0
        var lastBucket: TimeInterval
    }

    public let mode: Mode
    /// Requests per second at most; nil: no fixed ceiling.
    public let ceiling: Double?
    private let state: Mutex<State>
    private let clock: @Sendable () -> TimeInterval

    public init(
        mode: Mode = .standard,
        ceiling: Double? = nil,
        clock: @escaping @Sendable () -> TimeInterval = { ProcessInfo.processInfo.systemUptime }
    ) {
        self.mode = mode
        self.ceiling = ceiling.flatMap { $0 > 0 ? $0 : nil }
        self.clock = clock
        let now = clock()
        let rate = self.ceiling ?? .infinity
        state = Mutex(
            State(
                tokens: min(rate, 1_000_000),
                lastRefill: now,
                rate: rate,
                maxRate: ceiling ?? Self.minimumRate,
                lastThrottle: now,
                lastBucket: (now * 2).rounded(.down) / 2
            )
        )
    }

    /// Takes a token; returns how long the caller must wait first (0 for priority calls, which
    /// borrow from the next tokens instead).
    public func reserve(priority: Bool) -> Duration {
        let seconds = state.withLock { s -> Double in
            guard s.rate.isFinite else { return 0 }
            let now = clock()
            s.tokens = min(max(s.rate, 1), s.tokens + (now - s.lastRefill) * s.rate)
            s.lastRefill = now
            s.tokens -= 1
            if priority || s.tokens >= 0 { return 0 }
            return -s.tokens / s.rate
        }
        return .milliseconds(Int((seconds * 1000).rounded(.up)))
    }

    /// After each attempt: adaptive mode lowers the rate on throttling and raises it on success.
    public func record(throttled: Bool) {
        guard mode == .adaptive else { return }
        state.withLock { s in
            let now = clock()
            let measured = Self.measure(&s, now: now)
            var next: Double
            if throttled {
                let current = s.adaptiveEnabled ? min(measured, s.rate) : measured
                s.maxRate = max(current, Self.minimumRate)
                s.zeroPoint = Self.zeroPoint(maxRate: s.maxRate)
                s.lastThrottle = now
                next = current * Self.beta
                s.adaptiveEnabled = true
            } else {
                guard s.adaptiveEnabled else { return }
                next = Self.scale * pow(now - s.lastThrottle - s.zeroPoint, 3) + s.maxRate
            }
            next = min(next, 2 * max(measured, Self.minimumRate))
            s.rate = max(Self.minimumRate, min(next, ceiling ?? .infinity))
            s.tokens = min(s.tokens, max(s.rate, 1))
        }
    }

    /// The bucket's rate now (requests per second; infinite when nothing limits it).
    public var currentRate: Double { state.withLock { $0.rate } }

    static func zeroPoint(maxRate: Double) -> Double { cbrt(maxRate * (1 - beta) / scale) }

    private static func measure(_ s: inout State, now: TimeInterval) -> Double {
        let bucket = (now * 2).rounded(.down) / 2
        s.bucketCount += 1
        if bucket > s.lastBucket {
            let current = Double(s.bucketCount) / (bucket - s.lastBucket)
            s.measuredRate = current * 0.8 + s.measuredRate * 0.2
            s.bucketCount = 0
            s.lastBucket = bucket
        }
        return s.measuredRate
    }
}
