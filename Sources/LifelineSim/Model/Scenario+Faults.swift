import Foundation

/// The `faults` of a scenario, and of `POST /_sim/faults` (replace) and `/_sim/faults/update`
/// (only the keys given change).
extension Scenario {
    static func faults(_ f: Reader, over base: SimConfig.Faults = SimConfig.Faults()) throws -> SimConfig.Faults {
        var faults = base
        if let rate = try f.double("throttleRate") { faults.throttleRate["*"] = rate }
        for (op, rate) in try f.doubleMap("throttleRateByOperation") ?? [:] { faults.throttleRate[op] = rate }
        faults.serverErrorRate = try f.double("serverErrorRate") ?? faults.serverErrorRate
        faults.resetRate = try f.double("resetRate") ?? faults.resetRate
        faults.serverErrorAfterRate = try f.double("serverErrorAfterRate") ?? faults.serverErrorAfterRate
        faults.resetAfterRate = try f.double("resetAfterRate") ?? faults.resetAfterRate
        faults.latencyMilliseconds = try f.double("latencyMs") ?? faults.latencyMilliseconds
        for (op, latency) in try f.doubleMap("latencyMsByOperation") ?? [:] { faults.latencyByOperation[op] = latency }
        for (name, latency) in [("latencyMs", faults.latencyMilliseconds)]
            + faults.latencyByOperation.map({ ("latencyMsByOperation.\($0.key)", $0.value) })
        where !(0...600_000).contains(latency) {
            throw ScenarioError("\(f.path)\(name) must be between 0 and 600000 milliseconds")
        }
        faults.clockSkewSeconds = try f.double("clockSkewSeconds") ?? faults.clockSkewSeconds
        guard abs(faults.clockSkewSeconds) <= 86_400 else {
            throw ScenarioError("\(f.path)clockSkewSeconds must be within a day (±86400)")
        }
        faults.seed = try f.int("seed").map(UInt64.init) ?? faults.seed
        if let errors = try f.objects("errors") {
            faults.scoped = try errors.map { e in
                SimConfig.ScopedFault(
                    operation: try e.requiredString("operation"),
                    resource: try e.string("resource"),
                    code: try e.requiredString("code"),
                    message: try e.string("message") ?? "injected by the simulator",
                    status: try e.int("status") ?? 400,
                    after: try e.bool("after") ?? false
                )
            }
        }
        let rates = [
            ("serverErrorRate", faults.serverErrorRate), ("resetRate", faults.resetRate),
            ("serverErrorAfterRate", faults.serverErrorAfterRate), ("resetAfterRate", faults.resetAfterRate),
        ]
        for (name, rate) in rates + faults.throttleRate.map({ ("throttleRate", $0.value) }) {
            guard (0...1).contains(rate) else { throw ScenarioError("\(f.path)\(name) must be between 0 and 1") }
        }
        return faults
    }
}
