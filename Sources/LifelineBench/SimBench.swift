import AWSWire
import Foundation
import LifelineSim
import SigV4
import Synchronization

/// A scenario with `groups` groups of `perGroup` instances, tagged, no hooks.
func bigWorld(groups: Int, perGroup: Int) -> Data {
    let list = (0..<groups).map {
        ["name": "asg-\($0)", "min": 0, "max": perGroup, "desired": perGroup, "tags": ["app": "app-\($0 % 50)"]]
            as [String: Any]
    }
    return try! JSONSerialization.data(withJSONObject: ["name": "bench", "groups": list])
}

/// Runs a simulator in this process until `body` returns.
func withSimulator<T: Sendable>(_ scenario: Data, _ body: @Sendable (String) async throws -> T) async throws -> T {
    let simulator = try Simulator(scenario: scenario)
    let ready = AsyncStream<String>.makeStream()
    let server = Task { try await simulator.run(host: "127.0.0.1", port: 0) { url in ready.continuation.yield(url) } }
    defer { server.cancel() }
    var iterator = ready.stream.makeAsyncIterator()
    guard let url = await iterator.next() else { throw CancellationError() }
    return try await body(url)
}

func residentMegabytes() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
}

/// DescribeAutoScalingGroups (a page of 100) and DescribeInstances (a page of 1,000) against a
/// world of 1,000 groups and 10,000 instances, signed and over loopback HTTP. Target ≤ 20 ms a page.
struct SimPageBench: Bench {
    let name = "sim.describe-pages"

    func run() async throws -> BenchRow {
        try await withSimulator(bigWorld(groups: 1000, perGroup: 10)) { url in
            let client = try AWSClient(
                region: "us-east-1",
                endpoints: EndpointResolver(region: "us-east-1", endpointURL: url, environment: [:]),
                transport: CurlTransport(proxy: ProxySettings()),
                credentials: EnvironmentCredentials(environment: [
                    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
                    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                ])
            )
            func median(_ runs: Int, _ call: () async throws -> Void) async throws -> Double {
                var times: [Double] = []
                for _ in 0..<runs { times.append(try await milliseconds(call)) }
                return times.sorted()[runs / 2]
            }
            var groups = QueryParameters(action: "DescribeAutoScalingGroups", version: "2011-01-01")
            groups.set("MaxRecords", 100)
            var instances = QueryParameters(action: "DescribeInstances", version: "2016-11-15")
            instances.set("MaxResults", 1000)
            var groupCount = 0
            var instanceCount = 0
            let asg = try await median(21) {
                groupCount = try await client.query(.autoScaling, groups).list("AutoScalingGroups").count
            }
            let ec2 = try await median(11) {
                instanceCount = try await client.query(.ec2, instances).list("reservationSet").count
            }
            precondition(groupCount == 100 && instanceCount == 1000)
            // The simulator's own share: the same signed requests, the answers not parsed.
            let transport = CurlTransport(proxy: ProxySettings())
            func raw(_ service: String, _ body: String) async throws -> Double {
                let bytes = Array(body.utf8)
                let host = URL(string: url)!.host! + ":" + String(URL(string: url)!.port!)
                var request = SignableRequest(
                    method: "POST",
                    path: "/",
                    headers: [("Host", host), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
                    payloadHash: sha256Hex(bytes)
                )
                let signed = SigV4Signer(service: service, region: "us-east-1").signHeaders(
                    request,
                    credentials: SigningCredentials(
                        accessKeyID: "AKIDEXAMPLE",
                        secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
                    ),
                    date: AmzDate(secondsSince1970: Int(Date().timeIntervalSince1970))
                )
                request.headers += signed.headers
                let http = HTTPRequest(
                    method: "POST",
                    url: URL(string: url)!,
                    headers: request.headers,
                    body: Data(bytes)
                )
                var times: [Double] = []
                for _ in 0..<11 { times.append(try await milliseconds { _ = try await transport.send(http) }) }
                return times.sorted()[5]
            }
            let asgServer = try await raw("autoscaling", groups.formEncoded)
            let ec2Server = try await raw("ec2", instances.formEncoded)
            return BenchRow(
                name: name,
                result: String(
                    format:
                        "simulator: groups page %.1f ms, instances page %.1f ms; with lifeline's parsing: %.1f / "
                        + "%.1f ms (medians)",
                    asgServer,
                    ec2Server,
                    asg,
                    ec2
                ),
                target: "≤ 20 ms each",
                met: asgServer <= 20 && ec2Server <= 20
            )
        }
    }
}

/// The simulator's memory holding 100,000 instances (1,000 groups of 100). Target ≤ 500 MB.
struct SimMemoryBench: Bench {
    let name = "sim.memory-100k"

    func run() async throws -> BenchRow {
        let before = residentMegabytes()
        let after = try await withSimulator(bigWorld(groups: 1000, perGroup: 100)) { _ in residentMegabytes() }
        return BenchRow(
            name: name,
            result: String(format: "%.0f MB resident (%.0f MB before loading)", after, before),
            target: "≤ 500 MB",
            met: after <= 500
        )
    }
}
