import Foundation

/// What /readyz answers: ready once a pass has completed, as long as passes keep completing, the
/// last is recent, and at least one managed group is being reconciled. A group that fails (access
/// denied, a deleted deployment group) is named but does not make serve unready: one broken group of
/// a thousand must not flap a load balancer or restart the process. Every group failing does: then
/// lifeline reconciles nothing (no credentials, no network). A pass runs at least every resync
/// interval, so an old one means a stuck loop.
public actor Readiness {
    let maxPassAge: TimeInterval
    private var lastSuccess: Date?
    private var failuresInARow = 0
    private var lastError: String?
    private var stopping = false
    private var failing: [String: String] = [:]
    private var managed = 0

    /// One failed pass (a throttled call, a blip) is retried within seconds; three in a row are not a blip.
    static let failuresAllowed = 3

    public init(maxPassAge: TimeInterval) { self.maxPassAge = maxPassAge }

    /// A completed pass: `failing` are the groups whose last try failed, of `managed` groups.
    func passed(at: Date, failing: [String: String] = [:], managed: Int = 0) {
        lastSuccess = at
        failuresInARow = 0
        lastError = nil
        self.failing = failing
        self.managed = managed
    }

    func failed(_ error: String) {
        failuresInARow += 1
        lastError = error
    }

    func shuttingDown() { stopping = true }

    public func report(now: Date) -> (ready: Bool, text: String) {
        if stopping { return (false, "not ready: shutting down") }
        guard let lastSuccess else {
            return (
                false,
                lastError.map { "not ready: no pass has succeeded yet; the last failed: \($0)" }
                    ?? "not ready: the first pass is running"
            )
        }
        if failuresInARow >= Self.failuresAllowed, let lastError {
            return (false, "not ready: the last \(failuresInARow) passes failed: \(lastError)")
        }
        let age = now.timeIntervalSince(lastSuccess)
        if age > maxPassAge {
            return (false, "not ready: the last pass ended \(Int(age))s ago (more than \(Int(maxPassAge))s)")
        }
        let names = failing.keys.sorted()
        let detail =
            names.prefix(10).map { "\($0) (\(failing[$0]!.prefix(200)))" }.joined(separator: "; ")
            + (names.count > 10 ? "; and \(names.count - 10) more" : "")
        if managed > 0, names.count >= managed {
            return (false, "not ready: every managed group is failing: \(detail)")
        }
        let ended = "the last pass ended \(String(format: "%.1f", age))s ago"
        guard !names.isEmpty else { return (true, "ready: \(ended)") }
        return (true, "ready: \(ended); \(names.count) of \(managed) group(s) failing: \(detail)")
    }
}
