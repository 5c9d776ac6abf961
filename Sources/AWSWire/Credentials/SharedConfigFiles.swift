import Foundation

/// `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` / `AWS_CONFIG_FILE`):
/// INI sections, `[name]` in the first, `[default]` or `[profile name]` in the second.
public struct SharedConfigFiles: Sendable {
    public let profileName: String
    /// The profile was asked for (`--profile`, `AWS_PROFILE`, `AWS_DEFAULT_PROFILE`), not assumed:
    /// if it cannot be resolved, that is an error, never a fall through to another identity.
    public let profileIsExplicit: Bool
    /// Either file has a section for the profile.
    public let profileFound: Bool
    public let credentialsPath: String
    public let configPath: String
    public let credentialsSection: [String: String]
    public let configSection: [String: String]
    /// The config file's `[sso-session NAME]` sections, by name.
    let ssoSessions: [String: [String: String]]

    public init(environment env: [String: String], profile explicitProfile: String? = nil) {
        let home = env["HOME"] ?? NSHomeDirectory()
        let asked = explicitProfile ?? env["AWS_PROFILE"] ?? env["AWS_DEFAULT_PROFILE"]
        let name = asked ?? "default"
        profileName = name
        profileIsExplicit = asked != nil
        credentialsPath = env["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        configPath = env["AWS_CONFIG_FILE"] ?? home + "/.aws/config"
        let credentials = Self.sections(atPath: credentialsPath)[name]
        let config = Self.sections(atPath: configPath)
        let configured = (name == "default" ? config["default"] : nil) ?? config["profile \(name)"]
        profileFound = credentials != nil || configured != nil
        credentialsSection = credentials ?? [:]
        configSection = configured ?? [:]
        ssoSessions = Dictionary(
            uniqueKeysWithValues: config.compactMap { name, section in
                name.hasPrefix("sso-session ") ? (String(name.dropFirst("sso-session ".count)), section) : nil
            }
        )
    }

    /// The `[sso-session NAME]` section a profile's `sso_session` names.
    func ssoSession(_ name: String) -> [String: String]? { ssoSessions[name] }

    /// A key of the profile, from the config file, else the credentials file.
    public subscript(key: String) -> String? { configSection[key] ?? credentialsSection[key] }

    public var region: String? { configSection["region"] }

    static func sections(atPath path: String) -> [String: [String: String]] {
        guard let text = try? String(contentsOfFile: (path as NSString).expandingTildeInPath, encoding: .utf8) else {
            return [:]
        }
        return parse(text)
    }

    /// Comments (`#`, `;`) and blank lines are skipped; keys are trimmed and lower-cased.
    static func parse(_ text: String) -> [String: [String: String]] {
        var result: [String: [String: String]] = [:]
        var current: String?
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                let name = line.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                    .split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                current = name
                if result[name] == nil { result[name] = [:] }
            } else if let current, let eq = line.firstIndex(of: "=") {
                let key = line[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
                let value = line[line.index(after: eq)...].trimmingCharacters(in: .whitespaces)
                result[current]?[key] = value
            }
        }
        return result
    }
}
