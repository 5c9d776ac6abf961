import Foundation
import Synchronization
import Testing

@testable import AWSWire

/// Serves recorded answers in order and keeps the requests: for decoding tests only, where the
/// network adds nothing. Everything that talks to a peer uses a real server instead.
final class FixtureTransport: HTTPTransport {
    private let state: Mutex<(answers: [HTTPResponse], requests: [HTTPRequest])>

    init(_ answers: [HTTPResponse]) { state = Mutex((answers, [])) }

    var requests: [HTTPRequest] { state.withLock { $0.requests } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        try state.withLock { s in
            s.requests.append(request)
            guard !s.answers.isEmpty else {
                throw TransportError(kind: .connection, message: "no more answers", endpoint: "fixture")
            }
            return s.answers.removeFirst()
        }
    }
}

/// A recorded exchange from fixtures/wire (scripts/testing/wire_fixtures.py).
struct WireFixture: @unchecked Sendable, CustomTestStringConvertible {
    let path: String
    let json: [String: Any]

    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/wire")

    static func all(errors: Bool) -> [WireFixture] {
        let files = FileManager.default.enumerator(atPath: root.path)?.compactMap { $0 as? String } ?? []
        return files.filter { $0.hasSuffix(".json") && $0.contains("/errors/") == errors }.sorted().map { file in
            let data = try! Data(contentsOf: root.appendingPathComponent(file))
            return WireFixture(path: file, json: try! JSONSerialization.jsonObject(with: data) as! [String: Any])
        }
    }

    var testDescription: String { path }
    var service: String { String(path.split(separator: "/")[0]) }
    var operation: String { json["operation"] as! String }
    var input: [String: Any] { json["input"] as? [String: Any] ?? [:] }
    var parsed: [String: Any] { json["parsed"] as! [String: Any] }
    var expectedRequest: [String: Any] { json["request"] as! [String: Any] }

    var response: HTTPResponse {
        let r = json["response"] as! [String: Any]
        let headers = (r["headers"] as! [String: String]).map { (name: $0.key, value: $0.value) }
        return HTTPResponse(status: r["status"] as! Int, headers: headers, body: Data((r["body"] as! String).utf8))
    }
}

/// An AWSClient over a fixture transport, with fixed credentials and no waiting between retries.
func fixtureClient(_ transport: any HTTPTransport, maxAttempts: Int = 1, now: Date? = nil) throws -> AWSClient {
    let clock: @Sendable () -> Date = { now ?? Date() }
    return try AWSClient(
        region: "us-east-1",
        endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
        transport: transport,
        credentials: EnvironmentCredentials(environment: [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ]),
        retry: RetryStrategy(maxAttempts: maxAttempts, sleep: { _ in }),
        now: clock
    )
}
