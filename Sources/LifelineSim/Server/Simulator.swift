import Foundation
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

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
        let responder = router.buildResponder()
        let logger = Logger(label: "lifeline.sim")
        // The server is built from HummingbirdCore rather than `Application`, which would overwrite
        // every Date header with the real time: the clock-skew fault needs the simulated one.
        // One event loop serves every connection, and the request handlers run on it too
        // (`LoopExecutor`): a request costs no hand-off between threads, so the simulator's CPU per
        // call stays below that of the client it serves (DESIGN §9).
        let loops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let executor = LoopExecutor(loops.next())
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: .hostname(host, port: port)),
            eventLoopGroup: loops,
            logger: logger,
            responder: { request, responseWriter, channel in
                let context = BasicRequestContext(source: .init(channel: channel, logger: logger))
                // The ticker below moves the world 20 times a second; should it stall, requests do.
                await world.tickIfLate()
                // The control API runs off the loop: a harness polling a big world's whole event log
                // (megabytes of JSON) would otherwise hold up the AWS calls it is timing.
                let control = request.uri.path.hasPrefix("/_sim/")
                var response: Response
                do {
                    response = try await withTaskExecutorPreference(control ? globalConcurrentExecutor : nil) {
                        try await responder.respond(to: request, context: context)
                    }
                } catch {
                    response = Response(status: .internalServerError)
                }
                if response.headers[.date] == nil { response.headers[.date] = AWSFrontDoor.httpDate(await world.now) }
                try await responseWriter.write(response: response.head, body: response.body)
            },
            onServerRunning: { channel in
                let url = "http://\(host):\(channel.localAddress?.port ?? port)"
                await world.setServerURL(url)
                if let scenario { try? await world.load(scenario) }
                await onReady(url)
            }
        )
        // LIFELINE_SIM_TICKER=off: no ticker, requests alone move the world (tests of `tickIfLate`).
        let ticking = ProcessInfo.processInfo.environment["LIFELINE_SIM_TICKER"] != "off"
        let ticker = Task(executorPreference: executor) {
            while ticking, !Task.isCancelled {
                await world.tick()
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        defer { ticker.cancel() }
        let services = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        do {
            try await withTaskExecutorPreference(executor) { try await services.run() }
        } catch {
            try? await loops.shutdownGracefully()
            throw error
        }
        try? await loops.shutdownGracefully()
    }
}

/// A NIO event loop as a `TaskExecutor`: the jobs of the tasks that prefer it run on the loop's thread.
final class LoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(_ loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
