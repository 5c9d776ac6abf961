import Foundation

extension CredentialChain {
    /// The AWS CLI's order (botocore `credentials.py`): environment, web identity, the profile's
    /// static keys (credentials file, then config file), its `credential_process`, container,
    /// instance metadata. A profile that was asked for by name and resolved by none of these is an
    /// error naming what is missing: it never falls through to the container's or the instance's
    /// role, which would be another identity.
    public static func `default`(
        environment env: [String: String],
        profile: String?,
        stsEndpoint: URL,
        transport: any HTTPTransport
    ) -> CredentialChain {
        let files = SharedConfigFiles(environment: env, profile: profile)
        // An explicit profile wins over keys in the environment, as in the CLI.
        let explicitProfile = profile != nil
        var providers: [any CredentialProvider] = []
        if !explicitProfile { providers.append(EnvironmentCredentials(environment: env)) }
        providers += [
            WebIdentityCredentials(environment: env, files: files, stsEndpoint: stsEndpoint, transport: transport),
            ProfileCredentials(files: files),
            ProcessCredentials(files: files, environment: env),
        ]
        if files.profileIsExplicit {
            providers.append(UnresolvedProfile(files: files))
        } else {
            providers += [
                ContainerCredentials(environment: env, transport: transport),
                InstanceMetadataCredentials(environment: env, transport: transport),
            ]
        }
        return CredentialChain(providers)
    }
}
