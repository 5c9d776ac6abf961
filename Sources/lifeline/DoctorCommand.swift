import AWSWire
import ArgumentParser
import Foundation
import LifelineRuntime

struct DoctorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check credentials, clock skew and every endpoint lifeline and the CodeDeploy agent need.",
        discussion: """
            Exits 0 when every check passes, 1 otherwise.

            Examples:
              lifeline doctor --region eu-west-1
              lifeline doctor --endpoint-url http://127.0.0.1:4566 --queue-url \
              http://127.0.0.1:4566/123456789012/lifeline-events
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The lifecycle notification queue to check (else any SQS call is tried).")
    var queueURL: String?

    @Option(help: "Output: a table for people, or json for programs.")
    var format: OutputFormat = .table

    func run() async throws {
        global.bootstrapLogging()
        let dates = Doctor.ServerDates()
        let client: AWSClient
        do {
            client = try global.awsClient(command: "doctor", observer: dates.record)
        } catch {
            throw CommandFailure.exit("lifeline doctor: \(error)")
        }
        let report = await Doctor(client: client, queueURL: queueURL, serverDates: dates).run()
        if format == .json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if !report.ok { throw ExitCode(1) }
    }
}
