import Foundation
import Synchronization
import Testing

@testable import AWSWire

/// A clock the test moves.
final class ManualClock: Sendable {
    private let seconds = Mutex<TimeInterval>(1000)
    var now: TimeInterval { seconds.withLock { $0 } }
    func advance(_ by: TimeInterval) { seconds.withLock { $0 += by } }
}

@Suite("client-side rate: a ceiling per service, adaptive back-off, heartbeats first")
struct RateLimiterTests {
    @Test("past the ceiling a read waits its turn; a heartbeat goes at once and the reads after it wait longer")
    func ceilingAndPriority() {
        let clock = ManualClock()
        let limiter = ClientRateLimiter(mode: .standard, ceiling: 10, clock: { clock.now })
        for _ in 0..<10 { #expect(limiter.reserve(priority: false) == .zero) }
        #expect(limiter.reserve(priority: false) == .milliseconds(100))
        #expect(limiter.reserve(priority: true) == .zero, "a heartbeat never queues behind reads")
        #expect(limiter.reserve(priority: false) == .milliseconds(300))
        clock.advance(1)
        #expect(limiter.reserve(priority: false) == .zero)
    }

    @Test("no ceiling and standard mode: nothing waits, throttling or not")
    func unlimited() {
        let limiter = ClientRateLimiter(mode: .standard, ceiling: nil)
        for _ in 0..<1000 { #expect(limiter.reserve(priority: false) == .zero) }
        limiter.record(throttled: true)
        #expect(limiter.currentRate == .infinity)
    }

    @Test("adaptive: throttling cuts the rate to 0.7 × the measured one; successes climb back, capped at 2 × measured")
    func adaptive() {
        let clock = ManualClock()
        let limiter = ClientRateLimiter(mode: .adaptive, ceiling: nil, clock: { clock.now })
        // Send 20 requests a second for three seconds, all answered.
        for _ in 0..<60 {
            limiter.record(throttled: false)
            clock.advance(0.05)
        }
        #expect(limiter.currentRate == .infinity, "not enabled before the first throttle")
        limiter.record(throttled: true)
        let cut = limiter.currentRate
        #expect(cut > 10 && cut < 20 * 0.7 + 1, "about 0.7 × the measured 20/s: \(cut)")
        // Answered again at 20/s: the cubic passes the old rate after cbrt(20 × 0.3 / 0.4) ≈ 2.5 s.
        var rates: [Double] = []
        for _ in 0..<80 {
            clock.advance(0.05)
            limiter.record(throttled: false)
            rates.append(limiter.currentRate)
        }
        #expect(rates[0] < cut + 1, "right after a throttle it stays low")
        #expect(rates.last! > 20, "successes raise the rate past where it was cut: \(rates.last!)")
        #expect(rates.allSatisfy { $0 <= 2 * 20 + 1 }, "never more than twice the measured rate")
    }

    @Test("every attempt's outcome reaches the observer, not only the last")
    func attemptsAreCounted() async throws {
        let records = Mutex<[AWSClient.CallRecord]>([])
        let client = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: FixtureTransport([RetryTests.throttled, RetryTests.throttled, RetryTests.ok]),
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
            ]),
            retry: RetryStrategy(maxAttempts: 3, sleep: { _ in }, random: { 0 }),
            observer: { record in records.withLock { $0.append(record) } }
        )
        _ = try await AutoScalingClient(client: client).describeLifecycleHooks(group: "g")
        let record = try #require(records.withLock { $0.first })
        #expect(record.outcome == "OK")
        #expect(record.attemptOutcomes == ["Throttling", "Throttling", "OK"])
    }

    private func answer(_ operation: String) -> HTTPResponse {
        HTTPResponse(
            status: 200,
            body: Data("<\(operation)Response><\(operation)Result/></\(operation)Response>".utf8)
        )
    }

    @Test("through the client, past the ceiling a read waits but a heartbeat or a completion does not")
    func clientPutsHeartbeatsFirst() async throws {
        let waits = Mutex<[Duration]>([])
        let clock = ManualClock()  // stands still: every call falls in the same second
        let client = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: FixtureTransport(
                [
                    RetryTests.ok, RetryTests.ok, answer("RecordLifecycleActionHeartbeat"),
                    answer("CompleteLifecycleAction"),
                ]
            ),
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
            ]),
            retry: RetryStrategy(maxAttempts: 1, sleep: { wait in waits.withLock { $0.append(wait) } }, random: { 0 }),
            maxRequestsPerSecond: 1,
            rateClock: { clock.now }
        )
        let autoScaling = AutoScalingClient(client: client)
        _ = try await autoScaling.describeLifecycleHooks(group: "g")
        #expect(waits.withLock { $0.count } == 0, "the first read is within the ceiling")
        _ = try await autoScaling.describeLifecycleHooks(group: "g")
        #expect(waits.withLock { $0.count } == 1, "the second read in the same second waits its turn")
        try await autoScaling.recordLifecycleActionHeartbeat(group: "g", hook: "h", action: .instance("i-1"))
        try await autoScaling.completeLifecycleAction(
            group: "g",
            hook: "h",
            action: .instance("i-1"),
            result: .continue
        )
        #expect(waits.withLock { $0.count } == 1, "a heartbeat and a completion go at once, past the ceiling")
    }
}
