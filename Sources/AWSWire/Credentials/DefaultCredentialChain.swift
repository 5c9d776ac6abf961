import Foundation

extension CredentialChain {
    /// The AWS CLI's order (botocore `credentials.py`): environment, web identity, the profile's
    /// static keys (credentials file, then config file), container, instance metadata.
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
            ContainerCredentials(environment: env, transport: transport),
            InstanceMetadataCredentials(environment: env, transport: transport),
        ]
        return CredentialChain(providers)
    }
}
