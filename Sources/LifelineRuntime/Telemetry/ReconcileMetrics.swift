import AWSWire
import Foundation
import LifelineCore
import Prometheus

/// What `serve` exposes on /metrics (DESIGN §5), in Prometheus' text format. One registry per
/// process, handed down explicitly (no global bootstrap), so that a test reads its own.
public final class ReconcileMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let nearestDeadline = NearestDeadline()

    public init() {
        // Series that exist from the start, so that a rate() over a fresh process is not empty.
        for result in ["CONTINUE", "ABANDON"] { _ = counter(Self.completions, ["result": result]) }
        _ = counter(Self.heartbeats)
        _ = counter(Self.deploymentsCreated)
        _ = counter(Self.deploymentsStopped)
        for outcome in ["ok", "failed"] { _ = counter(Self.passes, ["outcome": outcome]) }
    }

    /// The text a scrape of /metrics answers.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    // MARK: What lifeline did

    func heartbeatSent() { counter(Self.heartbeats).increment() }
    func completed(_ result: LifecycleAction.Result) {
        counter(Self.completions, ["result": result.rawValue]).increment()
    }
    func deploymentCreated() { counter(Self.deploymentsCreated).increment() }
    func deploymentStopped() { counter(Self.deploymentsStopped).increment() }
    /// A pass in which the group could not be reconciled (its reads or its intents failed).
    func groupFailed(_ group: DeploymentGroupName) {
        counter(Self.groupFailures, ["deployment_group": group.description]).increment()
    }
    func messages(_ outcome: String, _ count: Int) {
        if count > 0 { counter(Self.messages, ["outcome": outcome]).increment(by: Int64(count)) }
    }

    /// One AWS call, as the client reports it (`AWSClient`'s observer).
    public func record(_ call: AWSClient.CallRecord) {
        counter(Self.awsCalls, ["service": call.service, "operation": call.operation, "code": call.outcome]).increment()
        for outcome in call.attemptOutcomes {
            counter(Self.awsAttempts, ["service": call.service, "operation": call.operation, "code": outcome])
                .increment()
        }
        registry.makeDurationHistogram(
            descriptor: Self.awsLatency.descriptor,
            labels: [("service", call.service), ("operation", call.operation)],
            buckets: Self.latencyBuckets
        ).record(call.duration)
    }

    /// One pass of `serve`'s loop.
    func pass(ok: Bool, duration: Duration) {
        counter(Self.passes, ["outcome": ok ? "ok" : "failed"]).increment()
        registry.makeDurationHistogram(descriptor: Self.passDuration.descriptor, labels: [], buckets: Self.passBuckets)
            .record(duration)
    }

    // MARK: What the journal and the last pass show

    /// After a pass: open actions by state, the nearest deadline, each group's breaker and the
    /// instances the pass saw matched while EC2 says they are gone.
    func state(
        open: [LifecycleAction],
        breakers: [BreakerState],
        stale: [DeploymentGroupName: Int],
        groups: [DeploymentGroupName],
        failing: [DeploymentGroupName: String] = [:],
        now: Date
    ) {
        let byState = Dictionary(grouping: open, by: \.state)
        for state in LifecycleAction.State.open {
            gauge(Self.actions, ["state": state.rawValue]).set(to: Double(byState[state]?.count ?? 0))
        }
        let deadlines = open.compactMap { a in [a.heartbeatDeadline, a.globalDeadline].compactMap { $0 }.min() }
        nearestDeadline.set(deadlines.min().map { $0.timeIntervalSince(now) }, in: self)
        let openBreakers = Set(breakers.filter(\.isOpen).map(\.deploymentGroup))
        for group in groups {
            gauge(Self.breakerOpen, ["deployment_group": group.description]).set(
                to: openBreakers.contains(group.description) ? 1 : 0
            )
            gauge(Self.staleInstances, ["deployment_group": group.description]).set(to: Double(stale[group] ?? 0))
            gauge(Self.groupFailing, ["deployment_group": group.description]).set(to: failing[group] == nil ? 0 : 1)
            // Exported at 0 from the first pass, so that increase() sees a group's first failure.
            counter(Self.groupFailures, ["deployment_group": group.description]).increment(by: Int64(0))
        }
    }

    // MARK: Families

    struct Family: Sendable {
        var name: String, unit: String, help: String
        var descriptor: MetricNameDescriptor {
            MetricNameDescriptor(namespace: "lifeline", metricName: name, unitName: unit, helpText: help)
        }
    }

    static let actions = Family(
        name: "lifecycle_actions",
        unit: "",
        help: "Open lifecycle actions in the journal, by state."
    )
    static let heartbeats = Family(name: "heartbeats", unit: "total", help: "Lifecycle action heartbeats sent.")
    static let completions = Family(
        name: "completions",
        unit: "total",
        help: "Lifecycle actions completed by lifeline, by result."
    )
    static let deploymentsCreated = Family(
        name: "deployments_created",
        unit: "total",
        help: "Follow-on deployments lifeline created."
    )
    static let deploymentsStopped = Family(
        name: "deployments_stopped",
        unit: "total",
        help: "Stuck deployments lifeline stopped."
    )
    static let staleInstances = Family(
        name: "stale_instances",
        unit: "",
        help:
            "Stale instances (the audit's class) among those the last pass looked up in EC2: matched, and gone, "
            + "stopped or detached."
    )
    static let breakerOpen = Family(
        name: "loop_breaker_open",
        unit: "",
        help: "1 while the deployment group's loop breaker is open."
    )
    static let deadline = Family(
        name: "nearest_action_deadline",
        unit: "seconds",
        help: "Seconds to the nearest heartbeat or global deadline of an open action; absent when none is open."
    )
    static let groupFailures = Family(
        name: "group_failures",
        unit: "total",
        help: "Passes in which the deployment group could not be reconciled (a read or an intent failed)."
    )
    static let groupFailing = Family(
        name: "group_failing",
        unit: "",
        help: "1 while the deployment group's last pass failed; its heartbeats go on."
    )
    static let awsCalls = Family(
        name: "aws_calls",
        unit: "total",
        help: "AWS calls by service, operation and outcome (OK or the error code)."
    )
    static let awsAttempts = Family(
        name: "aws_attempts",
        unit: "total",
        help: "Every attempt of an AWS call by service, operation and outcome: retries and throttling included."
    )
    static let awsLatency = Family(
        name: "aws_call_duration",
        unit: "seconds",
        help: "AWS call latency, retries included."
    )
    static let passes = Family(name: "reconcile_passes", unit: "total", help: "Reconcile passes by outcome.")
    static let passDuration = Family(
        name: "reconcile_pass_duration",
        unit: "seconds",
        help: "How long a reconcile pass took."
    )
    static let messages = Family(
        name: "sqs_messages",
        unit: "total",
        help: "Queue messages by what lifeline did with them."
    )

    static let latencyBuckets: [Duration] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000].map {
        .milliseconds($0)
    }
    static let passBuckets: [Duration] = [10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000].map {
        .milliseconds($0)
    }

    private func counter(_ f: Family, _ labels: KeyValuePairs<String, String> = [:]) -> Counter {
        registry.makeCounter(descriptor: f.descriptor, labels: labels.map { ($0.key, $0.value) })
    }

    fileprivate func gauge(_ f: Family, _ labels: KeyValuePairs<String, String> = [:]) -> Gauge {
        registry.makeGauge(descriptor: f.descriptor, labels: labels.map { ($0.key, $0.value) })
    }
}

/// The deadline gauge exists only while an action is open: "no deadline" is not a number of seconds.
private final class NearestDeadline: @unchecked Sendable {
    private let lock = NSLock()
    private var gauge: Gauge?

    func set(_ seconds: TimeInterval?, in metrics: ReconcileMetrics) {
        lock.lock()
        defer { lock.unlock() }
        switch (seconds, gauge) {
        case let (seconds?, _):
            gauge = gauge ?? metrics.gauge(ReconcileMetrics.deadline)
            gauge?.set(to: seconds)
        case let (nil, existing?):
            metrics.registry.unregisterGauge(existing)
            gauge = nil
        case (nil, nil):
            break
        }
    }
}
