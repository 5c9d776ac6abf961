import ArgumentParser
import Foundation
import LifelineSim

struct SimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "Run the loopback AWS simulator (Auto Scaling, EC2, CodeDeploy, SQS).",
        discussion: """
            Prints the endpoint URL on its first line, then serves until SIGTERM or SIGINT. Point any \
            AWS client at it with --endpoint-url; it accepts the AWS documentation's example key \
            (AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY) in account 123456789012, us-east-1. \
            The control API is under /_sim/ (state, calls, events, scenario, scale, detach, terminate, \
            detach-race, faults, faults/update).

            Examples:
              lifeline sim
              lifeline sim --listen 127.0.0.1:4566 --scenario fixtures/scenarios/clean-scale-out.json
            """
    )

    @Option(help: "Address to listen on (loopback by default; port 0 picks a free one).")
    var listen = ListenAddress(host: "127.0.0.1", port: 0)

    @Flag(help: "Allow --listen on an address that is not loopback (the simulator accepts any credentials).")
    var listenBeyondLoopback = false

    @Option(help: "A scenario file to load (fixtures/scenarios/*.json).")
    var scenario: String?

    func run() async throws {
        if let refusal = listen.refusal(command: "sim", allowed: listenBeyondLoopback, flag: "--listen-beyond-loopback")
        {
            throw CommandFailure.exit(refusal)
        }
        guard !listen.isOff else {
            throw CommandFailure.exit(
                "lifeline sim: --listen off leaves the simulator nowhere to listen; give HOST:PORT"
            )
        }
        var data: Data?
        if let scenario {
            guard let d = FileManager.default.contents(atPath: scenario) else {
                throw CommandFailure.exit("lifeline sim: cannot read the scenario file \(scenario)")
            }
            data = d
        }
        let simulator: Simulator
        do {
            simulator = try Simulator(scenario: data)
        } catch {
            throw CommandFailure.exit("lifeline sim: \(scenario ?? "scenario"): \(error)")
        }
        try await simulator.run(host: listen.host, port: listen.port) { url in
            FileHandle.standardOutput.write(Data((url + "\n").utf8))
        }
    }
}
