import AWSWire
import ArgumentParser
import LifelineCore
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

    @Option(
        help: """
            The longest one AWS call may take, every retry included, in the one-shot commands (reconcile, \
            audit, doctor): 1s to 1h. serve limits each attempt to 30s and retries within its pass.
            """
    )
    var callDeadline: String = "60s"

    @Option(help: "Log lines as text for people or json for a log pipeline.")
    var logFormat: LogFormat = .text

    @Option(help: "The least severe log level written.")
    var logLevel: LogLevelArgument = .info

    func bootstrapLogging() {
        LogSetup.bootstrap(format: logFormat, level: logLevel.value)
    }

    /// `--call-deadline`, checked: a one-line error naming the flag when it is not a duration in range.
    func callDeadline(command: String) throws -> Duration {
        guard let seconds = DurationText.seconds(callDeadline), (1...3600).contains(seconds) else {
            throw CommandFailure.exit(
                "lifeline \(command): --call-deadline \(callDeadline) is not a duration from 1s to 1h; write it like 60s"
            )
        }
        return .milliseconds(Int(seconds * 1000))
    }

    /// A client for a one-shot command: every call ends within `--call-deadline`.
    func awsClient(
        command: String,
        observer: (@Sendable (AWSClient.CallRecord) -> Void)? = nil
    ) throws -> AWSClient {
        var options = AWSClient.Options(
            region: region,
            profile: profile,
            endpointURL: endpointURL,
            allowInsecureEndpoint: allowInsecureEndpoint
        )
        options.callDeadline = try callDeadline(command: command)
        return try AWSClient.fromEnvironment(options, logger: Logger(label: "lifeline.aws"), observer: observer)
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
