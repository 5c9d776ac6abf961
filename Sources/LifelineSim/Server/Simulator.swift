import Foundation
import Hummingbird
import NIOCore

/// `lifeline sim`: Auto Scaling, EC2, CodeDeploy and SQS on one loopback port, plus the control
/// API under `/_sim/`. Serves until SIGTERM or SIGINT.
public struct Simulator: Sendable {
    let world: World
    let scenario: Scenario?

    /// - Parameter scenario: the contents of a scenario file (fixtures/scenarios), or nil for an
    ///   empty account.
    public init(scenario data: Data?) throws {
        let scenario = try data.map(Scenario.init(json:))
        self.scenario = scenario
        world = World(config: scenario?.config ?? SimConfig())
    }

    public func run(host: String, port: Int, onReady: @escaping @Sendable (String) async -> Void) async throws {
        let router = Router()
        ControlAPI(world: world).register(on: router)
        let aws = AWSFrontDoor(world: world)
        router.post("/") { request, _ in try await aws.respond(request) }
        router.post("**") { request, _ in try await aws.respond(request) }
        let world = self.world
        let scenario = self.scenario
        let app = Application(
            router: router, configuration: .init(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                let url = "http://\(host):\(channel.localAddress?.port ?? port)"
                await world.setServerURL(url)
                if let scenario { try? await world.load(scenario) }
                await onReady(url)
            })
        let ticker = Task {
            while !Task.isCancelled {
                await world.tick()
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { ticker.cancel() }
        try await app.runService()
    }
}
