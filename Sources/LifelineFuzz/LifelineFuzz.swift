import AWSWire
import Foundation
import LifelineCore
import LifelineRuntime

/// libFuzzer's entry (built only by `scripts/fuzz`, with `-sanitize=fuzzer`): one binary, the
/// parser chosen by `LIFELINE_FUZZ_TARGET`. Each target goes through the public path real input
/// takes, so that what it finds is what a hostile queue, config or endpoint could reach.
enum FuzzTarget: String, CaseIterable {
    /// Queue bodies: direct, SNS-wrapped, EventBridge, test notifications.
    case messages
    /// `lifeline.yaml`.
    case config
    /// Auto Scaling and EC2 answers (Query/EC2 XML), as 200s and as error answers.
    case xml
    /// CodeDeploy and SQS answers (JSON 1.1/1.0), as 200s and as error answers.
    case json
    /// The `Date` header every answer's clock skew is learned from.
    case date
}

private let target: FuzzTarget = {
    let name = ProcessInfo.processInfo.environment["LIFELINE_FUZZ_TARGET"] ?? ""
    guard let target = FuzzTarget(rawValue: name) else {
        let known = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("LIFELINE_FUZZ_TARGET must be one of \(known)\n".utf8))
        exit(2)
    }
    return target
}()

/// libFuzzer's driver (in the `-sanitize=fuzzer` runtime).
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

/// SwiftPM links an executable's `main` to `<Module>_main`; libFuzzer's own `main` is not used,
/// its driver is called from here instead.
@_cdecl("LifelineFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runDriver(&count, &arguments, lifelineFuzz)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func lifelineFuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    guard let bytes else { return 0 }
    let data = Data(bytes: bytes, count: count)
    switch target {
    case .messages: _ = try? LifecycleMessageParser.parse(String(decoding: data, as: UTF8.self))
    case .config: _ = try? LifelineConfig.parse(String(decoding: data, as: UTF8.self), file: "fuzz.yaml")
    case .xml, .json, .date: Answers.run(target, data)
    }
    return 0
}

/// An endpoint that answers whatever the fuzzer made: the first byte picks the status, the rest is
/// the body (or, for `date`, the `Date` header of an ordinary answer).
private final class FuzzedEndpoint: HTTPTransport, @unchecked Sendable {
    var answer = HTTPResponse(status: 200)
    func send(_ request: HTTPRequest) async throws -> HTTPResponse { answer }
}

private enum Answers {
    static let endpoint = FuzzedEndpoint()
    static let client: AWSClient = try! AWSClient(
        region: "us-east-1",
        endpoints: EndpointResolver(region: "us-east-1", endpointURL: "http://127.0.0.1:1", environment: [:]),
        transport: endpoint,
        credentials: EnvironmentCredentials(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDFUZZ", "AWS_SECRET_ACCESS_KEY": "fuzz-secret-key",
        ]),
        retry: RetryStrategy(maxAttempts: 1)
    )

    static func run(_ target: FuzzTarget, _ data: Data) {
        let statuses = [200, 400, 403, 500, 503]
        let status = data.first.map { statuses[Int($0) % statuses.count] } ?? 200
        let rest = data.dropFirst()
        switch target {
        case .date:
            endpoint.answer = HTTPResponse(
                status: 200,
                headers: [("Date", String(decoding: rest, as: UTF8.self))],
                body: Data("{\"deploymentGroups\":[]}".utf8)
            )
        default:
            endpoint.answer = HTTPResponse(status: status, body: Data(rest))
        }
        let done = DispatchSemaphore(value: 0)
        Task {
            await calls(target)
            done.signal()
        }
        done.wait()
    }

    static func calls(_ target: FuzzTarget) async {
        switch target {
        case .xml:
            let autoScaling = AutoScalingClient(client: client)
            _ = try? await autoScaling.describeAutoScalingGroups(names: ["shop-asg"])
            _ = try? await autoScaling.describeLifecycleHooks(group: "shop-asg")
            _ = try? await autoScaling.describeScalingActivities(group: "shop-asg", limit: 10)
            _ = try? await EC2Client(client: client).describeInstances(ids: ["i-1"])
        case .json, .date:
            let codeDeploy = CodeDeployClient(client: client)
            _ = try? await codeDeploy.listDeploymentGroups(application: "shop")
            _ = try? await codeDeploy.batchGetDeploymentGroups(application: "shop", names: ["prod"])
            _ = try? await codeDeploy.getDeployment(id: "d-1")
            _ = try? await SQSClient(client: client).receiveMessages(
                queueURL: "http://127.0.0.1:1/123456789012/q",
                max: 10,
                waitSeconds: 0,
                visibilityTimeout: nil
            )
        case .messages, .config:
            break
        }
    }
}
