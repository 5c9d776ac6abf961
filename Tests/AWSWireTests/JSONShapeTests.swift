import Foundation
import JSONCoding
import Testing

@testable import AWSWire

/// The CodeDeploy answers read by hand (`JSONShape`) against the same answers read through
/// `Decodable` (what lifeline read them with before): the same values from every recorded answer
/// and from a rich one, and the same verdict, in the same words, on every way of breaking them
/// that the variants below make (each member removed, duplicated, or replaced by each kind of
/// value, at every depth).
@Suite("CodeDeploy answers read by hand read as Decodable read them")
struct JSONShapeTests {
    struct DeploymentsOracle: Decodable, Equatable { var deploymentsInfo: [DeploymentInfo]? }
    struct GroupsOracle: Decodable, Equatable {
        var deploymentGroupsInfo: [DeploymentGroupInfo]
        var errorMessage: String?
    }
    struct CreatedOracle: Decodable, Equatable { var deploymentId: String }

    static func recorded(_ operation: String) throws -> JSONValue {
        let file = WireFixture.root.appendingPathComponent("codedeploy/\(operation).json")
        let fixture = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        let body = (fixture["response"] as! [String: Any])["body"] as! String
        return try JSONReader.parse(Data(body.utf8))
    }

    /// Every member each shape reads, filled.
    static let richDeployment = """
        {"deploymentsInfo": [{"applicationName": "shop", "deploymentGroupName": "prod",
        "deploymentConfigName": "C", "deploymentId": "d-1", "status": "InProgress",
        "revision": {"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k", "bundleType": "zip",
        "version": "v", "eTag": "e"}, "gitHubLocation": {"repository": "r", "commitId": "c"},
        "string": {"content": "x", "sha256": "s"}, "appSpecContent": {"content": "y", "sha256": "t"}},
        "errorInformation": {"code": "C", "message": "M"}, "createTime": 1762200000.5,
        "startTime": "2026-01-02T03:04:05Z", "completeTime": 1e9,
        "deploymentOverview": {"Pending": 1, "InProgress": 2.0, "Succeeded": 3, "Failed": 4, "Skipped": 5, "Ready": 6},
        "description": "d", "creator": "user", "updateOutdatedInstancesOnly": false,
        "targetInstances": {"tagFilters": [{"Key": "k", "Value": "v", "Type": "KEY_AND_VALUE"}],
        "autoScalingGroups": ["a", "b"], "ec2TagSet": {"ec2TagSetList": [[{"Key": "k"}], []]}}}]}
        """

    static let richGroup = """
        {"deploymentGroupsInfo": [{"applicationName": "shop", "deploymentGroupId": "i", "deploymentGroupName": "prod",
        "deploymentConfigName": "C", "ec2TagFilters": [{"Key": "k", "Value": "v", "Type": "KEY_ONLY"}],
        "ec2TagSet": {"ec2TagSetList": [[{"Key": "a", "Value": "b"}]]},
        "autoScalingGroups": [{"name": "n", "hook": "h", "terminationHook": "t"}], "serviceRoleArn": "arn",
        "targetRevision": {"revisionType": "S3", "s3Location": {"bucket": "b", "key": "k"}},
        "lastSuccessfulDeployment": {"deploymentId": "d-1", "status": "Succeeded", "endTime": 1762200000,
        "createTime": "2026-01-02T03:04:05.250Z"}, "lastAttemptedDeployment": {"deploymentId": "d-2"},
        "outdatedInstancesStrategy": "UPDATE", "computePlatform": "Server"}], "errorMessage": "m"}
        """

    /// The document itself, then each way of breaking it.
    static func variants(_ value: JSONValue) -> [JSONValue] {
        let replacements: [JSONValue] = [
            .null, .string("x"), .string("2026-01-02T03:04:05Z"), .number("1.5"), .number("7"), .number("1e400"),
            .bool(true), .array([]), .array([.null]), .object([]),
        ]
        var out = replacements
        switch value {
        case .object(let members):
            for i in members.indices {
                var removed = members
                removed.remove(at: i)
                out.append(.object(removed))
                out.append(.object(members + [JSONMember(members[i].key, .bool(false))]))
                out.append(.object([JSONMember(members[i].key, .null)] + members))
                for variant in variants(members[i].value) {
                    var changed = members
                    changed[i].value = variant
                    out.append(.object(changed))
                }
            }
        case .array(let items):
            for i in items.indices {
                for variant in variants(items[i]) {
                    var changed = items
                    changed[i] = variant
                    out.append(.array(changed))
                }
            }
        default: break
        }
        return out
    }

    /// What each reader makes of `data`: its value, or its words for the refusal.
    static func outcome<T: Equatable>(_ read: () throws -> T) -> String {
        do {
            return "read \(try read())"
        } catch {
            return "refused: \(AWSClient.describe(error))"
        }
    }

    static func compare<Shape: JSONShape, Oracle: Decodable & Equatable>(
        _ documents: [JSONValue],
        _ shape: Shape.Type,
        _ oracle: Oracle.Type,
        same: (Shape, Oracle) -> Bool
    ) throws -> (compared: Int, refused: Int) {
        var refused = 0
        for document in [documents[0]] + documents.flatMap(variants) {
            let data = Data(JSONValueEncoder().string(document).utf8)
            var byHand: Shape?
            var handError: String?
            do { byHand = try JSONFields.decode(Shape.self, from: try JSONIndex.parse(data)) } catch {
                handError = AWSClient.describe(error)
            }
            var byOracle: Oracle?
            var oracleError: String?
            do { byOracle = try AWSTimestamp.jsonDecoder.decode(Oracle.self, from: data) } catch {
                oracleError = AWSClient.describe(error)
            }
            if let byHand, let byOracle {
                #expect(same(byHand, byOracle), "\(String(decoding: data, as: UTF8.self)) reads differently")
            } else {
                #expect(handError == oracleError, "\(String(decoding: data, as: UTF8.self))")
                refused += 1
            }
        }
        return (documents.flatMap(variants).count + 1, refused)
    }

    @Test("BatchGetDeployments: the same deployments, the same refusals")
    func deployments() throws {
        let documents = [
            try Self.recorded("BatchGetDeployments"), try JSONReader.parse(Data(Self.richDeployment.utf8)),
        ]
        let (compared, refused) = try Self.compare(documents, DeploymentsPage.self, DeploymentsOracle.self) {
            $0.deploymentsInfo == $1.deploymentsInfo
        }
        #expect(compared > 1_000 && refused > 300, "\(compared) documents, \(refused) refused")
    }

    @Test("BatchGetDeploymentGroups: the same groups, the same refusals")
    func groups() throws {
        let documents = [
            try Self.recorded("BatchGetDeploymentGroups"), try JSONReader.parse(Data(Self.richGroup.utf8)),
        ]
        let (compared, refused) = try Self.compare(documents, DeploymentGroupsPage.self, GroupsOracle.self) {
            $0.deploymentGroupsInfo == $1.deploymentGroupsInfo && $0.errorMessage == $1.errorMessage
        }
        #expect(compared > 1_000 && refused > 300, "\(compared) documents, \(refused) refused")
    }

    @Test("CreateDeployment: the same id, the same refusals")
    func created() throws {
        let (compared, refused) = try Self.compare(
            [try Self.recorded("CreateDeployment")],
            CreatedDeployment.self,
            CreatedOracle.self
        ) { $0.deploymentId == $1.deploymentId }
        #expect(compared > 10 && refused > 5, "\(compared) documents, \(refused) refused")
    }

    @Test("a refusal names the member and its place")
    func words() throws {
        let data = Data(#"{"deploymentsInfo": [{"deploymentId": "d-1"}, {"createTime": true}]}"#.utf8)
        #expect(throws: JSONShapeError.self) {
            try JSONFields.decode(DeploymentsPage.self, from: try JSONIndex.parse(data))
        }
        do {
            _ = try JSONFields.decode(DeploymentsPage.self, from: try JSONIndex.parse(data))
        } catch {
            #expect(AWSClient.describe(error) == "bad value at deploymentsInfo.Index 1.createTime")
        }
    }
}
