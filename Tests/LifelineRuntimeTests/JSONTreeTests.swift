import AWSWire
import Foundation
import JSONCoding
import LifelineCore
import Testing

/// The records lifeline writes as JSON by hand (`JSONWritable`) against what
/// their `Encodable` forms write through Foundation's `JSONEncoder` (the same bytes JSONCoding's
/// generic path writes, `JSONCodingTests`): byte for byte, for values with every optional absent,
/// every one present, each alone, and text that needs escaping.
@Suite("JSON written by hand is what Encodable writes")
struct JSONTreeTests {
    struct Wrapped<T: Encodable>: Encodable {
        var inner: T
        var list: [T]
    }

    static func same<T: Encodable>(_ value: T) throws {
        for format in [JSONValueEncoder.Format.sortedKeys, [.sortedKeys, .prettyPrinted]] {
            let foundation = JSONEncoder()
            foundation.outputFormatting =
                format.contains(.prettyPrinted) ? [.sortedKeys, .prettyPrinted] : [.sortedKeys]
            let expected = String(decoding: try foundation.encode(value), as: UTF8.self)
            let written = try JSONValueEncoder(format: format).string(value)
            #expect(written == expected)
            // Nested in a struct that is only Encodable, its own writing is taken there too.
            let nested = Wrapped(inner: value, list: [value, value])
            #expect(
                try JSONValueEncoder(format: format).string(nested)
                    == String(decoding: try foundation.encode(nested), as: UTF8.self)
            )
        }
    }

    /// The text values take: plain, and with what JSON escapes.
    static let texts: [String?] = [nil, "x", "a/b \"q\" \\ é \u{1}\n\u{2028}"]

    @Test("revisions, S3 and GitHub locations")
    func revisions() throws {
        for text in Self.texts {
            let s3 = Revision.S3(bucket: text, key: "k", bundleType: text, version: text, eTag: text)
            let github = Revision.GitHub(repository: text, commitId: "c")
            try Self.same(Revision(revisionType: text))
            try Self.same(Revision(revisionType: "S3", s3Location: s3, gitHubLocation: github, contentSHA256: text))
            try Self.same(
                RevisionLocation(
                    revisionType: text,
                    s3Location: S3Location(bucket: text, key: "k", bundleType: "zip", version: text, eTag: text),
                    gitHubLocation: GitHubLocation(repository: "r", commitId: text)
                )
            )
        }
        var withContent = RevisionLocation(revisionType: "String")
        // RawContent has no public init: it is only ever read from an answer.
        withContent.string = try JSONDecoder().decode(
            RawContent.self,
            from: Data(#"{"content": "{\"a\": 1}", "sha256": "s"}"#.utf8)
        )
        withContent.appSpecContent = try JSONDecoder().decode(RawContent.self, from: Data(#"{"sha256": "t"}"#.utf8))
        try Self.same(withContent)
    }

    @Test("observed hooks, follow-on deployments, deployment group names")
    func records() throws {
        for text in Self.texts {
            try Self.same(ObservedHook(name: "h", heartbeatTimeout: 30))
            try Self.same(
                ObservedHook(
                    name: text ?? "n",
                    transition: "autoscaling:EC2_INSTANCE_TERMINATING",
                    heartbeatTimeout: -7,
                    defaultResult: "CONTINUE",
                    notificationTargetARN: text,
                    roleARN: text,
                    metadata: text
                )
            )
            var deployment = FollowOnDeployment(
                deploymentGroup: DeploymentGroupName(application: text ?? "a", name: "g/h"),
                planID: "p",
                revision: Revision(revisionType: text, contentSHA256: text),
                instances: text.map { [$0, "i-2"] } ?? []
            )
            try Self.same(deployment)
            deployment.fence = 9_007_199_254_740_993
            try Self.same(deployment)
        }
    }

    @Test("CreateDeployment's input, with its targets and tag sets")
    func createDeployment() throws {
        for text in Self.texts {
            var input = CreateDeploymentInput(
                applicationName: text ?? "shop",
                deploymentGroupName: text,
                revision: RevisionLocation(revisionType: text),
                description: text,
                updateOutdatedInstancesOnly: text.map { !$0.isEmpty },
                deploymentConfigName: text
            )
            try Self.same(input)
            let filter = EC2TagFilter(key: text, value: "v", type: text)
            // TargetInstances has no public init either.
            var targets = try JSONDecoder().decode(TargetInstances.self, from: Data("{}".utf8))
            targets.tagFilters = [filter]
            targets.autoScalingGroups = text.map { [$0] }
            targets.ec2TagSet = EC2TagSet(ec2TagSetList: [[filter], []])
            input.targetInstances = targets
            input.fileExistsBehavior = text
            try Self.same(input)
            try Self.same(EC2TagSet(ec2TagSetList: nil))
        }
    }
}
