import Foundation
import LifelineCore
import LifelineStore

/// The writer of the journal crash test: `JournalCrashChild DB START`. Forever, for n = START…,
/// it runs four kinds of transaction and prints one line after each has committed. The test kills
/// it with SIGKILL and checks that every printed transaction is there and none is half there.
@main
struct JournalCrashChild {
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 3, let start = Int(arguments[2]) else {
            FileHandle.standardError.write(Data("usage: JournalCrashChild DB START\n".utf8))
            exit(2)
        }
        let journal = try SQLiteJournal(path: arguments[1])
        let revision = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app.zip", bundleType: "zip"))
        var n = start
        while true {
            let now = Date()
            let intent = try await journal.beginIntent(
                Intent(
                    kind: .complete,
                    deploymentGroup: "shop/prod",
                    actionToken: "tok-\(n)-0",
                    planID: "plan-\(n)",
                    payload: #"{"n":\#(n)}"#,
                    createdAt: now
                )
            )
            say("intent \(n) \(intent.id!)")

            let actions = (0..<10).map { k in
                LifecycleAction(
                    token: "tok-\(n)-\(k)",
                    instanceID: "i-\(n)-\(k)",
                    hookName: "lifeline-launch-prod",
                    autoScalingGroup: "shop-prod",
                    deploymentGroup: "shop/prod",
                    firstSeen: now,
                    heartbeatDeadline: now.addingTimeInterval(300),
                    messageIDs: ["m-\(n)-\(k)"]
                )
            }
            let stored = try await journal.recordActions(actions)
            say("actions \(n)")

            var completed = stored[0]
            completed.state = .completed
            completed.result = .continue
            let deployment = DeploymentRecord(
                id: "d-\(n)",
                deploymentGroup: "shop/prod",
                planID: "plan-\(n)",
                revision: revision,
                instances: actions.map(\.instanceID),
                status: "Succeeded",
                createdAt: now
            )
            try await journal.finishIntent(
                id: intent.id!,
                outcome: .done,
                detail: nil,
                at: now,
                action: completed,
                deployment: deployment
            )
            say("finished \(n)")

            try await journal.append(
                JournalEntry(
                    at: now,
                    deploymentGroup: "shop/prod",
                    instanceID: "i-\(n)-0",
                    decision: "complete CONTINUE",
                    reason: "deployment d-\(n) succeeded",
                    observation: #"{"n":\#(n)}"#
                )
            )
            say("entry \(n)")
            n += 1
        }
    }
}
