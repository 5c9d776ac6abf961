import Foundation
import Prometheus

/// The lease series of /metrics (DESIGN §11), in serve's registry: leases held, acquired, lost, and
/// how long a renewal takes.
public final class LeaseMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        held(0)
        _ = registry.makeCounter(descriptor: Self.acquiredFamily.descriptor)
        _ = registry.makeCounter(descriptor: Self.lostFamily.descriptor)
    }

    func held(_ count: Int) { registry.makeGauge(descriptor: Self.heldFamily.descriptor).set(Double(count)) }
    func acquired() { registry.makeCounter(descriptor: Self.acquiredFamily.descriptor).increment() }
    func lost() { registry.makeCounter(descriptor: Self.lostFamily.descriptor).increment() }
    func renewed(after duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.renewalFamily.descriptor,
            labels: [],
            buckets: ReconcileMetrics.latencyBuckets
        ).record(duration)
    }

    typealias Family = ReconcileMetrics.Family
    static let heldFamily = Family(
        name: "leases_held",
        unit: "",
        help: "Deployment groups this replica holds a lease on."
    )
    static let acquiredFamily = Family(name: "leases_acquired", unit: "total", help: "Leases this replica took.")
    static let lostFamily = Family(
        name: "leases_lost",
        unit: "total",
        help: "Leases this replica lost: a renewal failed, lost a race, or did not come within the duration."
    )
    static let renewalFamily = Family(
        name: "lease_renewal",
        unit: "seconds",
        help: "How long a lease renewal took, the table's read included."
    )
}
