import Foundation
import Logging
import Synchronization

/// `--log-format text|json` and `--log-level`: one line per event on standard error.
public enum LogFormat: String, Sendable, CaseIterable {
    case text, json
}

public enum LogSetup {
    private static let done = Mutex(false)

    /// Installs the process-wide handler once (swift-log allows one bootstrap).
    public static func bootstrap(format: LogFormat, level: Logger.Level) {
        let first = done.withLock { d in
            defer { d = true }
            return !d
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label, format: format)
            handler.logLevel = level
            return handler
        }
    }
}
