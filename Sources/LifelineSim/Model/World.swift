import Foundation

/// The simulated account: Auto Scaling, EC2, CodeDeploy and SQS state, advanced by `tick`.
/// Every AWS operation and control request goes through this actor, so the world is consistent.
actor World {
    var config: SimConfig
    var groups: [String: SimGroup] = [:]
    /// `groups`' names in order (`groupNamesInOrder`).
    var groupNamesSorted: [String] = []
    /// When the last tick ran, on the host's monotonic clock (`tickIfLate`).
    var lastTick = ProcessInfo.processInfo.systemUptime
    var instances: [String: SimInstance] = [:]
    /// Instance ids by tag key, then value: a superset of those carrying the tag (ids of instances
    /// gone, or whose tag was deleted, stay until the next rebuild; `matchSet` checks each). Built
    /// when first needed after a launch or a CreateTags (`instanceTagsChanged`).
    var tagIndex: [String: [String: [String]]]?
    /// Instances terminated and not yet forgotten: the tick looks only at these, not at every instance.
    var terminatedInstances: Set<String> = []
    var actions: [String: SimAction] = [:]
    /// When the tick next may have an action to time out (at or before the earliest deadline of an
    /// open action) and a finished one to forget: it walks the actions only then, not 20 times a second.
    var actionsDueAt = Date.distantPast
    var actionsForgottenAt = Date.distantPast
    var activities: [SimActivity] = []
    var queues: [String: SimQueue] = [:]
    /// Long polls waiting on a queue, woken when a message is sent to it (`waitForMessage`).
    var messageWaiters: [UUID: (queue: String, wake: CheckedContinuation<Void, Never>)] = [:]
    var applications: [String: (id: String, created: Date, platform: String)] = [:]
    var deploymentGroups: [String: SimDeploymentGroup] = [:]
    var deployments: [String: SimDeployment] = [:]
    var deploymentOrder: [String] = []
    /// Deployment group key → its active deployment (set by `startDeployment`, cleared by
    /// `endDeployment`): CodeDeploy's one-active-deployment rule without scanning every deployment.
    var activeDeployments: [String: String] = [:]
    /// Launch actions CodeDeploy's own hook holds until its group's active deployment ends.
    var codeDeployWaiting: [String: [String]] = [:]
    /// When each detach began: it completes a moment later, as on AWS.
    var detaching: [String: Date] = [:]
    var callCounts: [String: Int] = [:]
    /// Signed calls per identity (`/_sim/callers`): whose credentials a client really used.
    var callsByIdentity: [String: Int] = [:]
    var events: [[String: String]] = []
    var counter = 0
    /// Scenario steps not yet run, with when they are due.
    var scheduled: [(Date, Scenario.Step)] = []
    /// Where the simulator listens: queue URLs are built on it.
    var serverURL = "http://127.0.0.1"
    var random: SimRandom
    /// Keys STS or the SSO portal issued → the role session they sign as.
    var issuedIdentities: [String: String] = [:]
    /// SSO access tokens `/_sim/sso-token` registered → when each expires.
    var ssoTokens: [String: Date] = [:]

    init(config: SimConfig) {
        self.config = config
        random = SimRandom(seed: config.faults.seed)
    }

    /// The simulator's clock: real time, shifted by the clock-skew fault.
    var now: Date { Date().addingTimeInterval(config.faults.clockSkewSeconds) }

    func next() -> Int {
        counter += 1
        return counter
    }

    func log(_ kind: String, _ detail: [String: String]) {
        var event = detail
        event["kind"] = kind
        event["time"] = XMLWriter.timestamp(now)
        events.append(event)
        if events.count > 10_000 { events.removeFirst(events.count - 10_000) }
    }

    func count(_ service: SimRequest.Service, _ operation: String, by accessKeyID: String = "") {
        callCounts["\(service.rawValue).\(operation)", default: 0] += 1
        if !accessKeyID.isEmpty { callsByIdentity[identity(of: accessKeyID), default: 0] += 1 }
    }

    // MARK: - Dispatch

    /// Answers one AWS request: the body and content type, or a `SimError`.
    func handle(_ request: SimRequest) throws -> (contentType: String, body: String) {
        switch request.service {
        case .autoscaling: return ("text/xml", try autoScaling(request))
        case .ec2: return ("text/xml;charset=UTF-8", try ec2(request))
        case .codedeploy: return ("application/x-amz-json-1.1", try codeDeploy(request))
        case .sqs: return ("application/x-amz-json-1.0", try sqs(request))
        case .sts: return ("text/xml", try sts(request))
        }
    }

    /// The fault to inject for this call, if any (seeded, so runs repeat).
    /// The fault a call meets before it takes effect, if any.
    func fault(for request: SimRequest) -> InjectedFault? {
        if let scoped = scopedFault(request, after: false) { return .scoped(scoped) }
        let faults = config.faults
        let operation = request.operation
        let throttle =
            faults.throttleRate[operation] ?? faults.throttleRate["\(request.service.rawValue).\(operation)"]
            ?? faults.throttleRate["*"] ?? 0
        if throttle > 0, random.unit() < throttle { return .throttle }
        if faults.serverErrorRate > 0, random.unit() < faults.serverErrorRate { return .serverError }
        if faults.resetRate > 0, random.unit() < faults.resetRate { return .reset }
        return nil
    }

    /// The fault a call meets after it took effect: its answer is lost.
    func faultAfter(for request: SimRequest) -> InjectedFault? {
        if let scoped = scopedFault(request, after: true) { return .scoped(scoped) }
        let faults = config.faults
        if faults.serverErrorAfterRate > 0, random.unit() < faults.serverErrorAfterRate { return .serverError }
        if faults.resetAfterRate > 0, random.unit() < faults.resetAfterRate { return .reset }
        return nil
    }

    private func scopedFault(_ request: SimRequest, after: Bool) -> SimError? {
        let operation = request.operation
        let match = config.faults.scoped.first { fault in
            fault.after == after
                && (fault.operation == operation || fault.operation == "\(request.service.rawValue).\(operation)")
                && (fault.resource.map { request.names($0) } ?? true)
        }
        return match.map { SimError(code: $0.code, message: $0.message, status: $0.status) }
    }

    func latency(for service: SimRequest.Service, operation: String) -> Double {
        let faults = config.faults
        let extra =
            faults.latencyByOperation[operation] ?? faults.latencyByOperation["\(service.rawValue).\(operation)"]
        return faults.latencyMilliseconds + (extra ?? 0)
    }

    func secret(for accessKeyID: String) -> String? { config.credentials[accessKeyID] }

    var skipAuth: Bool { config.skipAuth }

    func setServerURL(_ url: String) { serverURL = url }

    func resetFaults(_ faults: SimConfig.Faults) {
        let moved = faults.clockSkewSeconds - config.faults.clockSkewSeconds
        config.faults = faults
        random = SimRandom(seed: faults.seed)
        moveClock(by: moved)
    }
}

enum InjectedFault: Sendable {
    case throttle, serverError, reset
    case scoped(SimError)
}

/// SplitMix64: small, seeded, reproducible.
struct SimRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}
