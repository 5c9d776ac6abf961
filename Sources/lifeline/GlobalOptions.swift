import AWSWire
import ArgumentParser
import LifelineRuntime
import Logging

/// Options every command shares: where AWS is and how to log.
struct GlobalOptions: ParsableArguments {
    @Option(help: "AWS region (else AWS_REGION, AWS_DEFAULT_REGION, the profile).")
    var region: String?

    @Option(help: "Profile of ~/.aws/credentials and ~/.aws/config (else AWS_PROFILE).")
    var profile: String?

    @Option(
        help:
            "One endpoint for every service, e.g. the simulator's (else AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL)."
    )
    var endpointURL: String?

    @Flag(
        help: "Allow plain http:// endpoints that are not on loopback. TLS verification itself is never switched off."
    )
    var allowInsecureEndpoint = false

    @Option(help: "Log lines as text for people or json for a log pipeline.")
    var logFormat: LogFormat = .text

    @Option(help: "The least severe log level written.")
    var logLevel: LogLevelArgument = .info

    func bootstrapLogging() {
        LogSetup.bootstrap(format: logFormat, level: logLevel.value)
    }

    func awsClient(observer: (@Sendable (AWSClient.CallRecord) -> Void)? = nil) throws -> AWSClient {
        try AWSClient.fromEnvironment(
            AWSClient.Options(
                region: region,
                profile: profile,
                endpointURL: endpointURL,
                allowInsecureEndpoint: allowInsecureEndpoint
            ),
            logger: Logger(label: "lifeline.aws"),
            observer: observer
        )
    }
}

extension LogFormat: ExpressibleByArgument {}

/// swift-log's level as an option value (a wrapper: the type and the protocol are both foreign).
struct LogLevelArgument: ExpressibleByArgument {
    let value: Logger.Level
    init?(argument: String) {
        guard let level = Logger.Level(rawValue: argument) else { return nil }
        value = level
    }
    static let info = LogLevelArgument(argument: "info")!
    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
    var defaultValueDescription: String { value.rawValue }
}
