import Foundation
import Synchronization
import Testing

@testable import AWSWire

@Suite("retries, quota and clock skew")
struct RetryTests {
    static let throttled = HTTPResponse(
        status: 400,
        body: Data(
            ("<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate "
                + "exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>")
                .utf8
        )
    )
    static let ok = HTTPResponse(
        status: 200,
        body: Data(
            "<DescribeLifecycleHooksResponse><DescribeLifecycleHooksResult><LifecycleHooks/></DescribeLifecycleHooksResult></DescribeLifecycleHooksResponse>"
                .utf8
        )
    )
    static let unavailable = HTTPResponse(status: 503, body: Data("<html>Service Unavailable</html>".utf8))
    static let validation = HTTPResponse(
        status: 400,
        body: Data(
            "<ErrorResponse><Error><Code>ValidationError</Code><Message>bad</Message></Error><RequestId>r</RequestId></ErrorResponse>"
                .utf8
        )
    )

    final class Sleeps: Sendable {
        let waits = Mutex<[Duration]>([])
        var all: [Duration] { waits.withLock { $0 } }
        func record(_ d: Duration) { waits.withLock { $0.append(d) } }
    }

    func client(
        _ transport: FixtureTransport,
        attempts: Int = 3,
        sleeps: Sleeps = Sleeps(),
        random: Double = 1.0,
        now: Date = Date()
    ) throws -> AWSClient {
        try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
            ]),
            retry: RetryStrategy(maxAttempts: attempts, sleep: { sleeps.record($0) }, random: { random }),
            now: { now }
        )
    }

    @Test("throttling is retried with exponential backoff and then succeeds")
    func retriesThrottling() async throws {
        let transport = FixtureTransport([Self.throttled, Self.throttled, Self.ok])
        let sleeps = Sleeps()
        let c = try client(transport, sleeps: sleeps)
        _ = try await AutoScalingClient(client: c).describeLifecycleHooks(group: "g")
        #expect(transport.requests.count == 3)
        #expect(sleeps.all == [.seconds(1), .seconds(2)])
    }

    @Test("gives up after the maximum attempts with the last error")
    func maxAttempts() async throws {
        let transport = FixtureTransport(Array(repeating: Self.throttled, count: 10))
        let c = try client(transport, attempts: 3)
        let error = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: c).describeLifecycleHooks(group: "g")
        }
        #expect(error?.code == "Throttling")
        #expect(transport.requests.count == 3)
    }

    @Test("AWS_MAX_ATTEMPTS sets the attempts")
    func maxAttemptsFromEnvironment() {
        #expect(RetryStrategy.fromEnvironment(["AWS_MAX_ATTEMPTS": "5"]).maxAttempts == 5)
        #expect(RetryStrategy.fromEnvironment([:]).maxAttempts == 3)
    }

    @Test("a 503 with an unreadable body is retried; a validation error is not")
    func transientVersusPermanent() async throws {
        let transient = FixtureTransport([Self.unavailable, Self.ok])
        _ = try await AutoScalingClient(client: try client(transient)).describeLifecycleHooks(group: "g")
        #expect(transient.requests.count == 2)

        let permanent = FixtureTransport([Self.validation, Self.ok])
        await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: try client(permanent)).describeLifecycleHooks(group: "g")
        }
        #expect(permanent.requests.count == 1)
    }

    @Test("an error after an unanswered attempt says that attempt may have taken effect; a first refusal does not")
    func earlierAttemptMayHaveTakenEffect() async throws {
        let afterFailure = FixtureTransport([Self.unavailable, Self.validation])
        let late = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: try client(afterFailure)).describeLifecycleHooks(group: "g")
        }
        #expect(late?.code == "ValidationError" && late?.earlierAttemptMayHaveTakenEffect == true)
        let first = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: try client(FixtureTransport([Self.validation])))
                .describeLifecycleHooks(group: "g")
        }
        #expect(first?.earlierAttemptMayHaveTakenEffect == false)
    }

    /// `attempts` throttled answers and then a success, for a heartbeat made inside a window of
    /// `window` (none: an ordinary call); the requests it made and the waits between them.
    func heartbeat(throttled attempts: Int, window: Duration?) async throws -> (Int, [Duration], [Duration]) {
        let transport = FixtureTransport(Array(repeating: Self.throttled, count: attempts) + [Self.ok])
        let sleeps = Sleeps()
        let client = AutoScalingClient(client: try client(transport, sleeps: sleeps))
        let now = Date()
        _ = try? await CallWindow.until(window.map { now.addingTimeInterval(Double($0.milliseconds) / 1000) }, now: now)
        {
            try await client.recordLifecycleActionHeartbeat(group: "g", hook: "h", action: .instance("i-1"))
        }
        return (transport.requests.count, sleeps.all, transport.requests.map(\.timeout))
    }

    @Test("inside its window a call is retried past three attempts, a second apart at most, each attempt limited")
    func windowRetriesSoonerAndLonger() async throws {
        let (requests, waits, timeouts) = try await heartbeat(throttled: 5, window: .seconds(50))
        #expect(requests == 6, "five throttled attempts and the sixth answered")
        #expect(waits == Array(repeating: .seconds(1), count: 5))
        // Half of the time left (25 s, less what a busy test machine takes), not the client's 30 s:
        // a hung attempt leaves time for another.
        #expect(timeouts.allSatisfy { $0 > .seconds(10) && $0 <= .seconds(25) })

        let (ordinary, ordinaryWaits, ordinaryTimeouts) = try await heartbeat(throttled: 5, window: nil)
        #expect(ordinary == 3 && ordinaryWaits == [.seconds(1), .seconds(2)])
        #expect(ordinaryTimeouts.allSatisfy { $0 == .seconds(30) })
    }

    @Test("a window gives no attempt that would start after it ends, nor more than ten")
    func windowEnds() async throws {
        // A wait of 1 s would end past a window of half a second: the standard three attempts only.
        #expect(try await heartbeat(throttled: 5, window: .milliseconds(500)).0 == 3)
        #expect(try await heartbeat(throttled: 20, window: .seconds(600)).0 == CallWindow.maxAttempts)
        // A window already over is no window.
        #expect(try await heartbeat(throttled: 5, window: .seconds(-5)).2.allSatisfy { $0 == .seconds(30) })
    }

    @Test("backoff is full jitter, capped at 20 seconds")
    func backoff() {
        let strategy = RetryStrategy(random: { 1.0 })
        #expect(strategy.backoff(retry: 1) == .seconds(1))
        #expect(strategy.backoff(retry: 3) == .seconds(4))
        #expect(strategy.backoff(retry: 10) == .seconds(20))
        #expect(RetryStrategy(random: { 0.5 }).backoff(retry: 2) == .seconds(1))
    }

    @Test("the retry quota drains by 5 a retry, refunds on success, and stops retries when empty")
    func quota() async throws {
        let transport = FixtureTransport([Self.throttled, Self.ok] + Array(repeating: Self.throttled, count: 300))
        let c = try client(transport, attempts: 3)
        let asg = AutoScalingClient(client: c)
        _ = try await asg.describeLifecycleHooks(group: "g")
        #expect(c.retry.quota.available == 500)
        // Each failing call takes two retries (10 tokens) and refunds nothing.
        for _ in 0..<50 { _ = try? await asg.describeLifecycleHooks(group: "g") }
        #expect(c.retry.quota.available == 0)
        let before = transport.requests.count
        _ = try? await asg.describeLifecycleHooks(group: "g")
        #expect(transport.requests.count == before + 1, "no retry once the quota is spent")
    }

    @Test("a connection dropped by a real server is retried on a new connection")
    func connectionRetry() async throws {
        let server = try LoopbackServer(routes: [
            .init(responses: [
                .init(close: true),
                .init(
                    status: 200,
                    body:
                        "<DescribeLifecycleHooksResponse><DescribeLifecycleHooksResult><LifecycleHooks/></DescribeLifecycleHooksResult></DescribeLifecycleHooksResponse>"
                ),
            ])
        ])
        defer { server.stop() }
        let transport = CurlTransport(proxy: ProxySettings())
        defer { transport.shutdown() }
        let c = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", endpointURL: server.url.absoluteString, environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET",
            ]),
            retry: RetryStrategy(sleep: { _ in })
        )
        _ = try await AutoScalingClient(client: c).describeLifecycleHooks(group: "g")
        #expect(try server.requests().count == 2)
    }

    @Test("a skew error with a server Date over 5 minutes away is corrected and the request re-signed")
    func clockSkew() async throws {
        let local = Date(timeIntervalSince1970: 1_795_291_200)  // 20:00:00
        let serverDate = "Sat, 21 Nov 2026 20:20:00 GMT"  // 20 minutes ahead
        let skewed = HTTPResponse(
            status: 400,
            headers: [("Date", serverDate)],
            body: Data(
                ("<Response><Errors><Error><Code>RequestExpired</Code><Message>Request has "
                    + "expired.</Message></Error></Errors><RequestID>x</RequestID></Response>")
                    .utf8
            )
        )
        let ok = HTTPResponse(
            status: 200,
            body: Data("<DescribeInstancesResponse><reservationSet/></DescribeInstancesResponse>".utf8)
        )
        let transport = FixtureTransport([skewed, ok])
        let sleeps = Sleeps()
        let c = try client(transport, sleeps: sleeps, now: local)
        _ = try await EC2Client(client: c).describeInstances(filters: [])
        #expect(c.skew.current == 1200)
        #expect(transport.requests.count == 2)
        #expect(sleeps.all.isEmpty, "a skew correction does not back off")
        func amzDate(_ r: HTTPRequest) -> String? { r.headers.first { $0.name == "X-Amz-Date" }?.value }
        #expect(amzDate(transport.requests[0]) == "20261121T200000Z")
        #expect(amzDate(transport.requests[1]) == "20261121T202000Z")
    }

    @Test("a skew error under 5 minutes is not blamed on the clock")
    func smallSkewNotCorrected() async throws {
        let local = Date(timeIntervalSince1970: 1_795_291_200)
        let skewed = HTTPResponse(
            status: 403,
            headers: [("Date", "Sat, 21 Nov 2026 20:02:00 GMT")],
            body: Data(#"{"__type":"InvalidSignatureException","message":"Signature expired"}"#.utf8)
        )
        let transport = FixtureTransport([skewed, skewed])
        let c = try client(transport, now: local)
        let error = await #expect(throws: AWSError.self) {
            _ = try await CodeDeployClient(client: c).listApplications()
        }
        #expect(error?.isClockSkew == true)
        #expect(transport.requests.count == 1, "not re-signed and retried: 2 minutes is inside SigV4's window")
        // Every answer's Date still tells the account's clock (to within the header's one second).
        #expect(abs(c.skew.current - 120) <= 1)
    }

    @Test("a truncated XML answer is an error naming the operation, not an empty result")
    func truncatedXML() async throws {
        let truncated = HTTPResponse(
            status: 200,
            body: Data(
                "<DescribeLifecycleHooksResponse><DescribeLifecycleHooksResult><LifecycleHooks><member><LifecycleHookName>h"
                    .utf8
            )
        )
        let c = try client(FixtureTransport([truncated]))
        let error = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: c).describeLifecycleHooks(group: "g")
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.operation == "DescribeLifecycleHooks")
        #expect(error?.isRetryable == false)
    }

    @Test(
        "malformed answers of every protocol are named errors",
        arguments: [
            (
                "<DescribeInstancesResponse><reservationSet><item><instancesSet><item><instanceState/></item></instancesSet></item></reservationSet></DescribeInstancesResponse>",
                "lacks <instanceId>"
            ),
            ("<Other/>", "expected <DescribeInstancesResponse>"),
            ("not xml at all", "unreadable XML"),
        ]
    )
    func malformedXML(body: String, detail: String) async throws {
        let c = try client(FixtureTransport([HTTPResponse(status: 200, body: Data(body.utf8))]))
        let error = await #expect(throws: AWSError.self) {
            _ = try await EC2Client(client: c).describeInstances(filters: [])
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.description.contains("DescribeInstances") == true)
        #expect(error?.message.contains(detail) == true)
    }

    @Test(
        "malformed JSON answers name the operation and the field",
        arguments: [
            ("{\"deploymentInfo\": {\"createTime\": \"yesterday\"}}", "createTime"),
            ("{\"deploymentInfo\": ", "not JSON"),
            ("{}", "deploymentInfo"),
        ]
    )
    func malformedJSON(body: String, detail: String) async throws {
        let c = try client(FixtureTransport([HTTPResponse(status: 200, body: Data(body.utf8))]))
        let error = await #expect(throws: AWSError.self) {
            _ = try await CodeDeployClient(client: c).getDeployment(id: "d-1")
        }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.operation == "GetDeployment")
        #expect(error?.message.contains(detail) == true)
    }
}
