import Foundation
import LifelineCore
import LifelineStore
import Testing

@Suite("lifeline history")
struct HistoryCommandTests {
    static func journalWithEntries() async throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-history-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("lifeline.db").path
        let journal = try SQLiteJournal(path: path)
        let now = Date()
        try await journal.append(
            JournalEntry(
                at: now.addingTimeInterval(-3 * 86_400),
                deploymentGroup: "shop/prod",
                instanceID: "i-old",
                decision: "complete ABANDON",
                reason: "deployment d-0 failed on the instance"
            )
        )
        try await journal.append(
            JournalEntry(
                at: now.addingTimeInterval(-3600),
                deploymentGroup: "shop/prod",
                instanceID: "i-1",
                decision: "create-deployment",
                reason: "2 instances waiting, last good revision s3://b/app-1.zip"
            )
        )
        try await journal.append(
            JournalEntry(
                at: now.addingTimeInterval(-60),
                deploymentGroup: "shop/prod",
                instanceID: "i-1",
                decision: "complete CONTINUE",
                reason: "deployment d-1 succeeded on the instance"
            )
        )
        try await journal.append(
            JournalEntry(
                at: now.addingTimeInterval(-30),
                deploymentGroup: "billing/prod",
                instanceID: "i-9",
                decision: "heartbeat",
                reason: "150 s since the last one"
            )
        )
        return path
    }

    @Test("table: newest first, within --since, filtered by group and instance")
    func table() async throws {
        let path = try await Self.journalWithEntries()
        let all = try BuiltBinary.run(["history", "--db", path], environment: [:])
        #expect(all.status == 0)
        let lines = all.stdout.split(separator: "\n")
        #expect(lines.count == 4, "header and three decisions in the last 24h: \(all.stdout)")
        #expect(lines[1].contains("heartbeat") && lines[3].contains("create-deployment"))
        #expect(!all.stdout.contains("i-old"))

        let filtered = try BuiltBinary.run(
            ["history", "--group", "shop/prod", "--instance", "i-1", "--since", "7d"],
            environment: ["LIFELINE_DB": path]
        )
        #expect(filtered.stdout.split(separator: "\n").count == 3)
        #expect(!filtered.stdout.contains("billing"))
    }

    @Test("json: one object per decision")
    func json() async throws {
        let path = try await Self.journalWithEntries()
        let result = try BuiltBinary.run(
            ["history", "--db", path, "--since", "2h", "--format", "json"],
            environment: [:]
        )
        #expect(result.status == 0)
        let rows = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]]
        #expect(rows?.map { $0["decision"] as? String } == ["heartbeat", "complete CONTINUE", "create-deployment"])
        #expect(rows?.first?["group"] as? String == "billing/prod")
    }

    @Test(
        "bad input gives one line and exit 1, and never creates a journal",
        arguments: [
            (["--since", "soon"], "30m"),
            (["--format", "xml"], "Please provide one of 'table' and 'json'"),
            (["--db", "/nonexistent/lifeline.db"], "/nonexistent/lifeline.db"),
        ]
    )
    func badInput(arguments: [String], mentions: String) async throws {
        let path = arguments.contains("--db") ? "" : try await Self.journalWithEntries()
        let result = try BuiltBinary.run(
            ["history"] + (path.isEmpty ? [] : ["--db", path]) + arguments,
            environment: [:]
        )
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "/nonexistent/lifeline.db"))
    }

    @Test("a damaged journal is named in a one-line error")
    func damaged() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-damaged-\(UUID().uuidString).db"
        ).path
        try Data(repeating: 0x42, count: 4096).write(to: URL(fileURLWithPath: path))
        let result = try BuiltBinary.run(["history", "--db", path], environment: [:])
        #expect(result.status == 1)
        #expect(result.stderr.contains(path))
        #expect(result.stderr.split(separator: "\n").count == 1, "\(result.stderr)")
    }

    @Test("prune --older-than 2d forgets the older decision and keeps the open action; a held journal is refused")
    func prune() async throws {
        let path = try await Self.journalWithEntries()
        let journal = try SQLiteJournal(path: path)
        _ = try await journal.recordAction(
            LifecycleAction(
                token: "tok-open",
                instanceID: "i-waiting",
                hookName: "lifeline-launch-prod",
                autoScalingGroup: "shop-prod",
                firstSeen: Date().addingTimeInterval(-10 * 86_400)
            )
        )
        let out = try BuiltBinary.run(["history", "prune", "--older-than", "2d", "--db", path], environment: [:])
        #expect(out.status == 0, "\(out.stderr)")
        #expect(out.stdout.hasPrefix("pruned 1 decision(s), 0 finished action(s)"), "\(out.stdout)")
        let left = try await journal.entries(JournalQuery(limit: 100))
        #expect(left.map(\.instanceID) == ["i-9", "i-1", "i-1"])
        #expect(try await journal.openActions().map(\.token) == ["tok-open"], "an open action is never pruned")

        let lock = try JournalLock(journal: path)
        let held = try BuiltBinary.run(["history", "prune", "--older-than", "2d", "--db", path], environment: [:])
        withExtendedLifetime(lock) {}
        #expect(held.status == 1)
        #expect(held.stderr.hasPrefix("lifeline history prune: the journal \(path) is in use by another lifeline"))
        let bad = try BuiltBinary.run(["history", "prune", "--older-than", "1h", "--db", path], environment: [:])
        #expect(
            bad.stderr
                == "lifeline history prune: --older-than 1h is not a duration of a day or more; write it like 30d\n"
        )
    }
}
