import ArgumentParser

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

    var description: String { isOff ? "off" : "\(host):\(port)" }
    var defaultValueDescription: String { description }
}
