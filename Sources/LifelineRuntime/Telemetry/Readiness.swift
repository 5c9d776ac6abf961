import Foundation

/// What /readyz answers: ready once a pass has succeeded, as long as the last one succeeded and
/// is recent. A pass runs at least every resync interval, so an old one means a stuck loop.
public actor Readiness {
    let maxPassAge: TimeInterval
    private var lastSuccess: Date?
    private var failuresInARow = 0
    private var lastError: String?
    private var stopping = false

    /// One failed pass (a throttled call, a blip) is retried within seconds; three in a row are not a blip.
    static let failuresAllowed = 3

    public init(maxPassAge: TimeInterval) { self.maxPassAge = maxPassAge }

    func passed(at: Date) {
        lastSuccess = at
        failuresInARow = 0
        lastError = nil
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
        return (true, "ready: the last pass ended \(String(format: "%.1f", age))s ago")
    }
}
