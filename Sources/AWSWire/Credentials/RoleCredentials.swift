import Foundation

/// Makes the STS client an assume-role profile calls, signed with its source's credentials.
public typealias STSFactory = @Sendable (any CredentialProvider) throws -> STSClient

/// A profile with `role_arn` and `source_profile` or `credential_source`: STS `AssumeRole`, signed
/// with the source's credentials through the same signer and retries as every other call. The
/// source's own credentials are cached (and refreshed) by its client; these are refreshed by the
/// caller's `RefreshingCredentials` before they expire.
struct AssumeRoleCredentials: CredentialProvider {
    let profile: String
    let roleARN: String
    let sessionName: String
    let externalID: String?
    let durationSeconds: Int?
    let sts: Result<STSClient, any Error>

    func credentials() async throws -> AWSCredentials? {
        let client: STSClient
        do { client = try sts.get() } catch {
            throw credentialsError("assume role", "profile \(profile): \(error)")
        }
        do {
            var found = try await client.assumeRole(
                roleARN: roleARN,
                sessionName: sessionName,
                externalID: externalID,
                durationSeconds: durationSeconds
            )
            found.source = "profile \(profile) (role \(roleARN))"
            return found
        } catch let error as AWSError where error.kind == .credentials {
            throw error  // the source's own failure already names its profile
        } catch let error as AWSError {
            throw credentialsError(
                "assume role",
                "profile \(profile): STS AssumeRole on \(roleARN) failed: \(error.code): \(error.message)"
            )
        }
    }
}

/// Always fails with one line: a profile whose configuration cannot work.
struct MisconfiguredProfile: CredentialProvider {
    let message: String
    func credentials() async throws -> AWSCredentials? { throw credentialsError("profile", message) }
}
