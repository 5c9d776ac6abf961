import AWSWire
import Foundation
import LifelineCore

/// The four narrow AWS seams the reconciler uses.
public struct AWSServices: Sendable {
    public var autoScaling: any AutoScalingAPI
    public var ec2: any EC2API
    public var codeDeploy: any CodeDeployAPI
    public var sqs: any SQSAPI

    public init(autoScaling: any AutoScalingAPI, ec2: any EC2API, codeDeploy: any CodeDeployAPI, sqs: any SQSAPI) {
        self.autoScaling = autoScaling
        self.ec2 = ec2
        self.codeDeploy = codeDeploy
        self.sqs = sqs
    }

    public init(client: AWSClient) {
        self.init(
            autoScaling: AutoScalingClient(client: client),
            ec2: EC2Client(client: client),
            codeDeploy: CodeDeployClient(client: client),
            sqs: SQSClient(client: client)
        )
    }
}

extension Revision {
    init(_ location: RevisionLocation) {
        self.init(
            revisionType: location.revisionType,
            s3Location: location.s3Location.map {
                .init(bucket: $0.bucket, key: $0.key, bundleType: $0.bundleType, version: $0.version, eTag: $0.eTag)
            },
            gitHubLocation: location.gitHubLocation.map { .init(repository: $0.repository, commitId: $0.commitId) },
            contentSHA256: location.appSpecContent?.sha256 ?? location.string?.sha256
        )
    }

    /// The revision as CodeDeploy takes it back; nil for inline content lifeline does not keep.
    var location: RevisionLocation? {
        if let s3 = s3Location {
            return RevisionLocation(
                revisionType: "S3",
                s3Location: S3Location(
                    bucket: s3.bucket,
                    key: s3.key,
                    bundleType: s3.bundleType,
                    version: s3.version,
                    eTag: s3.eTag
                )
            )
        }
        if let gh = gitHubLocation {
            var location = RevisionLocation(revisionType: "GitHub")
            location.gitHubLocation = GitHubLocation(repository: gh.repository, commitId: gh.commitId)
            return location
        }
        return nil
    }
}

extension TagFilter {
    init(_ filter: EC2TagFilter) {
        self.init(key: filter.key, value: filter.value, kind: filter.type.flatMap(Kind.init(rawValue:)) ?? .keyAndValue)
    }
}
