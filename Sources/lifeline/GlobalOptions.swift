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

    @Option(help: "Log format: text or json.")
    var logFormat: LogFormatArgument = .text

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: LogLevelArgument = .info

    func bootstrapLogging() {
        LogSetup.bootstrap(format: logFormat.value, level: logLevel.value)
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

struct LogFormatArgument: ExpressibleByArgument {
    let value: LogFormat
    init?(argument: String) {
        guard let v = LogFormat(rawValue: argument) else { return nil }
        value = v
    }
    static let text = LogFormatArgument(argument: "text")!
    static var allValueStrings: [String] { LogFormat.allCases.map(\.rawValue) }
}

struct LogLevelArgument: ExpressibleByArgument {
    let value: Logger.Level
    init?(argument: String) {
        guard let v = Logger.Level(rawValue: argument) else { return nil }
        value = v
    }
    static let info = LogLevelArgument(argument: "info")!
    static var allValueStrings: [String] { Logger.Level.allCases.map(\.rawValue) }
}
