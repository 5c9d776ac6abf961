import Foundation
import Testing

@testable import AWSWire

/// Every recorded exchange in fixtures/wire: lifeline's request carries what botocore's serializer
/// sends for the same input, and lifeline reads from the answer what botocore's parser reads.
@Suite("wire fixtures")
struct WireFixtureTests {
    @Test("the fixture set covers every operation of the four clients")
    func coverage() {
        let covered = Set(WireFixture.all(errors: false).map(\.operation))
        let expected: Set<String> = [
            "DescribeAutoScalingGroups", "DescribeAutoScalingInstances", "DescribeLifecycleHooks", "PutLifecycleHook",
            "DeleteLifecycleHook", "CompleteLifecycleAction", "RecordLifecycleActionHeartbeat",
            "DescribeScalingActivities",
            "DescribeInstances", "ListApplications", "ListDeploymentGroups", "GetDeploymentGroup",
            "BatchGetDeploymentGroups",
            "CreateDeployment", "GetDeployment", "BatchGetDeployments", "ListDeployments", "ListDeploymentTargets",
            "BatchGetDeploymentTargets", "StopDeployment", "ReceiveMessage", "DeleteMessage", "DeleteMessageBatch",
            "ChangeMessageVisibility", "GetQueueAttributes",
        ]
        #expect(covered == expected)
        #expect(WireFixture.all(errors: true).count >= 8)
    }

    @Test(
        "requests match botocore's and answers read as botocore reads them",
        arguments: WireFixture.all(errors: false)
    )
    func decodes(fixture: WireFixture) async throws {
        let transport = FixtureTransport([fixture.response, Self.lastPage(fixture)])
        let client = try fixtureClient(transport)
        let ours = try await Self.exercise(fixture, client: client)
        expectSubset(ours, of: fixture.parsed, path: fixture.path)
        let first = try #require(transport.requests.first)
        expectRequest(first, matches: fixture)
        if let token = (fixture.parsed["NextToken"] ?? fixture.parsed["nextToken"]) as? String {
            #expect(transport.requests.count == 2, "a NextToken must be followed")
            #expect(
                String(decoding: transport.requests[1].body, as: UTF8.self).contains(
                    token.replacingOccurrences(of: "=", with: "%3D")
                )
            )
        } else {
            #expect(transport.requests.count == 1)
        }
    }

    @Test("error envelopes give the code, message, status and request id", arguments: WireFixture.all(errors: true))
    func decodesErrors(fixture: WireFixture) async throws {
        // The client's clock agrees with the answer's Date, so a skew error is reported, not corrected.
        let client = try fixtureClient(
            FixtureTransport([fixture.response]),
            now: fixture.response.header("date").flatMap(AWSTimestamp.parseHTTPDate)
        )
        let service = AWSService.all.first { $0.name == fixture.service }!
        let error = await #expect(throws: AWSError.self) {
            _ = try await client.send(service, operation: fixture.operation, body: Data(), headers: [])
        }
        let expected = (fixture.json["expect"] as? [String: Any]) ?? (fixture.parsed["Error"] as! [String: Any])
        #expect(error?.code == expected["Code"] as? String)
        #expect(error?.message == (expected["Message"] as? String ?? ""))
        #expect(error?.httpStatus == fixture.response.status)
        #expect(error?.kind == .service)
        #expect(error?.requestID?.isEmpty == false)
        #expect(error?.description.contains(fixture.operation) == true)
        switch fixture.path {
        case "autoscaling/errors/no-active-lifecycle-action.json":
            #expect(error?.isNoActiveLifecycleAction == true)
            #expect(error?.isRetryable == false)
        case "autoscaling/errors/throttling.json", "ec2/errors/request-limit-exceeded.json",
            "codedeploy/errors/throttling-header-only.json":
            #expect(error?.isThrottling == true)
            #expect(error?.isRetryable == true)
        case "autoscaling/errors/resource-contention.json":
            #expect(error?.isRetryable == true)
        case "ec2/errors/request-expired.json":
            #expect(error?.isClockSkew == true)
            #expect(error?.serverDate == Date(timeIntervalSince1970: 1_795_291_200))
        default:
            #expect(error?.isRetryable == false)
        }
    }

    /// The answer a second page gets: empty, with no further token.
    static func lastPage(_ fixture: WireFixture) -> HTTPResponse {
        switch fixture.service {
        case "autoscaling":
            return HTTPResponse(
                status: 200,
                body: Data(
                    "<\(fixture.operation)Response><\(fixture.operation)Result/></\(fixture.operation)Response>".utf8
                )
            )
        case "ec2":
            return HTTPResponse(
                status: 200,
                body: Data("<\(fixture.operation)Response><reservationSet/></\(fixture.operation)Response>".utf8)
            )
        default:
            return HTTPResponse(status: 200, body: Data("{}".utf8))
        }
    }
}

/// Every botocore parameter is in lifeline's request with the same value; lifeline adds only page sizes.
func expectRequest(_ request: HTTPRequest, matches fixture: WireFixture) {
    let expected = fixture.expectedRequest
    let body = String(decoding: request.body, as: UTF8.self)
    let expectedBody = expected["body"] as! String
    let headers = expected["headers"] as! [String: String]
    if let target = headers["X-Amz-Target"] {
        #expect(request.headers.contains { $0.name == "X-Amz-Target" && $0.value == target }, "\(fixture.path)")
        let ours = (try? JSONSerialization.jsonObject(with: request.body)) as? [String: Any] ?? [:]
        let theirs = (try? JSONSerialization.jsonObject(with: Data(expectedBody.utf8))) as? [String: Any] ?? [:]
        expectSubset(theirs, of: ours, path: fixture.path + " request")
    } else {
        func pairs(_ s: String) -> Set<String> { Set(s.split(separator: "&").map(String.init)) }
        let ours = pairs(body)
        let theirs = pairs(expectedBody)
        #expect(theirs.subtracting(ours).isEmpty, "\(fixture.path): missing \(theirs.subtracting(ours).sorted())")
        let extra = ours.subtracting(theirs).filter { !$0.hasPrefix("MaxRecords=") && !$0.hasPrefix("MaxResults=") }
        #expect(extra.isEmpty, "\(fixture.path): unexpected \(extra.sorted())")
    }
}

/// `ours` holds nothing that `theirs` does not hold with the same value.
func expectSubset(_ ours: Any, of theirs: Any?, path: String) {
    switch ours {
    case let dict as [String: Any]:
        guard let other = theirs as? [String: Any] else {
            Issue.record("\(path): expected an object")
            return
        }
        for (key, value) in dict { expectSubset(value, of: other[key], path: path + "." + key) }
    case let array as [Any] where path.hasSuffix(".Tags"):
        // Tags are a set: AWS keeps no order lifeline relies on.
        func sorted(_ a: [Any]) -> [Any] {
            a.sorted { "\(($0 as? [String: Any])?["Key"] ?? "")" < "\(($1 as? [String: Any])?["Key"] ?? "")" }
        }
        expectSubset(sorted(array), of: (theirs as? [Any]).map(sorted), path: path + "(sorted)")
    case let array as [Any]:
        guard let other = theirs as? [Any], other.count == array.count else {
            Issue.record("\(path): expected an array of \(array.count), got \(String(describing: theirs))")
            return
        }
        for (i, value) in array.enumerated() { expectSubset(value, of: other[i], path: path + "[\(i)]") }
    case let number as NSNumber where !(ours is String):
        let other = (theirs as? NSNumber)?.doubleValue
        #expect(
            other.map { abs($0 - number.doubleValue) < 0.001 } == true,
            "\(path): \(number) vs \(String(describing: theirs))"
        )
    default:
        #expect("\(ours)" == (theirs.map { "\($0)" } ?? "<absent>"), "\(path)")
    }
}
