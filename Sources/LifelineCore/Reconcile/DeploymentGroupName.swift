/// `APPLICATION/DEPLOYMENT-GROUP`: the unit of work of every reconcile pass.
public struct DeploymentGroupName: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var application: String
    public var name: String

    public init(application: String, name: String) {
        self.application = application
        self.name = name
    }

    /// Reads `APP/GROUP`; nil unless both parts are there.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        self.init(application: String(parts[0]), name: String(parts[1]))
    }

    public var description: String { "\(application)/\(name)" }

    /// The launching hook lifeline installs and owns in own mode (DESIGN §2).
    public var hookName: String { "lifeline-launch-\(name)" }
    /// lifeline's optional terminating hook (`terminating_hook: true`).
    public var terminateHookName: String { "lifeline-terminate-\(name)" }

    public static func < (a: Self, b: Self) -> Bool { (a.application, a.name) < (b.application, b.name) }
}
