import Foundation
import Logging

extension AWSClient {
    /// What the command line says about AWS access; everything else comes from the environment
    /// and the shared config files, as with the AWS CLI.
    public struct Options: Sendable {
        public var region: String?
        public var profile: String?
        public var endpointURL: String?
        public var allowInsecureEndpoint = false
        public var timeout: Duration = .seconds(30)
        /// The whole call's limit, retries included (the one-shot commands'); nil: none.
        public var callDeadline: Duration?
        /// `standard` or `adaptive` (else `AWS_RETRY_MODE`, else standard).
        public var retryMode: ClientRateLimiter.Mode?
        /// Each service's send ceiling, requests per second (0 or nil: `defaultMaxRequestsPerSecond`).
        public var maxRequestsPerSecond: Double?

        public init(
            region: String? = nil,
            profile: String? = nil,
            endpointURL: String? = nil,
            allowInsecureEndpoint: Bool = false
        ) {
            self.region = region
            self.profile = profile
            self.endpointURL = endpointURL
            self.allowInsecureEndpoint = allowInsecureEndpoint
        }
    }

    /// A service's send ceiling unless the config says otherwise: well above what a pass over a
    /// few hundred groups needs, well below what would throttle an account every tool shares.
    public static let defaultMaxRequestsPerSecond: Double = 50

    /// A client with the CLI's region, endpoint and credential resolution and the standard retry
    /// mode, over libcurl.
    public static func fromEnvironment(
        _ options: Options,
        environment env: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "lifeline.aws"),
        observer: (@Sendable (CallRecord) -> Void)? = nil
    ) throws -> AWSClient {
        let files = SharedConfigFiles(environment: env, profile: options.profile)
        let region = try RegionResolver.resolve(flag: options.region, environment: env, profileRegion: files.region)
        let endpoints = EndpointResolver(
            region: region,
            endpointURL: options.endpointURL,
            environment: env,
            allowInsecure: options.allowInsecureEndpoint
        )
        let transport = CurlTransport(
            proxy: .fromEnvironment(env),
            allowInsecureEndpoints: options.allowInsecureEndpoint
        )
        let retry = RetryStrategy.fromEnvironment(env)
        let credentials = CredentialChain.default(
            environment: env,
            profile: options.profile,
            endpoints: endpoints,
            transport: transport,
            // An assumed role's AssumeRole is signed by its source, retried like any call.
            sts: { source in
                STSClient(
                    client: try AWSClient(
                        region: region,
                        endpoints: endpoints,
                        transport: transport,
                        credentials: source,
                        retry: retry,
                        timeout: options.timeout,
                        logger: logger
                    )
                )
            }
        )
        return try AWSClient(
            region: region,
            endpoints: endpoints,
            transport: transport,
            credentials: credentials,
            retry: retry,
            timeout: options.timeout,
            logger: logger,
            observer: observer,
            retryMode: options.retryMode ?? env["AWS_RETRY_MODE"].flatMap(ClientRateLimiter.Mode.init) ?? .standard,
            maxRequestsPerSecond: options.maxRequestsPerSecond ?? Self.defaultMaxRequestsPerSecond,
            callDeadline: options.callDeadline
        )
    }
}
