import Foundation

/// A scripted HTTP(S) server on 127.0.0.1 (scripts/testing/loopback_server.py), started for one
/// test and stopped by it. It logs every request with its connection number.
final class LoopbackServer: @unchecked Sendable {
    struct Response: Encodable {
        var status = 200
        var headers: [String: String] = [:]
        var body = ""
        var delay: Double? = nil
        var close: Bool? = nil
        var hang_up: Bool? = nil
    }
    struct Route: Encodable {
        var method = "*"
        var path = "*"
        var responses: [Response]
    }
    struct LoggedRequest: Decodable {
        var connection: Int
        var method: String
        var path: String
        var headers: [String: String]
        var body: String
    }

    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    let port: Int
    let scheme: String
    private let process: Process
    private let directory: URL

    init(routes: [Route], tls: Bool = false) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "lifeline-loopback-\(UUID().uuidString)"
        )
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let script = directory.appendingPathComponent("script.json")
        try JSONEncoder().encode(["routes": routes]).write(to: script)
        var arguments = [
            Self.repoRoot.appendingPathComponent("scripts/testing/loopback_server.py").path, script.path,
            directory.appendingPathComponent("log.jsonl").path, "--max-seconds", "120",
        ]
        if tls {
            let cert = directory.appendingPathComponent("cert.pem").path
            let key = directory.appendingPathComponent("key.pem").path
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            openssl.arguments = [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            ]
            openssl.standardError = FileHandle.nullDevice
            try openssl.run()
            openssl.waitUntilExit()
            arguments += ["--tls", cert, key]
        }
        scheme = tls ? "https" : "http"
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        guard
            let port = Int(
                String(decoding: out.firstLine(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            )
        else {
            process.terminate()
            throw LoopbackServerError.didNotStart
        }
        self.port = port
    }

    var url: URL { URL(string: "\(scheme)://127.0.0.1:\(port)")! }

    func url(_ path: String) -> URL { URL(string: "\(scheme)://127.0.0.1:\(port)\(path)")! }

    func requests() throws -> [LoggedRequest] {
        let data = (try? Data(contentsOf: directory.appendingPathComponent("log.jsonl"))) ?? Data()
        return try data.split(separator: UInt8(ascii: "\n")).map {
            try JSONDecoder().decode(LoggedRequest.self, from: Data($0))
        }
    }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: directory)
    }

    deinit { stop() }
}

enum LoopbackServerError: Error { case didNotStart }

extension Pipe {
    /// Blocks until the child writes its first line (or closes): how the helper servers announce themselves.
    func firstLine() -> Data {
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        return line
    }
}
