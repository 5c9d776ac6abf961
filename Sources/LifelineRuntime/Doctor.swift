import AWSWire
import Foundation
import Synchronization

/// `lifeline doctor`: can lifeline work from here? Credentials, each endpoint it calls, the clock,
/// and the endpoints the CodeDeploy agent on the instances needs (seeds 000 and 001).
public struct Doctor: Sendable {
    public struct Check: Sendable, Encodable {
        public var name: String
        public var ok: Bool
        public var detail: String
    }

    public struct Report: Sendable, Encodable {
        public var region: String
        public var checks: [Check]
        /// Endpoints the CodeDeploy agent must reach from the instances' subnets (NAT or VPC endpoints).
        public var agentEndpoints: [String]
        public var ok: Bool { checks.allSatisfy(\.ok) }
    }

    let client: AWSClient
    let queueURL: String?
    let serverDates: ServerDates

    /// Collects the `Date` of every answer; install `record` as the client's observer.
    public final class ServerDates: Sendable {
        private let seen = Mutex<[(local: Date, server: Date)]>([])
        public init() {}
        public func record(_ call: AWSClient.CallRecord) {
            guard let server = call.serverDate else { return }
            seen.withLock { $0.append((Date(), server)) }
        }
        var largestSkew: TimeInterval? {
            seen.withLock { $0.map { $0.server.timeIntervalSince($0.local) }.max { abs($0) < abs($1) } }
        }
    }

    public init(client: AWSClient, queueURL: String?, serverDates: ServerDates) {
        self.client = client
        self.queueURL = queueURL
        self.serverDates = serverDates
    }

    public func run() async -> Report {
        var checks: [Check] = []
        do {
            let credentials = try await client.currentCredentials()
            let expiry = credentials.expiration.map { ", expires \($0.formatted(.iso8601))" } ?? ""
            checks.append(
                Check(
                    name: "credentials",
                    ok: true,
                    detail: "\(Self.mask(credentials.signing.accessKeyID)) from \(credentials.source)\(expiry)"
                )
            )
        } catch {
            checks.append(Check(name: "credentials", ok: false, detail: "\(error)"))
            return Report(region: client.region, checks: checks, agentEndpoints: agentEndpoints)
        }
        // Whose credentials these are: the check that catches a profile resolved to the wrong
        // identity. GetCallerIdentity needs no permission.
        do {
            let identity = try await STSClient(client: client).getCallerIdentity()
            checks.append(Check(name: "identity", ok: true, detail: "\(identity.arn) (account \(identity.account))"))
        } catch {
            checks.append(Check(name: "identity", ok: false, detail: "STS GetCallerIdentity: \(error)"))
        }
        checks.append(
            await probe(.autoScaling, "DescribeAutoScalingGroups") {
                var p = QueryParameters(action: "DescribeAutoScalingGroups", version: "2011-01-01")
                p.set("MaxRecords", 1)
                _ = try await client.query(.autoScaling, p)
            }
        )
        checks.append(
            await probe(.ec2, "DescribeInstances") {
                var p = QueryParameters(action: "DescribeInstances", version: "2016-11-15")
                p.set("MaxResults", 5)
                _ = try await client.query(.ec2, p)
            }
        )
        checks.append(
            await probe(.codeDeploy, "ListApplications") {
                struct None: Encodable {}
                _ = try await client.json(.codeDeploy, "ListApplications", None(), as: EmptyOutput.self)
            }
        )
        if let queueURL {
            checks.append(
                await probe(.sqs, "GetQueueAttributes") {
                    _ = try await SQSClient(client: client).getQueueAttributes(queueURL: queueURL, names: ["QueueArn"])
                }
            )
        } else {
            checks.append(
                await probe(.sqs, "ListQueues") {
                    struct Input: Encodable { var MaxResults = 1 }
                    _ = try await client.json(.sqs, "ListQueues", Input(), as: EmptyOutput.self)
                }
            )
        }
        if let skew = serverDates.largestSkew {
            let ok = abs(skew) < ClockSkew.threshold
            checks.append(
                Check(
                    name: "clock",
                    ok: ok,
                    detail: String(format: "%+.0f s from AWS", skew)
                        + (ok ? "" : "; lifeline corrects for it, but fix NTP: the agent and SigV4 elsewhere will not")
                )
            )
        }
        return Report(region: client.region, checks: checks, agentEndpoints: agentEndpoints)
    }

    private func probe(_ service: AWSService, _ operation: String, _ call: () async throws -> Void) async -> Check {
        let started = ContinuousClock.now
        let endpoint = client.endpoint(for: service).absoluteString
        do {
            try await call()
            let ms = (ContinuousClock.now - started).milliseconds
            return Check(name: service.name, ok: true, detail: "\(endpoint) \(operation) OK in \(ms) ms")
        } catch {
            return Check(name: service.name, ok: false, detail: "\(endpoint): \(error)")
        }
    }

    var agentEndpoints: [String] {
        let suffix = client.region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        return ["codedeploy", "codedeploy-commands-secure", "s3"].map { "https://\($0).\(client.region).\(suffix)" }
    }

    /// `AKIA…WXYZ`: enough to recognise a key, not to use it.
    static func mask(_ accessKeyID: String) -> String {
        accessKeyID.count <= 8 ? "****" : accessKeyID.prefix(4) + "…" + accessKeyID.suffix(4)
    }
}

extension Doctor.Report {
    /// The human form: one line a check, then what the agent needs.
    public var text: String {
        var lines = ["region      \(region)"]
        for check in checks {
            lines.append(
                "\(check.name.padding(toLength: 11, withPad: " ", startingAt: 0)) \(check.ok ? "ok  " : "FAIL") "
                    + "\(check.detail)"
            )
        }
        lines.append("")
        lines.append(
            "The CodeDeploy agent on the instances must reach these (a NAT gateway or VPC endpoints in private "
                + "subnets):"
        )
        lines += agentEndpoints.map { "  \($0)" }
        return lines.joined(separator: "\n")
    }
}
