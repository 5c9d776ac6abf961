/// A CodeDeploy revision, kept whole so that it can be deployed again exactly as it was.
public struct Revision: Sendable, Hashable, Codable {
    public struct S3: Sendable, Hashable, Codable {
        public var bucket: String?
        public var key: String?
        public var bundleType: String?
        public var version: String?
        public var eTag: String?
        public init(bucket: String?, key: String?, bundleType: String?, version: String? = nil, eTag: String? = nil) {
            self.bucket = bucket
            self.key = key
            self.bundleType = bundleType
            self.version = version
            self.eTag = eTag
        }
    }

    public struct GitHub: Sendable, Hashable, Codable {
        public var repository: String?
        public var commitId: String?
        public init(repository: String?, commitId: String?) {
            self.repository = repository
            self.commitId = commitId
        }
    }

    /// `S3`, `GitHub`, `String`, `AppSpecContent`
    public var revisionType: String?
    public var s3Location: S3?
    public var gitHubLocation: GitHub?
    public var contentSHA256: String?

    public init(
        revisionType: String?,
        s3Location: S3? = nil,
        gitHubLocation: GitHub? = nil,
        contentSHA256: String? = nil
    ) {
        self.revisionType = revisionType
        self.s3Location = s3Location
        self.gitHubLocation = gitHubLocation
        self.contentSHA256 = contentSHA256
    }

    /// `s3://bucket/key@version (zip)`, `github owner/repo@abc1234`: how a person recognises it.
    public var summary: String {
        if let s3 = s3Location {
            return "s3://\(s3.bucket ?? "?")/\(s3.key ?? "?")" + (s3.version.map { "@\($0)" } ?? "")
                + (s3.bundleType.map { " (\($0))" } ?? "")
        }
        if let gh = gitHubLocation {
            return "github \(gh.repository ?? "?")@\(gh.commitId.map { String($0.prefix(7)) } ?? "?")"
        }
        return "\(revisionType ?? "revision")" + (contentSHA256.map { " sha256:\($0.prefix(12))" } ?? "")
    }
}
