import Foundation
import SigV4

/// Who the credentials are: STS `GetCallerIdentity`.
public struct CallerIdentity: Sendable, Equatable {
    public var account: String
    public var arn: String
    public var userID: String
}

/// STS over the Query protocol (2011-06-15), signed and retried like every other call.
/// https://docs.aws.amazon.com/STS/latest/APIReference/
public struct STSClient: Sendable {
    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    public func getCallerIdentity() async throws -> CallerIdentity {
        let result = try await client.query(.sts, QueryParameters(action: "GetCallerIdentity", version: "2011-06-15"))
        guard let arn = result.string("Arn"), let account = result.string("Account") else {
            throw AWSError.malformed(
                service: "sts",
                operation: "GetCallerIdentity",
                "the answer has no Arn or Account"
            )
        }
        return CallerIdentity(account: account, arn: arn, userID: result.string("UserId") ?? "")
    }

    /// `AssumeRole`: temporary credentials for `roleARN`, with their expiry.
    public func assumeRole(
        roleARN: String,
        sessionName: String,
        externalID: String?,
        durationSeconds: Int?
    ) async throws -> AWSCredentials {
        var p = QueryParameters(action: "AssumeRole", version: "2011-06-15")
        p.set("RoleArn", roleARN)
        p.set("RoleSessionName", sessionName)
        p.set("ExternalId", externalID)
        p.set("DurationSeconds", durationSeconds)
        let result = try await client.query(.sts, p)
        guard let found = Self.temporaryCredentials(result.child("Credentials"), source: "role \(roleARN)") else {
            throw AWSError.malformed(service: "sts", operation: "AssumeRole", "the answer has no readable Credentials")
        }
        return found
    }

    /// An STS `<Credentials>` element (AssumeRole, AssumeRoleWithWebIdentity); nil if unreadable.
    static func temporaryCredentials(_ c: XMLNode?, source: String) -> AWSCredentials? {
        guard let c, let id = c.string("AccessKeyId"), let secret = c.string("SecretAccessKey"),
            let expiration = try? c.date("Expiration")
        else { return nil }
        return AWSCredentials(
            signing: SigningCredentials(
                accessKeyID: id,
                secretAccessKey: secret,
                sessionToken: c.string("SessionToken")
            ),
            expiration: expiration,
            source: source
        )
    }
}
