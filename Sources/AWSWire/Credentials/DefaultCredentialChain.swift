import Foundation

extension CredentialChain {
    /// The AWS CLI's order (botocore `credentials.py`): environment, the profile's assumed role, web
    /// identity, SSO, static keys (credentials file, then config file), `credential_process`,
    /// container, instance metadata. A profile that was asked for by name and resolved by none of these is an
    /// error naming what is missing: it never falls through to the container's or the instance's
    /// role, which would be another identity.
    public static func `default`(
        environment env: [String: String],
        profile: String?,
        endpoints: EndpointResolver,
        transport: any HTTPTransport,
        sts: STSFactory? = nil,
        now: @escaping @Sendable () -> Date = { Date() }
    ) -> CredentialChain {
        let files = SharedConfigFiles(environment: env, profile: profile)
        // An explicit profile wins over keys in the environment, as in the CLI.
        let explicitProfile = profile != nil
        var providers: [any CredentialProvider] = []
        if !explicitProfile { providers.append(EnvironmentCredentials(environment: env)) }
        let resolver = ProfileResolver(environment: env, endpoints: endpoints, transport: transport, sts: sts, now: now)
        providers += resolver.providers(files)
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
