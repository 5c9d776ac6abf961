import Foundation
import SigV4

/// `swift run -c release LifelineBench [name…]`: the project's benchmarks, one table.
/// Figures are wall-clock on this machine; they are reported, never asserted by tests.
@main
struct LifelineBench {
    static func main() async throws {
        let wanted = Set(CommandLine.arguments.dropFirst())
        var rows: [BenchRow] = []
        for bench in benches where wanted.isEmpty || wanted.contains(bench.name) {
            rows.append(try await bench.run())
        }
        BenchRow.printTable(rows)
    }

    static let benches: [any Bench] = [
        SigV4Bench(), XMLBench(), JournalUpsertBench(), JournalOpenActionsBench(), SimPageBench(), SimMemoryBench(),
    ]
}

protocol Bench: Sendable {
    var name: String { get }
    func run() async throws -> BenchRow
}

struct BenchRow {
    var name: String
    var result: String
    var target: String
    var met: Bool

    static func printTable(_ rows: [BenchRow]) {
        let widths = [
            max(9, rows.map(\.name.count).max() ?? 0), max(6, rows.map(\.result.count).max() ?? 0),
            max(6, rows.map(\.target.count).max() ?? 0),
        ]
        func line(_ cells: [String]) -> String {
            zip(cells, widths + [4]).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(
                separator: "  "
            )
        }
        print(line(["benchmark", "result", "target", "met"]))
        for row in rows { print(line([row.name, row.result, row.target, row.met ? "yes" : "NO"])) }
    }
}

/// Signatures per second on one core: a typical Auto Scaling Query request, header signing,
/// with the day's key cached as it is in service.
struct SigV4Bench: Bench {
    let name = "sigv4.sign"

    func run() async throws -> BenchRow {
        let signer = SigV4Signer(service: "autoscaling", region: "us-east-1")
        let credentials = SigningCredentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            sessionToken: "FwoGZXIvYXdzEBYaDH-example-session-token"
        )
        let body = Array(
            "Action=RecordLifecycleActionHeartbeat&AutoScalingGroupName=shop-prod&InstanceId=i-0123456789abcdef0&LifecycleHookName=lifeline-launch-prod&Version=2011-01-01"
                .utf8
        )
        let request = SignableRequest(
            method: "POST",
            path: "/",
            headers: [
                ("Host", "autoscaling.us-east-1.amazonaws.com"),
                ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"),
            ],
            payloadHash: sha256Hex(body)
        )
        let date = AmzDate(secondsSince1970: Int(Date().timeIntervalSince1970))
        var sink = 0
        for _ in 0..<10_000 {
            sink &+= signer.signHeaders(request, credentials: credentials, date: date).signature.utf8.count
        }
        let count = 400_000
        let start = ContinuousClock.now
        for _ in 0..<count {
            sink &+= signer.signHeaders(request, credentials: credentials, date: date).signature.utf8.count
        }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(count) / seconds
        precondition(sink > 0)
        return BenchRow(
            name: name,
            result: "\(Int(rate)) signatures/s (1 core, \(count) runs)",
            target: "≥ 200000/s",
            met: rate >= 200_000
        )
    }
}
