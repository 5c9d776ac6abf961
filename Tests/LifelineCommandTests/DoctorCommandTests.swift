import Foundation
import Testing

/// The built `lifeline` binary, run as a user would.
struct BuiltBinary {
    static var url: URL {
        // The test bundle sits in the build products folder next to the executable.
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: dir.appendingPathComponent("lifeline").path) && dir.path != "/" {
            dir.deleteLastPathComponent()
        }
        return dir.appendingPathComponent("lifeline")
    }

    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// - Parameter unprivileged: as `nobody` when the tests run as root (through setpriv), so that
    ///   a file's mode binds the binary as it binds an operator.
    static func run(_ arguments: [String], environment: [String: String], unprivileged: Bool = false) throws -> Result {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        if unprivileged && geteuid() == 0 {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", url.path] + arguments
        }
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }
}

@Suite("lifeline doctor")
struct DoctorCommandTests {
    static let isolated = ["HOME": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true", "PATH": "/usr/bin:/bin"]

    @Test("against the real moto server every check passes and the secret is never printed")
    func healthy() throws {
        let moto = Process()
        moto.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        moto.arguments = [
            "python3", BuiltBinary.repoRoot.appendingPathComponent("scripts/testing/moto_world.py").path,
            "--until-killed", "--max-seconds", "120",
        ]
        let out = Pipe()
        moto.standardOutput = out
        moto.standardError = FileHandle.nullDevice
        try moto.run()
        defer {
            moto.terminate()
            moto.waitUntilExit()
        }
        let line = out.fileHandleForReading.availableData
        let world = try JSONSerialization.jsonObject(with: line) as! [String: Any]
        let secret = world["secret_access_key"] as! String
        var env = Self.isolated
        env["AWS_ACCESS_KEY_ID"] = world["access_key_id"] as? String
        env["AWS_SECRET_ACCESS_KEY"] = secret
        let result = try BuiltBinary.run(
            [
                "doctor", "--region", "us-east-1", "--endpoint-url", world["endpoint"] as! String, "--queue-url",
                world["queue_url"] as! String, "--log-level", "trace",
            ],
            environment: env
        )
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        for service in ["credentials", "autoscaling", "ec2", "codedeploy", "sqs", "clock"] {
            #expect(
                result.stdout.split(separator: "\n").contains { $0.hasPrefix(service) && $0.contains(" ok ") },
                "\(service): \(result.stdout)"
            )
        }
        #expect(!result.stdout.contains(secret) && !result.stderr.contains(secret))
        #expect(!result.stdout.contains(world["access_key_id"] as! String), "the key id is masked")
    }

    @Test(
        "bad setup gives one line naming what to do, and exit 1",
        arguments: [
            (["doctor"], "--region"),
            (
                ["doctor", "--region", "us-east-1", "--endpoint-url", "http://aws.example.com"],
                "--allow-insecure-endpoint"
            ),
            (["doctor", "--region", "us-east-1", "--endpoint-url", "not a url"], "--endpoint-url"),
        ]
    )
    func badSetup(arguments: [String], mentions: String) throws {
        let result = try BuiltBinary.run(arguments, environment: Self.isolated)
        #expect(result.status == 1)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(mentions), "\(result.stderr)")
    }

    @Test("no credentials: the credentials check fails with what to set, exit 1")
    func noCredentials() throws {
        let result = try BuiltBinary.run(
            ["doctor", "--region", "us-east-1", "--endpoint-url", "http://127.0.0.1:9"],
            environment: Self.isolated
        )
        #expect(result.status == 1)
        #expect(result.stdout.contains("credentials FAIL"))
        #expect(result.stdout.contains("AWS_ACCESS_KEY_ID"))
    }
}
