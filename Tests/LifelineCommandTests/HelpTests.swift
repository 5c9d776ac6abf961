import Foundation
import Testing

@Suite("lifeline --help and completions")
struct HelpTests {
    static let commands: [[String]] = [
        ["serve"], ["reconcile"], ["audit"], ["breaker"], ["breaker", "status"], ["breaker", "reset"], ["history"],
        ["history", "show"], ["history", "prune"], ["doctor"], ["iam-policy"], ["sim"], ["demo"],
    ]

    @Test("every command's --help shows an example of itself", arguments: commands)
    func example(_ command: [String]) throws {
        let out = try BuiltBinary.run(command + ["--help"], environment: [:])
        #expect(out.status == 0)
        let examples = out.stdout.components(separatedBy: "Examples:").dropFirst().joined()
        #expect(
            examples.contains("lifeline " + command.joined(separator: " ")),
            "`lifeline \(command.joined(separator: " ")) --help` has no example of itself"
        )
    }

    @Test("shell completions come from argument-parser for bash, zsh and fish", arguments: ["bash", "zsh", "fish"])
    func completions(_ shell: String) throws {
        let out = try BuiltBinary.run(["--generate-completion-script", shell], environment: [:])
        #expect(out.status == 0)
        for word in ["serve", "reconcile", "audit", "prune"] { #expect(out.stdout.contains(word), "\(shell): \(word)") }
    }
}
