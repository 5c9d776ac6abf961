import AWSWire
import ArgumentParser
import Foundation

/// `--listen HOST:PORT` (port 0 picks a free one); `off` for none where a command allows it.
struct ListenAddress: ExpressibleByArgument, CustomStringConvertible {
    var host: String
    var port: Int
    var isOff: Bool { port < 0 }

    init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    init?(argument: String) {
        if argument == "off" {
            self.init(host: "", port: -1)
            return
        }
        guard let colon = argument.lastIndex(of: ":"), let port = Int(argument[argument.index(after: colon)...]),
            (0...65535).contains(port),
            colon != argument.startIndex
        else { return nil }
        self.init(host: String(argument[..<colon]), port: port)
    }

    /// 127.0.0.0/8, ::1 and localhost: where a listener is reachable from this host only (the
    /// transport's own rule for plain HTTP, `URL.isLoopback`).
    var isLoopback: Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return URL(string: "http://\(bare.contains(":") ? "[\(bare)]" : bare)/")?.isLoopback ?? false
    }

    /// Nil when lifeline may listen here; else the one-line refusal. Beyond loopback only when the
    /// operator said so with `flag`: /metrics and /readyz name groups, instances and errors.
    func refusal(command: String, allowed: Bool, flag: String) -> String? {
        guard !isOff, !isLoopback, !allowed else { return nil }
        return "lifeline \(command): --listen \(description) is not a loopback address; anyone who can reach it "
            + "reads what it serves. Pass \(flag) to listen there anyway"
    }

    var description: String { isOff ? "off" : "\(host):\(port)" }
    var defaultValueDescription: String { description }
}
