import ArgumentParser
import CLifelineSystem
import Foundation

@main
struct Lifeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeline",
        abstract: "Keeps EC2 Auto Scaling groups and AWS CodeDeploy in step.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, ReconcileCommand.self, AuditCommand.self, BreakerCommand.self, HistoryCommand.self,
            DoctorCommand.self, IAMPolicyCommand.self, LeaseCommand.self, SimCommand.self, DemoCommand.self,
        ]
    )

    /// argument-parser's own `main`, except that a usage error (a bad option value, an unknown
    /// option) is one line on standard error and exit status 1, like every other bad input.
    static func main() async {
        do {
            var command = try parseAsRoot()
            // A command that exits after one pass keeps what it frees (fewer page faults and
            // mappings: a cold pass over 1,000 groups faulted 9,400 pages, now 5,400); the
            // long-running ones give memory back as usual.
            if !(command is ServeCommand || command is SimCommand || command is DemoCommand) {
                lifeline_keep_freed_memory()
            }
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            let lines = fullMessage(for: error).split(separator: "\n").map(String.init)
            let first = lines.first ?? "\(error)"
            let message = first.hasPrefix("Error: ") ? String(first.dropFirst("Error: ".count)) : first
            // argument-parser ends with "See 'lifeline audit --help' for more information."
            let help =
                lines.last { $0.contains("--help'") }?.split(separator: "'").dropFirst().first ?? "lifeline --help"
            FileHandle.standardError.write(Data("lifeline: \(message) See `\(help)`.\n".utf8))
            exit(withError: ExitCode.failure)
        }
    }
}
