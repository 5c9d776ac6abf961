import Foundation
import SigV4

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`.
public struct EnvironmentCredentials: CredentialProvider {
    let environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    public func credentials() async throws -> AWSCredentials? {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty else { return nil }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw credentialsError(
                "environment",
                "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not: set both or neither"
            )
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(
            signing: SigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token),
            source: "environment"
        )
    }
}

/// Static keys of the profile: the credentials file first, then the config file.
public struct ProfileCredentials: CredentialProvider {
    let files: SharedConfigFiles

    public init(files: SharedConfigFiles) { self.files = files }

    public func credentials() async throws -> AWSCredentials? {
        for section in [files.credentialsSection, files.configSection] {
            guard let id = section["aws_access_key_id"], !id.isEmpty else { continue }
            guard let secret = section["aws_secret_access_key"], !secret.isEmpty else {
                throw credentialsError(
                    "profile",
                    "profile \(files.profileName) has aws_access_key_id but no aws_secret_access_key"
                )
            }
            return AWSCredentials(
                signing: SigningCredentials(
                    accessKeyID: id,
                    secretAccessKey: secret,
                    sessionToken: section["aws_session_token"]
                ),
                source: "profile \(files.profileName)"
            )
        }
        return nil
    }
}
