import AWSWire
import Foundation
import Logging
import Synchronization

/// What every log value goes through, in either format: secrets scrubbed, and at most `maxValue`
/// characters. Values come from outside (a message's transition, an instance id, AWS's words).
enum LogValue {
    static let maxValue = 2048

    static func clean(_ text: String) -> String {
        let scrubbed = SecretScrubber.scrub(text)
        return scrubbed.count <= maxValue ? scrubbed : scrubbed.prefix(maxValue) + "… (cut)"
    }

    /// For text lines: every control character escaped (`\n`, `\t`, `\u{1B}`), so that no value can
    /// start a line of its own or move the terminal's cursor.
    static func escaped(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in clean(text).unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\\": out += "\\\\"
            default:
                if scalar.properties.generalCategory == .control || scalar == "\u{2028}" || scalar == "\u{2029}" {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }
}

/// One line per event on standard error, in either format:
/// - text: `TIME LEVEL LABEL: key=value … [SOURCE] MESSAGE`, the layout of swift-log's stream
///   handler, with every value escaped (`LogValue.escaped`);
/// - json: `{"ts":…,"level":…,"label":…,"msg":…, metadata…}` for log pipelines (JSON escapes
///   control characters itself); values are scrubbed and capped as in text.
public struct LineLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    let label: String
    let format: LogFormat
    private static let lock = Mutex(())

    public init(label: String, format: LogFormat) {
        self.label = label
        self.format = format
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 })
        guard let line = format == .json ? json(event, merged) : text(event, merged) else { return }
        Self.lock.withLock { _ in FileHandle.standardError.write(line) }
    }

    private func text(_ event: LogEvent, _ merged: Logger.Metadata) -> Data {
        let pairs = merged.sorted { $0.key < $1.key }
            .map { "\(LogValue.escaped($0.key))=\(LogValue.escaped("\($0.value)"))" }
        var line = Date().formatted(.iso8601)
        line += " \(event.level) \(label):"
        if !pairs.isEmpty { line += " " + pairs.joined(separator: " ") }
        line += " [\(event.source)] \(LogValue.escaped("\(event.message)"))\n"
        return Data(line.utf8)
    }

    private func json(_ event: LogEvent, _ merged: Logger.Metadata) -> Data? {
        var object: [String: String] = [
            "ts": Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)),
            "level": event.level.rawValue, "label": label, "msg": LogValue.clean("\(event.message)"),
        ]
        for (key, value) in merged { object[LogValue.clean(key)] = LogValue.clean("\(value)") }
        guard
            var line = try? JSONSerialization.data(
                withJSONObject: object,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else { return nil }
        line.append(UInt8(ascii: "\n"))
        return line
    }
}
