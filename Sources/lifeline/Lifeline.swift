import ArgumentParser

@main
struct Lifeline: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lifeline",
        abstract: "Keeps EC2 Auto Scaling groups and AWS CodeDeploy in step.",
        version: "0.1.0",
        subcommands: [
            ServeCommand.self, ReconcileCommand.self, AuditCommand.self, BreakerCommand.self, HistoryCommand.self,
            DoctorCommand.self,
            IAMPolicyCommand.self, SimCommand.self,
        ]
    )
}
