import Foundation
import Synchronization
import Testing

@testable import AWSWire

@Suite("AWS's clock: the offset every answer's Date header shows")
struct ClockSkewTests {
    let sent = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("an answer 20 minutes ahead sets the offset to within the header's second")
    func learns() {
        let skew = ClockSkew()
        skew.observe(serverDate: sent.addingTimeInterval(1200), sent: sent, received: sent.addingTimeInterval(0.2))
        #expect(abs(skew.current - 1200) <= 1)
        skew.observe(serverDate: sent.addingTimeInterval(-1200), sent: sent, received: sent.addingTimeInterval(0.2))
        #expect(abs(skew.current + 1200) <= 1, "and follows the account's clock when it moves back")
    }

    @Test("answers that agree with the estimate leave it alone: no jitter from whole-second headers")
    func hysteresis() {
        let skew = ClockSkew()
        skew.observe(serverDate: sent.addingTimeInterval(30), sent: sent, received: sent.addingTimeInterval(0.1))
        let first = skew.current
        for step in 1...20 {
            let at = sent.addingTimeInterval(Double(step) * 0.37)
            // The header is the account's time truncated to the second.
            let header = Date(timeIntervalSince1970: (at.timeIntervalSince1970 + first).rounded(.down))
            skew.observe(serverDate: header, sent: at, received: at.addingTimeInterval(0.05))
        }
        #expect(skew.current == first)
    }

    @Test("a Date header hours away is not taken for the account's clock (a broken proxy, a hostile endpoint)")
    func implausible() {
        let skew = ClockSkew()
        skew.observe(serverDate: sent.addingTimeInterval(7200), sent: sent, received: sent)
        #expect(skew.current == 0)
    }

    /// Temporary credentials that expire 15 minutes after AWS's now, counting how often they are asked for.
    final class RoleSession: CredentialProvider {
        let awsNow: @Sendable () -> Date
        let asked = Mutex(0)
        init(awsNow: @escaping @Sendable () -> Date) { self.awsNow = awsNow }
        func credentials() async throws -> AWSCredentials? {
            asked.withLock { $0 += 1 }
            return AWSCredentials(
                signing: .init(accessKeyID: "ASIA", secretAccessKey: "s", sessionToken: "t"),
                expiration: awsNow().addingTimeInterval(900),
                source: "test role"
            )
        }
    }

    @Test("temporary credentials are aged on AWS's clock: with the host 20 minutes ahead, fresh ones stay cached")
    func credentialsOnAWSClock() async throws {
        let host = sent
        let session = RoleSession(awsNow: { host.addingTimeInterval(-1200) })
        let client = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: CurlTransport(proxy: ProxySettings()),
            credentials: session,
            now: { host }
        )
        client.skew.observe(serverDate: host.addingTimeInterval(-1200), sent: host, received: host)
        for _ in 0..<3 { _ = try await client.currentCredentials() }
        // On the host's clock they expired 5 minutes ago, and every call would fetch them again.
        #expect(session.asked.withLock { $0 } == 1)
    }
}
