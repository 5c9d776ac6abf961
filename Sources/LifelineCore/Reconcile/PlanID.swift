import Foundation

/// Plan ids: deterministic (the same inputs give the same id) and short enough for a description.
enum PlanID {
    static func make(group: DeploymentGroupName, now: Date, instances: [String]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in ([group.description] + instances).joined(separator: ",").utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return "p\(Int(now.timeIntervalSince1970))-" + String(hash & 0xffff_ffff, radix: 16)
    }

    /// The plan id in a `lifeline:<group>:<plan-id>` description, or `…:<plan-id>:<fence>` when
    /// replicas share the groups (DESIGN §11).
    static func from(description: String?) -> String? {
        guard let description, description.hasPrefix("lifeline:") else { return nil }
        let parts = description.dropFirst("lifeline:".count).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[1].isEmpty else { return nil }
        return String(parts[1])
    }
}
