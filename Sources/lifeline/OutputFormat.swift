import ArgumentParser
import LifelineRuntime

/// `--format` / `--output` of the commands that print a table for people or JSON for programs.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case table, json
}

/// `lifeline audit --format`: `--help` lists the values.
extension AuditFormat: ExpressibleByArgument {}

/// `lifeline audit --only`: the part of the report to keep.
enum AuditSubset: String, CaseIterable, ExpressibleByArgument {
    /// The stale instances and the findings about them.
    case stale
}
