import Foundation

@testable import AWSWire

/// The real moto server (scripts/testing/moto_world.py) with SigV4 verification on, and the world
/// it was seeded with. One per test; `stop()` ends it (closing its stdin ends it too).
final class MotoWorld: @unchecked Sendable {
    struct Info: Decodable {
        var endpoint: String
        var region: String
        var access_key_id: String
        var secret_access_key: String
        var group: String
        var instances: [String]
        var queue_url: String
        var queue_arn: String
        var application: String
        var deployment_group: String
        var deployment_id: String
    }

    let info: Info
    let transport = CurlTransport(proxy: ProxySettings())
    private let process: Process
    private let stdin = Pipe()

    init() throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", LoopbackServer.repoRoot.appendingPathComponent("scripts/testing/moto_world.py").path,
            "--max-seconds", "300",
        ]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = stdin
        try process.run()
        let line = out.firstLine()
        guard let decoded = try? JSONDecoder().decode(Info.self, from: line) else {
            process.terminate()
            throw MotoError.didNotStart(String(decoding: line, as: UTF8.self))
        }
        info = decoded
    }

    /// A client signing with the IAM key moto created, so that moto checks every signature.
    func client(secret: String? = nil) throws -> AWSClient {
        try AWSClient(
            region: info.region,
            endpoints: EndpointResolver(region: info.region, endpointURL: info.endpoint, environment: [:]),
            transport: transport,
            credentials: EnvironmentCredentials(environment: [
                "AWS_ACCESS_KEY_ID": info.access_key_id, "AWS_SECRET_ACCESS_KEY": secret ?? info.secret_access_key,
            ]),
            retry: RetryStrategy(maxAttempts: 1)
        )
    }

    func stop() {
        try? stdin.fileHandleForWriting.close()
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        transport.shutdown()
    }

    deinit { stop() }
}

enum MotoError: Error { case didNotStart(String) }
