import Foundation
import GRDB
import Testing

@testable import LifelineStore

#if canImport(Glibc)
import Glibc
#endif

/// kill -9 at random moments (DESIGN §7): after each, the journal opens, `integrity_check` is ok,
/// every transaction the writer reported is there, and no transaction is partly there.
@Suite("journal crash safety")
struct JournalCrashTests {
    static var child: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("JournalCrashChild").path)
            && dir.path != "/"
        {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("JournalCrashChild")
    }

    @Test("50 SIGKILLs of a writer lose and half-write nothing")
    func killNine() async throws {
        let db = TempDB()
        _ = try SQLiteJournal(path: db.path)  // created and migrated before the first child
        var random = SplitMix64(seed: 20_261_121)
        var totalReported = 0
        for round in 0..<50 {
            let process = Process()
            process.executableURL = Self.child
            process.arguments = [db.path, String(round * 1_000_000)]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            // Let it get going, then kill it somewhere in the middle of its writes.
            var output = out.fileHandleForReading.availableData
            usleep(UInt32(random.next() % 40_000))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            output.append(out.fileHandleForReading.readDataToEndOfFile())
            #expect(
                process.terminationReason == .uncaughtSignal,
                "round \(round): the writer must have been killed, not have stopped"
            )

            let reported = String(decoding: output, as: UTF8.self).split(separator: "\n").map {
                $0.split(separator: " ").map(String.init)
            }
            .filter { $0.count >= 2 }  // a line cut by the kill is not a report
            totalReported += reported.count
            let journal = try SQLiteJournal(path: db.path)
            #expect(try journal.integrityCheck() == "ok", "round \(round)")
            try await Self.verify(journal, reported: reported, round: round)
        }
        #expect(
            totalReported > 200,
            "the writer must have got far enough to be killed mid-work (\(totalReported) commits)"
        )
    }

    static func verify(_ journal: SQLiteJournal, reported: [[String]], round: Int) async throws {
        try await journal.pool.read { db in
            for line in reported {
                let n = line[1]
                switch line[0] {
                case "intent":
                    #expect(
                        try Bool.fetchOne(
                            db,
                            sql: "SELECT 1 FROM intent WHERE id = ? AND plan_id = ?",
                            arguments: [Int64(line[2])!, "plan-\(n)"]
                        ) == true,
                        "intent \(n)"
                    )
                case "actions":
                    #expect(
                        try Int.fetchOne(
                            db,
                            sql: "SELECT count(*) FROM lifecycle_action WHERE token LIKE ?",
                            arguments: ["tok-\(n)-%"]
                        ) == 10,
                        "actions \(n)"
                    )
                case "finished":
                    #expect(
                        try String.fetchOne(
                            db,
                            sql: "SELECT outcome FROM intent WHERE plan_id = ?",
                            arguments: ["plan-\(n)"]
                        ) == "done",
                        "finished \(n)"
                    )
                case "entry":
                    #expect(
                        try Int.fetchOne(
                            db,
                            sql: "SELECT count(*) FROM journal WHERE observation = ?",
                            arguments: [#"{"n":\#(n)}"#]
                        ) == 1,
                        "entry \(n)"
                    )
                default:
                    Issue.record("round \(round): unexpected report \(line)")
                }
            }
            // Nothing half-written anywhere in the file, reported or not.
            let partialActions = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM (SELECT substr(token, 1, length(token) - 2) AS n, count(*) AS c FROM \
                    lifecycle_action GROUP BY n) WHERE c != 10
                    """
            )
            #expect(partialActions == 0, "round \(round): an action batch is partly written")
            let doneWithoutEffects = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM intent i WHERE i.outcome = 'done' AND (
                        NOT EXISTS (SELECT 1 FROM deployment d WHERE d.plan_id = i.plan_id)
                        OR NOT EXISTS (SELECT 1 FROM lifecycle_action a WHERE a.token = i.action_token AND a.state = \
                        'completed'))
                    """
            )
            #expect(doneWithoutEffects == 0, "round \(round): an outcome without its action or deployment")
            let effectsWithoutOutcome = try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM deployment d WHERE NOT EXISTS (SELECT 1 FROM intent i WHERE i.plan_id = \
                    d.plan_id AND i.outcome = 'done')
                    """
            )
            #expect(effectsWithoutOutcome == 0, "round \(round): a deployment without its intent's outcome")
        }
    }
}

/// A small seeded generator, so a failing run can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
