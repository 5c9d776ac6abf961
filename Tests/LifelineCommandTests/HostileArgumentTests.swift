import Foundation
import LifelineCore
import LifelineStore
import Testing

/// Bad arguments and `--db` paths that are not journals: the built binary answers one line naming
/// the input and the fix, and changes nothing it was not asked to change.
@Suite("lifeline: bad arguments and paths that are not journals")
struct HostileArgumentTests {
    static let isolated = [
        "HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin",
        "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "secret-of-the-argument-tests",
        "AWS_REGION": "us-east-1",
    ]

    func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-args-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func run(_ arguments: [String]) throws -> BuiltBinary.Result {
        try BuiltBinary.run(arguments, environment: Self.isolated)
    }

    func oneLine(_ result: BuiltBinary.Result) -> String {
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        return lines.first.map(String.init) ?? ""
    }

    @Test("a --db that is some other file is refused by every command, and left as it was")
    func notAJournal() throws {
        let dir = try scratch()
        let file = dir.appendingPathComponent("notes.txt")
        try Data("my notes, not a database\n".utf8).write(to: file)
        chmod(file.path, 0o644)
        for command in [
            ["history", "--db", file.path], ["breaker", "status", "--db", file.path],
            ["breaker", "reset", "shop/prod", "--db", file.path],
            ["reconcile", "--group", "shop/prod", "--db", file.path, "--endpoint-url", "http://127.0.0.1:9"],
        ] {
            let result = try run(command)
            #expect(result.status == 1, "\(command)")
            #expect(
                oneLine(result).contains("\(file.path) is not a lifeline journal (it is not a SQLite database)"),
                "\(command): \(result.stderr)"
            )
        }
        var info = stat()
        stat(file.path, &info)
        #expect(info.st_mode & 0o777 == 0o644, "the file's mode was changed")
        #expect(try String(contentsOf: file, encoding: .utf8) == "my notes, not a database\n")
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left == ["notes.txt"], "files appeared beside it: \(left)")
    }

    @Test("a --db that is a device or a directory is refused, and nothing appears beside it")
    func notAFile() throws {
        for path in ["/dev/null", try scratch().path] {
            for command in [["history", "--db", path], ["breaker", "status", "--db", path]] {
                let result = try run(command)
                #expect(result.status == 1)
                #expect(oneLine(result).contains("\(path) is not a regular file"), "\(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-journal"))
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-wal"))
    }

    @Test("a SQLite database of some other program is refused and left alone")
    func otherDatabase() throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("other.db").path
        let sqlite = Process()
        sqlite.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        sqlite.arguments = [path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine');"]
        try sqlite.run()
        sqlite.waitUntilExit()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        let result = try run(["breaker", "reset", "shop/prod", "--db", path])
        #expect(result.status == 1)
        #expect(oneLine(result).contains("\(path) is not a lifeline journal (it has no lifeline tables)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test("the read-only commands work on a journal the user may not write")
    func readOnlyJournal() async throws {
        let dir = try scratch()
        let path = dir.appendingPathComponent("lifeline.db").path
        do {
            let journal = try SQLiteJournal(path: path)
            try await journal.append(
                JournalEntry(
                    at: Date(),
                    deploymentGroup: "shop/prod",
                    decision: "breaker reset",
                    reason: "a test entry"
                )
            )
        }
        chmod(path, 0o444)
        chmod(dir.path, 0o555)
        defer { chmod(dir.path, 0o700) }
        let before = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        // As a user who may read the journal and not write it, or create anything beside it.
        let history = try BuiltBinary.run(
            ["history", "--db", path, "--since", "1h"],
            environment: Self.isolated,
            unprivileged: true
        )
        #expect(history.status == 0, "\(history.stderr)")
        #expect(history.stdout.contains("a test entry"))
        let status = try BuiltBinary.run(
            ["breaker", "status", "--db", path],
            environment: Self.isolated,
            unprivileged: true
        )
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stdout.contains("no breakers on record"))
        // The writer is refused on the same file, with one line: the mode binds.
        let reset = try BuiltBinary.run(
            ["breaker", "reset", "shop/prod", "--db", path],
            environment: Self.isolated,
            unprivileged: true
        )
        #expect(reset.status == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == before)
    }

    @Test("--listen beyond loopback needs a flag that says so")
    func listenBeyondLoopback() throws {
        let result = try run(["serve", "--listen", "0.0.0.0:9464", "--db", "/nonexistent/lifeline.db"])
        #expect(result.status == 1)
        #expect(
            oneLine(result)
                == "lifeline serve: --listen 0.0.0.0:9464 is not a loopback address; anyone who can reach it reads "
                + "what it serves. Pass --listen-beyond-loopback to listen there anyway"
        )
    }

    @Test("bad arguments get one line naming the flag")
    func badArguments() throws {
        let cases: [([String], String)] = [
            (
                ["reconcile", "--group", "shop/prod", "--call-deadline", "infs"],
                "lifeline reconcile: --call-deadline infs is not a duration from 1s to 1h; write it like 60s"
            ),
            (
                ["serve", "--listen", "off", "--queue-url", "https://admin:pw@sqs.example.com/123456789012/q"],
                "lifeline serve: --queue-url must not carry a user or password (lifeline signs its requests); "
                    + "write it like https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
            ),
            (
                ["reconcile", "--group", "shop/prod", "--endpoint-url", "https://admin:pw@proxy.example.com"],
                "lifeline reconcile: --endpoint-url=https://proxy.example.com carries a user or password; remove it "
                    + "(lifeline signs requests)"
            ),
            (
                ["history", "--since", "1e300d"],
                "lifeline history: --since 1e300d is not a duration; write it like 30m, 24h or 7d"
            ),
        ]
        for (arguments, expected) in cases {
            let result = try run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(oneLine(result) == expected, "\(arguments)")
            #expect(!result.stderr.contains("pw@"))
        }
    }
}
