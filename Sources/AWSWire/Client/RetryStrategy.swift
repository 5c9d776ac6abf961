import Foundation
import Synchronization

/// The SDKs' standard retry mode: a few attempts, full-jitter exponential backoff capped at 20 s,
/// and a retry quota so that a struggling service is not hammered by every caller at once.
/// https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html
public struct RetryStrategy: Sendable {
    public typealias Sleeper = @Sendable (Duration) async throws -> Void

    public let maxAttempts: Int
    public let maxBackoff: Duration
    let quota: RetryQuota
    let sleep: Sleeper
    let random: @Sendable () -> Double

    public init(
        maxAttempts: Int = 3,
        maxBackoff: Duration = .seconds(20),
        quotaCapacity: Int = 500,
        sleep: @escaping Sleeper = { try await Task.sleep(for: $0) },
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoff = maxBackoff
        self.quota = RetryQuota(capacity: quotaCapacity)
        self.sleep = sleep
        self.random = random
    }

    /// `AWS_MAX_ATTEMPTS`, else 3.
    public static func fromEnvironment(
        _ env: [String: String],
        sleep: @escaping Sleeper = { try await Task.sleep(for: $0) }
    ) -> RetryStrategy {
        RetryStrategy(maxAttempts: env["AWS_MAX_ATTEMPTS"].flatMap { Int($0) } ?? 3, sleep: sleep)
    }

    /// The wait before retry number `retry` (1 for the first retry): random × min(2^(retry-1) s,
    /// cap), the cap being `maxBackoff` unless a smaller one is given.
    public func backoff(retry: Int, cap: Duration? = nil) -> Duration {
        let ceiling = min(pow(2.0, Double(retry - 1)), Double(min(cap ?? maxBackoff, maxBackoff).milliseconds) / 1000)
        return .milliseconds(Int(random() * ceiling * 1000))
    }
}

/// The instant after which the calls made inside `CallWindow.$usefulUntil.withValue` are worth
/// nothing: a lifecycle action's heartbeat or completion once the action has expired (DESIGN §3,
/// heartbeats first). Until then a retryable failure is tried again within a second and past the
/// standard mode's three attempts, and no attempt may take more than half the time left, so that
/// one throttled or hung attempt does not let the action expire. The retry quota still applies.
public enum CallWindow {
    @TaskLocal public static var usefulUntil: ContinuousClock.Instant?

    /// The longest wait between two attempts inside a window.
    public static let maxBackoff: Duration = .seconds(1)
    /// The most attempts a call makes inside a window.
    public static let maxAttempts = 10
    /// The shortest limit on one attempt inside a window, however little of it is left.
    public static let minAttemptTimeout: Duration = .seconds(3)

    /// Runs `body` with its calls' window ending at `instant` on AWS's clock (`now` on it too); with
    /// no instant, or one already past, as any other call.
    public static func until<T>(
        _ instant: Date?,
        now: Date,
        _ body: () async throws -> T
    ) async rethrows -> T {
        guard let instant, instant > now else { return try await body() }
        let left = instant.timeIntervalSince(now)
        return try await $usefulUntil.withValue(
            ContinuousClock.now + .milliseconds(Int64(left * 1000)),
            operation: body
        )
    }
}

extension Duration {
    /// Whole milliseconds, rounded down.
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}

/// The retry token bucket: 500 tokens, a retry costs 5 (10 after a timeout), a success refunds
/// what its retries took, or 1 when it needed none.
public final class RetryQuota: Sendable {
    public static let retryCost = 5
    public static let timeoutCost = 10
    private let capacity: Int
    private let tokens: Mutex<Int>

    init(capacity: Int) {
        self.capacity = capacity
        tokens = Mutex(capacity)
    }

    public var available: Int { tokens.withLock { $0 } }

    /// Takes the cost of one retry, or says there is not enough left.
    func acquire(timeout: Bool) -> Int? {
        let cost = timeout ? Self.timeoutCost : Self.retryCost
        return tokens.withLock { t in
            guard t >= cost else { return nil }
            t -= cost
            return cost
        }
    }

    func release(_ amount: Int) {
        tokens.withLock { $0 = min(capacity, $0 + amount) }
    }
}
