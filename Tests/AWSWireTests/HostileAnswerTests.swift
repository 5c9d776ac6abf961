import Foundation
import Synchronization
import Testing

@testable import AWSWire

/// An endpoint that answers every request with what `answer` makes of the request's number.
final class ScriptedTransport: HTTPTransport {
    private let count = Mutex(0)
    let answer: @Sendable (Int, HTTPRequest) -> HTTPResponse
    init(_ answer: @escaping @Sendable (Int, HTTPRequest) -> HTTPResponse) { self.answer = answer }
    var requests: Int { count.withLock { $0 } }
    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let n = count.withLock { n in
            n += 1
            return n
        }
        return answer(n, request)
    }
}

@Suite("hostile answers: an error naming the operation, never a crash, a hang or a wrong answer")
struct HostileAnswerTests {
    func client(_ transport: any HTTPTransport, deadline: Duration? = nil) throws -> AWSClient {
        try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "SECRET-of-the-hostile-tests",
                "AWS_SESSION_TOKEN": "TOKEN-of-the-hostile-tests-0123",
            ]),
            retry: RetryStrategy(maxAttempts: 3, sleep: { _ in }),
            callDeadline: deadline
        )
    }

    func malformed(_ body: () async throws -> Void) async -> AWSError? {
        do {
            try await body()
            return nil
        } catch let error as AWSError {
            return error
        } catch {
            Issue.record("not an AWSError: \(error)")
            return nil
        }
    }

    static func xml(_ text: String, status: Int = 200, headers: [(String, String)] = []) -> HTTPResponse {
        HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) }, body: Data(text.utf8))
    }

    @Test("XML nested 50,000 deep is refused, not followed down the stack")
    func deepXML() async throws {
        let deep =
            "<DescribeAutoScalingGroupsResponse>" + String(repeating: "<a>", count: 50_000)
            + String(repeating: "</a>", count: 50_000) + "</DescribeAutoScalingGroupsResponse>"
        let aws = AutoScalingClient(client: try client(ScriptedTransport { _, _ in Self.xml(deep) }))
        let error = await malformed { _ = try await aws.describeAutoScalingGroups(names: ["shop"]) }
        #expect(error?.kind == .malformedResponse)
        #expect(error?.operation == "DescribeAutoScalingGroups")
        #expect(error?.message.contains("nested deeper than 64") == true, "\(String(describing: error))")
    }

    /// The inputs scripts/fuzz found that crashed FoundationXML, kept in fixtures/fuzz/xml/found-*.
    @Test(
        "what the fuzzer found: a name that is not UTF-8, a processing instruction without data",
        arguments: ["found-invalid-utf8-element-name", "found-processing-instruction-without-data"]
    )
    func fuzzFindings(_ name: String) async throws {
        let file = WireFixture.root.deletingLastPathComponent().appendingPathComponent("fuzz/xml/\(name)")
        let body = try Data(contentsOf: file).dropFirst()  // the first byte picks the status
        let aws = AutoScalingClient(
            client: try client(ScriptedTransport { _, _ in HTTPResponse(status: 200, body: body) })
        )
        let error = await malformed { _ = try await aws.describeAutoScalingGroups(names: ["shop"]) }
        #expect(error?.kind == .malformedResponse, "\(String(describing: error))")
        #expect(
            error?.message.contains("not UTF-8 text") == true
                || error?.message.contains("processing instruction") == true,
            "\(String(describing: error))"
        )
    }

    @Test("entities that expand a billion times are not expanded into memory")
    func entityExpansion() async throws {
        var doctype = "<!DOCTYPE r [<!ENTITY e0 \"lol\">"
        for n in 1...9 { doctype += "<!ENTITY e\(n) \"" + String(repeating: "&e\(n - 1);", count: 10) + "\">" }
        doctype += "]>"
        let body =
            doctype + "<DescribeLifecycleHooksResponse><DescribeLifecycleHooksResult><LifecycleHooks><member>"
            + "<LifecycleHookName>&e9;</LifecycleHookName><AutoScalingGroupName>a</AutoScalingGroupName>"
            + "</member></LifecycleHooks></DescribeLifecycleHooksResult></DescribeLifecycleHooksResponse>"
        let aws = AutoScalingClient(client: try client(ScriptedTransport { _, _ in Self.xml(body) }))
        do {
            let hooks = try await aws.describeLifecycleHooks(group: "shop")
            // Read without expansion: the name is not a gigabyte of "lol".
            #expect(hooks.allSatisfy { $0.name.utf8.count < 1 << 20 })
        } catch let error as AWSError {
            #expect(error.kind == .malformedResponse)
        }
    }

    @Test("a number field that holds a word is an error naming the operation and the field")
    func wrongType() async throws {
        let body =
            "<DescribeAutoScalingGroupsResponse><DescribeAutoScalingGroupsResult><AutoScalingGroups><member>"
            + "<AutoScalingGroupName>shop</AutoScalingGroupName><MinSize>lots</MinSize>"
            + "</member></AutoScalingGroups></DescribeAutoScalingGroupsResult></DescribeAutoScalingGroupsResponse>"
        let aws = AutoScalingClient(client: try client(ScriptedTransport { _, _ in Self.xml(body) }))
        let error = await malformed { _ = try await aws.describeAutoScalingGroups(names: ["shop"]) }
        #expect(
            error?.description
                == "autoscaling DescribeAutoScalingGroups failed: MalformedResponse: <member> <MinSize> 'lots' is not a "
                + "whole number"
        )
    }

    @Test("a timestamp no calendar has is an error, not a trap")
    func hugeTimestamp() async throws {
        let body =
            "<DescribeScalingActivitiesResponse><DescribeScalingActivitiesResult><Activities><member>"
            + "<ActivityId>a</ActivityId><AutoScalingGroupName>shop</AutoScalingGroupName>"
            + "<StartTime>1e300</StartTime></member></Activities></DescribeScalingActivitiesResult>"
            + "</DescribeScalingActivitiesResponse>"
        let aws = AutoScalingClient(client: try client(ScriptedTransport { _, _ in Self.xml(body) }))
        let error = await malformed { _ = try await aws.describeScalingActivities(group: "shop", limit: 5) }
        #expect(error?.message == "<member> <StartTime> '1e300' is not a timestamp")
    }

    @Test("a Date header with a huge year is ignored: the answer still counts, the skew does not move")
    func hugeDateHeader() async throws {
        let hooks =
            "<DescribeLifecycleHooksResponse><DescribeLifecycleHooksResult><LifecycleHooks/>"
            + "</DescribeLifecycleHooksResult></DescribeLifecycleHooksResponse>"
        let aws = try client(
            ScriptedTransport { _, _ in
                Self.xml(hooks, headers: [("Date", "Wed, 02 Dec 99999999999999 14:43:56 GMT")])
            }
        )
        #expect(try await AutoScalingClient(client: aws).describeLifecycleHooks(group: "shop").isEmpty)
        #expect(aws.skew.current == 0)
        for header in [
            "Wed, 02 Dec 99999999999999 14:43:56 GMT", "Wed, 99 Dec 2026 14:43:56 GMT", "Wed, 02 Dec 2026 99:43:56 GMT",
            "Wed, 02 Dec -5 14:43:56 GMT", "Wed, 02 Dec 2026 14::56 GMT",
        ] {
            #expect(AWSTimestamp.parseHTTPDate(header) == nil, "\(header)")
        }
        #expect(AWSTimestamp.parseHTTPDate("Wed, 02 Dec 2026 14:43:56 GMT") != nil)
    }

    @Test("an empty 200 to a JSON call is no answer, not 'nothing found'")
    func emptyJSON() async throws {
        let aws = CodeDeployClient(client: try client(ScriptedTransport { _, _ in HTTPResponse(status: 200) }))
        let error = await malformed { _ = try await aws.batchGetDeploymentGroups(application: "shop", names: ["prod"]) }
        #expect(error?.operation == "BatchGetDeploymentGroups")
        #expect(error?.message == "empty answer (HTTP 200 with no body)")
    }

    @Test("a NextToken that never repeats is followed 1000 pages, then the walk fails")
    func endlessPages() async throws {
        let transport = ScriptedTransport { n, _ in
            HTTPResponse(status: 200, body: Data(#"{"deploymentGroups":["g\#(n)"],"nextToken":"t\#(n)"}"#.utf8))
        }
        let aws = CodeDeployClient(client: try client(transport))
        let error = await malformed { _ = try await aws.listDeploymentGroups(application: "shop") }
        #expect(error?.message == "more than 1000 pages; the page walk stopped")
        #expect(transport.requests == 1000)
    }

    @Test("a NextToken seen before, or a run of empty pages, ends the walk as an error")
    func loopingPages() async throws {
        let looping = ScriptedTransport { n, _ in
            HTTPResponse(status: 200, body: Data(#"{"deploymentGroups":["g\#(n)"],"nextToken":"t\#(n % 3)"}"#.utf8))
        }
        let error = await malformed {
            _ = try await CodeDeployClient(client: try client(looping)).listDeploymentGroups(application: "shop")
        }
        #expect(error?.message == "NextToken repeated after 4 page(s); the page walk stopped")
        let empty = ScriptedTransport { n, _ in
            HTTPResponse(status: 200, body: Data(#"{"deploymentGroups":[],"nextToken":"t\#(n)"}"#.utf8))
        }
        let emptyError = await malformed {
            _ = try await CodeDeployClient(client: try client(empty)).listDeploymentGroups(application: "shop")
        }
        #expect(emptyError?.message == "20 pages in a row with nothing on them; the page walk stopped")
        #expect(empty.requests == 20)
    }

    @Test("an error message of 50 KB over many lines becomes one bounded line, code and request id kept")
    func longError() async throws {
        let lines = (0..<2000).map { "line \($0): unhappy\r\t" }
        let xml =
            "<ErrorResponse><Error><Code>ValidationError</Code><Message>\(lines.joined(separator: "\n"))</Message>"
            + "</Error><RequestId>req-123</RequestId></ErrorResponse>"
        let aws = AutoScalingClient(client: try client(ScriptedTransport { _, _ in Self.xml(xml, status: 400) }))
        let error = await malformed { _ = try await aws.describeLifecycleHooks(group: "shop") }
        let line = error?.description ?? ""
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\t"))
        #expect(line.count < 700)
        #expect(line.hasPrefix("autoscaling DescribeLifecycleHooks failed: ValidationError: line 0: unhappy line 1"))
        #expect(line.hasSuffix("(cut at 512 characters) (HTTP 400, request id req-123)"))

        // JSON can carry what XML cannot: an escape sequence that would recolour a terminal.
        let json = #"{"__type":"ValidationException","message":"red\u001b[31m\nforged line"}"#
        let codeDeploy = CodeDeployClient(
            client: try client(ScriptedTransport { _, _ in HTTPResponse(status: 400, body: Data(json.utf8)) })
        )
        let jsonError = await malformed { _ = try await codeDeploy.listApplications() }
        #expect(jsonError?.message == "red [31m forged line")
    }

    @Test("an error that echoes the request keeps neither the session token nor the signature")
    func echoedRequest() async throws {
        let echo = ScriptedTransport { _, request in
            let headers = request.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
            return Self.xml(
                "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>The Canonical String for this "
                    + "request should have been 'POST\n/\n\n\(headers)'</Message></Error></ErrorResponse>",
                status: 403
            )
        }
        let aws = AutoScalingClient(client: try client(echo))
        let error = await malformed { _ = try await aws.describeLifecycleHooks(group: "shop") }
        let text = error?.description ?? ""
        #expect(text.contains("SignatureDoesNotMatch"))
        #expect(text.contains("X-Amz-Security-Token: [redacted]"), "\(text)")
        #expect(!text.contains("TOKEN-of-the-hostile-tests"))
        #expect(!text.contains("SECRET-of-the-hostile-tests"))
        #expect(text.range(of: #"Signature=[0-9a-f]{64}"#, options: .regularExpression) == nil, "\(text)")
    }

    @Test("a call's deadline ends its retries: no attempt starts after it")
    func deadline() async throws {
        let transport = ScriptedTransport { _, _ in HTTPResponse(status: 503, body: Data("busy".utf8)) }
        let aws = try AWSClient(
            region: "us-east-1",
            endpoints: EndpointResolver(region: "us-east-1", environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "S",
            ]),
            // Each back-off is a real second: the 100 ms deadline comes first.
            retry: RetryStrategy(maxAttempts: 10, sleep: { try await Task.sleep(for: $0) }, random: { 1 }),
            callDeadline: .milliseconds(100)
        )
        let error = await malformed {
            _ = try await AutoScalingClient(client: aws).describeLifecycleHooks(group: "shop")
        }
        #expect(error?.httpStatus == 503)
        #expect(transport.requests == 1)
    }

    @Test("an endpoint URL with a user and password is refused, and the password is never printed")
    func userInfo() {
        let resolver = EndpointResolver(
            region: "us-east-1",
            endpointURL: "https://admin:hunter2@proxy.example.com",
            environment: [:]
        )
        #expect(throws: AWSError.self) { try resolver.endpoint(for: .autoScaling) }
        do {
            _ = try resolver.endpoint(for: .autoScaling)
        } catch {
            #expect("\(error)".contains("carries a user or password"))
            #expect(!"\(error)".contains("hunter2"))
        }
    }
}
