import ArgumentParser
import Foundation

/// A one-line error for the user on standard error, and exit status 1: no usage dump, no trace.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

extension CommandFailure {
    static func exit(_ message: String, code: Int32 = 1) -> ExitCode {
        FileHandle.standardError.write(Data((message + "\n").utf8))
        return ExitCode(code)
    }
}
