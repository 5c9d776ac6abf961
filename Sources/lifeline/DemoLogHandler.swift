import Foundation
import Logging
import Synchronization

/// The demo's narration of lifeline's log: its decisions and warnings, each said once, with the
/// seconds since the demo began. The simulator's and the AWS client's own lines are left out.
struct DemoLogHandler: LogHandler {
    static let start = Date()
    /// What was already said: a note repeated every pass is said the first time only.
    static let said = Mutex(Set<String>())

    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        guard label.hasPrefix("lifeline."), !["lifeline.sim", "lifeline.aws", "lifeline.http"].contains(label)
        else { return }
        let text = "\(event.message)"
        guard text != "lifeline serve stopped" else { return }
        let group = (event.metadata?["group"] ?? metadata["group"]).map { "\($0): " } ?? ""
        let line = group + text
        let new = Self.said.withLock { $0.insert(line).inserted }
        guard new else { return }
        let seconds = String(format: "%5.1f", max(0, Date().timeIntervalSince(Self.start)))
        let mark = event.level >= .warning ? "!" : " "
        print("   +\(seconds)s \(mark) \(line)")
    }
}
