import AWSWire
import ArgumentParser
import Foundation
import LifelineCore
import LifelineRuntime
import LifelineSim
import LifelineStore
import Logging

/// `lifeline demo` (DESIGN §5): the simulator and the service in one process, narrated for a
/// newcomer: a scale-out handled end to end, the seed-004 detach race with the loop breaker
/// opening, then the audit that names the ghost and its remedy.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The simulator and lifeline in one process: a scale-out, the detach race, the audit, narrated.",
        discussion: """
            Needs no AWS account and touches none: everything runs against lifeline's own loopback \
            simulator, with a journal in a temporary folder. Part 1: a group scales out; lifeline deploys \
            the last good revision to the new instances and continues them. Part 2: an instance is \
            detached and terminated mid-detach (seed 004); CodeDeploy's launch deployments wait on the \
            ghost and fail, the group relaunches, and lifeline (supervise mode, allowed to open the \
            breaker) opens the loop breaker and brings capacity back. Part 3: lifeline audit names the \
            ghost and prints the commands that fix it. About a minute.

            Examples:
              lifeline demo
              lifeline demo --html audit.html
            """
    )

    @Option(help: "Also write the audit as one self-contained HTML page to this file.")
    var html: String?

    func run() async throws {
        LoggingSystem.bootstrap { DemoLogHandler(label: $0) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-demo-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            try await DemoScenario.scaleOut(folder: folder).play()
            let report = try await DemoScenario.detachRace(folder: folder).play()
            if let html {
                try AuditFormat.html.render(report).write(toFile: html, atomically: true, encoding: .utf8)
                print("\n== the audit as a page: \(html)")
            }
        } catch let failure as DemoScenario.Failure {
            throw CommandFailure.exit("lifeline demo: \(failure.message)")
        }
    }
}

/// One act of the demo: a scenario file, lifeline's config for it, and what to wait for.
struct DemoScenario {
    struct Failure: Error { var message: String }

    var title: String
    var scenario: String
    var yaml: String
    var folder: URL
    var narration: [String]
    /// The act's end, read from the simulator's state and lifeline's journal; nil while it goes on.
    var done: @Sendable (SimControl, any Journal) async throws -> String?
    var audit = false

    static func scaleOut(folder: URL) -> DemoScenario {
        DemoScenario(
            title: "Part 1: a scale-out, handled end to end (own mode)",
            scenario: "clean-scale-out.json",
            yaml: """
                poll_interval: 1s
                groups:
                  - application: shop
                    deployment_group: prod
                    hook: {heartbeat_timeout: 300s, role_arn: arn:aws:iam::123456789012:role/lifeline-hook}
                """,
            folder: folder,
            narration: [
                "shop-prod runs 2 instances on app-1.zip; lifeline's launch hook notifies its queue.",
                "Two seconds in, the group scales to 4: the new instances wait in Pending:Wait until lifeline",
                "deploys the last good revision to them and completes their lifecycle actions.",
            ],
            done: { sim, _ in
                let live = try await sim.instances("shop-prod").filter { $0.state != "Terminated" }
                guard live.count == 4, live.allSatisfy({ $0.state == "InService" }) else { return nil }
                return "shop-prod has 4 instances InService: \(live.map(\.id).joined(separator: ", "))"
            }
        )
    }

    static func detachRace(folder: URL) -> DemoScenario {
        DemoScenario(
            title: "Part 2: the detach race of seed 004, and the loop breaker (supervise mode)",
            scenario: "detach-race.json",
            yaml: """
                poll_interval: 1s
                resync_interval: 2s
                groups:
                  - application: shop
                    deployment_group: prod
                    mode: supervise
                    allow: [open-breaker]
                    loop_breaker: {max_cycles: 3, window: 30m, result: continue}
                """,
            folder: folder,
            narration: [
                "CodeDeploy's own hook deploys here; the deployment group also selects app=shop by tag.",
                "An instance is terminated while its detach is in flight: it lingers, terminated, among the",
                "matches. Each launch deployment waits on the ghost until the agent times out (6 s here, an hour",
                "on AWS), fails and abandons the new instance; the group launches again: recursive limbo.",
            ],
            done: { sim, journal in
                guard let breaker = try await journal.breaker(deploymentGroup: "shop/prod"), breaker.isOpen else {
                    return nil
                }
                let live = try await sim.instances("shop-prod").filter { $0.state != "Terminated" }
                guard live.count == 2, live.allSatisfy({ $0.state == "InService" }) else { return nil }
                return "the loop breaker is open (\(breaker.reason ?? "")); shop-prod is back at 2 InService"
            },
            audit: true
        )
    }

    /// Starts the simulator and lifeline, waits for the act's end (at most 90 s), and returns the
    /// audit when the act asks for one.
    @discardableResult
    func play() async throws -> AuditReport {
        print("\n== \(title)")
        for line in narration { print("   \(line)") }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let path = root.appendingPathComponent("fixtures/scenarios/\(scenario)").path
        let data =
            FileManager.default.contents(atPath: path)
            ?? FileManager.default.contents(
                atPath: "fixtures/scenarios/\(scenario)"
            )
        guard let data else {
            throw Failure(message: "cannot find the scenario \(scenario) (run it from the repository)")
        }
        let simulator = try Simulator(scenario: data)
        let (urls, ready) = AsyncStream.makeStream(of: String.self)
        return try await withThrowingTaskGroup(of: AuditReport?.self) { tasks in
            tasks.addTask {
                try await simulator.run(host: "127.0.0.1", port: 0) { url in ready.yield(url) }
                return nil
            }
            var iterator = urls.makeAsyncIterator()
            guard let url = await iterator.next() else { throw Failure(message: "the simulator did not start") }
            print("   (lifeline sim at \(url); lifeline's decisions follow, one line each)\n")
            let (reconciler, journal, queue) = try await lifeline(url: url)
            tasks.addTask {
                let service = ReconcileService(
                    reconciler: reconciler,
                    queueURL: queue,
                    readiness: Readiness(maxPassAge: 120),
                    logger: Logger(label: "lifeline.serve")
                )
                try await service.run()
                return nil
            }
            let sim = SimControl(url: url)
            let deadline = ContinuousClock.now + .seconds(90)
            var outcome: String?
            while outcome == nil {
                guard ContinuousClock.now < deadline else {
                    throw Failure(message: "\(scenario) did not settle within 90 s")
                }
                try await Task.sleep(for: .milliseconds(250))
                outcome = try await done(sim, journal)
            }
            print("\n   → \(outcome!)")
            var report = AuditReport(generatedAt: Date(), groups: [])
            if audit {
                print(
                    "\n== Part 3: lifeline audit --group shop/prod   (what the deployment group matches, and the fix)"
                )
                report = try await reconciler.audit()
                for line in AuditFormat.table.render(report).split(separator: "\n", omittingEmptySubsequences: false) {
                    print("   \(line)")
                }
            }
            tasks.cancelAll()
            return report
        }
    }

    /// lifeline against the simulator: the AWS documentation's example key, a journal in `folder`.
    private func lifeline(url: String) async throws -> (Reconciler, any Journal, String) {
        let config = try LifelineConfig.parse(yaml, file: "demo.yaml", allowShortHooks: true)
        let environment = [
            "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true", "HOME": folder.path,
        ]
        let client = try AWSClient.fromEnvironment(
            AWSClient.Options(region: "us-east-1", profile: nil, endpointURL: url, allowInsecureEndpoint: false),
            environment: environment,
            logger: Logger(label: "lifeline.aws")
        )
        let journal = try SQLiteJournal(path: folder.appendingPathComponent("\(scenario).db").path)
        let queue = "\(url)/123456789012/lifeline-events"
        let reconciler = Reconciler(
            aws: AWSServices(client: client),
            journal: journal,
            groups: config.groups,
            queueURL: queue,
            logger: Logger(label: "lifeline.reconcile"),
            now: { client.awsNow() }
        )
        return (reconciler, journal, queue)
    }
}

/// The simulator's control API (`/_sim/state`), read over loopback.
struct SimControl: Sendable {
    struct Instance { var id: String, state: String }

    let url: String
    let transport = CurlTransport(proxy: ProxySettings())

    func instances(_ group: String) async throws -> [Instance] {
        let response = try await transport.send(HTTPRequest(method: "GET", url: URL(string: url + "/_sim/state")!))
        guard let state = try JSONSerialization.jsonObject(with: response.body) as? [String: Any],
            let groups = state["groups"] as? [[String: Any]]
        else { throw DemoScenario.Failure(message: "the simulator's state is unreadable") }
        let members = groups.first { $0["name"] as? String == group }?["instances"] as? [[String: Any]] ?? []
        return members.compactMap { member in
            guard let id = member["id"] as? String, let state = member["lifecycleState"] as? String else { return nil }
            return Instance(id: id, state: state)
        }
    }
}
