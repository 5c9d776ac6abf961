import Foundation

/// The group's failed or stopped launch deployments in the loop window, counted when a
/// deployment newer than the last count exists.
public struct LoopScan: Sendable, Equatable {
    /// The last attempted deployment when counted.
    public var through: String
    /// When each failed launch deployment ended.
    public var cycles: [Date]

    public init(through: String, cycles: [Date]) {
        self.through = through
        self.cycles = cycles
    }
}
