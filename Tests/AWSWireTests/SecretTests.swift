import Foundation
import Logging
import SigV4
import Synchronization
import Testing

@testable import AWSWire

/// Every log line (message and metadata) the client writes at trace level.
final class CapturedLogs: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }

    func logger() -> Logger {
        var logger = Logger(label: "test") { _ in Handler(sink: self) }
        logger.logLevel = .trace
        return logger
    }

    struct Handler: LogHandler {
        let sink: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let fields = metadata.merging(event.metadata ?? [:]) { $1 }
            sink.lines.withLock { $0.append("\(event.level) \(event.message) \(fields)") }
        }
    }
}

@Suite("secrets stay out of logs, errors and requests")
struct SecretTests {
    static let secret = "wJalrXUtnFEMI/K7MDENG/SECRETbPxRfiCY"
    static let sessionToken = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"

    /// Throttled (a retry, logged), a skew error (a correction, logged), then a final error whose
    /// message echoes the request's Authorization header, as a misbehaving proxy might.
    @Test("a call that is retried, corrected for skew and then fails leaves no secret in its logs or error")
    func noSecretInLogsOrErrors() async throws {
        let logs = CapturedLogs()
        let echo = HTTPResponse(
            status: 400,
            body: Data(
                """
                <ErrorResponse><Error><Code>ValidationError</Code><Message>bad request</Message></Error>\
                <RequestId>r-3</RequestId></ErrorResponse>
                """.utf8
            )
        )
        let skewed = HTTPResponse(
            status: 400,
            headers: [("Date", "Sat, 21 Nov 2026 20:20:00 GMT")],
            body: Data(
                """
                <ErrorResponse><Error><Code>RequestExpired</Code><Message>Request has expired.</Message></Error>\
                <RequestId>r-2</RequestId></ErrorResponse>
                """.utf8
            )
        )
        let transport = FixtureTransport([RetryTests.throttled, skewed, echo])
        let client = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": Self.secret,
                "AWS_SESSION_TOKEN": Self.sessionToken,
            ]),
            retry: RetryStrategy(maxAttempts: 3, sleep: { _ in }, random: { 0 }),
            now: { Date(timeIntervalSince1970: 1_795_291_200) },
            logger: logs.logger()
        )
        let error = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: client).describeLifecycleHooks(group: "g")
        }
        #expect(error?.code == "ValidationError")
        // The paths that log were taken: a test that captured nothing would prove nothing.
        #expect(logs.all.contains { $0.contains("retrying") })
        #expect(logs.all.contains { $0.contains("clock skew corrected") })
        for text in logs.all + [String(describing: error), String(reflecting: error)] {
            #expect(!text.contains(Self.secret))
            #expect(!text.contains(Self.sessionToken))
        }
        #expect(transport.requests.count == 3)
        for request in transport.requests {
            let sent =
                request.headers.map { "\($0.name): \($0.value)" } + [String(decoding: request.body, as: UTF8.self)]
            #expect(!sent.contains { $0.contains(Self.secret) }, "the secret signs requests; it is never sent")
        }
    }

    @Test("credentials print without their secret")
    func credentialsDescription() {
        let signing = SigningCredentials(
            accessKeyID: "AKIDEXAMPLE",
            secretAccessKey: Self.secret,
            sessionToken: Self.sessionToken
        )
        let credentials = AWSCredentials(signing: signing, source: "environment")
        for text in [String(describing: credentials), String(reflecting: credentials), String(describing: signing)] {
            #expect(text.contains("AKIDEXAMPLE"))
            #expect(!text.contains(Self.secret) && !text.contains(Self.sessionToken))
        }
    }
}
