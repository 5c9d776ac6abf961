import Foundation
import SigV4

/// The profile's `credential_process`: a command that prints credentials as JSON, in the AWS CLI's
/// format (`Version` 1, `AccessKeyId`, `SecretAccessKey`, optional `SessionToken` and `Expiration`).
/// Run through `/bin/sh -c`, as the CLI splits it; refreshed before `Expiration` like any
/// temporary credentials.
public struct ProcessCredentials: CredentialProvider {
    let command: String?
    let profile: String
    let environment: [String: String]
    /// The command's output is read up to this many bytes.
    static let maxOutput = 1 << 20
    static let timeout: TimeInterval = 60

    public init(files: SharedConfigFiles, environment: [String: String]) {
        command = files["credential_process"]
        profile = files.profileName
        self.environment = environment
    }

    public func credentials() async throws -> AWSCredentials? {
        guard let command, !command.isEmpty else { return nil }
        let (status, output, errorText) = try await Self.run(command, environment: environment, profile: profile)
        guard status == 0 else {
            let said = errorText.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            throw failure("exited \(status)\(said)")
        }
        struct Output: Decodable {
            var Version: Int?
            var AccessKeyId: String?
            var SecretAccessKey: String?
            var SessionToken: String?
            var Expiration: String?
        }
        guard let parsed = try? JSONDecoder().decode(Output.self, from: output) else {
            throw failure("printed something that is not the JSON the AWS CLI expects (Version, AccessKeyId, …)")
        }
        SecretScrubber.register(parsed.SecretAccessKey)
        SecretScrubber.register(parsed.SessionToken)
        guard parsed.Version == 1 else {
            throw failure("printed Version \(parsed.Version.map(String.init) ?? "none"); only Version 1 is defined")
        }
        guard let id = parsed.AccessKeyId, !id.isEmpty, let secret = parsed.SecretAccessKey, !secret.isEmpty else {
            throw failure("printed no AccessKeyId or no SecretAccessKey")
        }
        var expiration: Date?
        if let text = parsed.Expiration {
            guard let date = try? Date(text, strategy: .iso8601) else {
                throw failure("printed an Expiration that is not an ISO 8601 time: \(text.prefix(40))")
            }
            expiration = date
        }
        return AWSCredentials(
            signing: SigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: parsed.SessionToken),
            expiration: expiration,
            source: "credential_process of profile \(profile)"
        )
    }

    private func failure(_ what: String) -> AWSError {
        credentialsError(
            "credential_process",
            "the credential_process of profile \(profile) \(what): run it by hand to see why"
        )
    }

    /// Runs the command on a thread of its own (it blocks), with a bounded output and time.
    static func run(
        _ command: String,
        environment: [String: String],
        profile: String
    ) async throws -> (Int32, Data, String) {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/bin/sh")
                process.arguments = ["-c", command]
                process.environment = environment
                let out = Pipe()
                let err = Pipe()
                process.standardOutput = out
                process.standardError = err
                process.standardInput = FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(
                        throwing: credentialsError(
                            "credential_process",
                            "the credential_process of profile \(profile) cannot be started: \(error)"
                        )
                    )
                    return
                }
                let timer = DispatchWorkItem { if process.isRunning { process.terminate() } }
                DispatchQueue.global().asyncAfter(deadline: .now() + timeout, execute: timer)
                let output = (try? out.fileHandleForReading.read(upToCount: maxOutput)) ?? nil
                let errors = (try? err.fileHandleForReading.read(upToCount: 4096)) ?? nil
                process.waitUntilExit()
                timer.cancel()
                continuation.resume(
                    returning: (
                        process.terminationStatus, output ?? Data(),
                        String(decoding: errors ?? Data(), as: UTF8.self)
                    )
                )
            }
        }
    }
}

/// The end of the chain when a profile was asked for by name: nothing before resolved it, so say
/// what is missing instead of trying the container's or the instance's role.
struct UnresolvedProfile: CredentialProvider {
    let files: SharedConfigFiles

    func credentials() async throws -> AWSCredentials? {
        let name = files.profileName
        guard files.profileFound else {
            throw credentialsError(
                "profile",
                "profile \(name) is in neither \(files.credentialsPath) nor \(files.configPath): check the name "
                    + "given by --profile or AWS_PROFILE"
            )
        }
        throw credentialsError(
            "profile",
            "profile \(name) has no credentials: give it aws_access_key_id and aws_secret_access_key, a "
                + "credential_process, SSO, or role_arn with source_profile, credential_source or "
                + "web_identity_token_file"
        )
    }
}
