import Foundation

/// How the AWS CLI resolves a named profile (botocore's provider order): an assumed role, a web
/// identity, SSO, static keys, a credential process.
struct ProfileResolver {
    let environment: [String: String]
    let endpoints: EndpointResolver
    let transport: any HTTPTransport
    let sts: STSFactory?
    let now: @Sendable () -> Date

    /// A source profile may name another; a longer chain than this is a mistake, not a design.
    static let maxChain = 8

    /// The providers of the profile in `files`, in the CLI's order.
    func providers(_ files: SharedConfigFiles, chain: [String] = []) -> [any CredentialProvider] {
        if let role = assumeRole(files, chain: chain) { return [role] }
        // The environment's web identity is for the profile asked for, not for its sources.
        var found: [any CredentialProvider] = [
            WebIdentityCredentials(
                environment: chain.isEmpty ? environment : [:],
                files: files,
                stsEndpoint: (try? endpoints.endpoint(for: .sts)) ?? URL(string: "https://sts.amazonaws.com")!,
                transport: transport
            )
        ]
        if let sso = SSOCredentials(files: files, environment: environment, transport: transport, now: now) {
            found.append(sso)
        }
        found += [ProfileCredentials(files: files), ProcessCredentials(files: files, environment: environment)]
        return found
    }

    /// The profile's role, if it names one with a source; nil otherwise (a `role_arn` with a web
    /// identity token file is the web identity provider's).
    private func assumeRole(_ files: SharedConfigFiles, chain: [String]) -> (any CredentialProvider)? {
        let name = files.profileName
        guard let roleARN = files["role_arn"], !roleARN.isEmpty else { return nil }
        let sourceProfile = files["source_profile"].flatMap { $0.isEmpty ? nil : $0 }
        let credentialSource = files["credential_source"].flatMap { $0.isEmpty ? nil : $0 }
        switch (sourceProfile, credentialSource) {
        case (nil, nil):
            if files["web_identity_token_file"] != nil { return nil }
            return MisconfiguredProfile(
                message: "profile \(name) has role_arn but neither source_profile nor credential_source: add one"
            )
        case (.some, .some):
            return MisconfiguredProfile(
                message: "profile \(name) has both source_profile and credential_source: keep one"
            )
        default: break
        }
        guard let sts else {
            return MisconfiguredProfile(message: "profile \(name) assumes a role, and no STS client is available here")
        }
        var duration: Int?
        if let text = files["duration_seconds"] {
            guard let seconds = Int(text), (900...43_200).contains(seconds) else {
                return MisconfiguredProfile(
                    message: "profile \(name): duration_seconds '\(text.prefix(20))' is not 900 to 43200 seconds"
                )
            }
            duration = seconds
        }
        let source: any CredentialProvider
        if let sourceProfile {
            source = self.source(profile: sourceProfile, of: files, chain: chain + [name])
        } else {
            source = self.source(credentialSource: credentialSource!, of: name)
        }
        return AssumeRoleCredentials(
            profile: name,
            roleARN: roleARN,
            sessionName: files["role_session_name"] ?? "lifeline-\(Int(now().timeIntervalSince1970))",
            externalID: files["external_id"],
            durationSeconds: duration,
            sts: Result { try sts(source) }
        )
    }

    /// `source_profile`: that profile's credentials, resolved the same way, never falling through.
    private func source(profile: String, of files: SharedConfigFiles, chain: [String]) -> any CredentialProvider {
        let name = files.profileName
        if profile == name {
            // A profile may be its own source when it has keys: its keys sign the AssumeRole.
            return CredentialChain([
                ProfileCredentials(files: files),
                MisconfiguredProfile(message: "profile \(name) is its own source_profile but has no keys"),
            ])
        }
        if chain.contains(profile) || chain.count >= Self.maxChain {
            let path = (chain + [profile]).joined(separator: " → ")
            return MisconfiguredProfile(
                message: "source_profile chain loops or is too long: \(path); end it at a profile with credentials"
            )
        }
        let sourceFiles = SharedConfigFiles(environment: environment, profile: profile)
        guard sourceFiles.profileFound else {
            return MisconfiguredProfile(
                message: "profile \(name) names source_profile \(profile), which is in neither "
                    + "\(sourceFiles.credentialsPath) nor \(sourceFiles.configPath)"
            )
        }
        return CredentialChain(
            providers(sourceFiles, chain: chain) + [
                MisconfiguredProfile(
                    message: "source_profile \(profile) of profile \(name) has no credentials: give it keys, a "
                        + "credential_process, SSO or a role"
                )
            ]
        )
    }

    /// `credential_source`: where the CLI takes the role's signing credentials from.
    private func source(credentialSource: String, of name: String) -> any CredentialProvider {
        let missing = MisconfiguredProfile(
            message: "profile \(name): credential_source \(credentialSource) has no credentials here"
        )
        switch credentialSource {
        case "Environment":
            return CredentialChain([EnvironmentCredentials(environment: environment), missing])
        case "Ec2InstanceMetadata":
            return CredentialChain([
                InstanceMetadataCredentials(environment: environment, transport: transport), missing,
            ])
        case "EcsContainer":
            return CredentialChain([ContainerCredentials(environment: environment, transport: transport), missing])
        default:
            return MisconfiguredProfile(
                message: "profile \(name): credential_source '\(credentialSource.prefix(40))' is not Environment, "
                    + "Ec2InstanceMetadata or EcsContainer"
            )
        }
    }
}
