import Foundation
import Synchronization

/// Takes secrets out of text before it reaches an error, a log line, the journal or `/readyz`.
///
/// Two nets: the exact values lifeline holds (each secret key, session token, container or web
/// identity token it reads is registered here), and the shapes secrets have in echoed requests
/// (`Signature=…`, `X-Amz-Security-Token: …`, `Authorization: …`, JWTs), whatever their source.
public enum SecretScrubber {
    public static let mark = "[redacted]"
    private static let known = Mutex<Set<String>>([])

    /// From now on, `scrub` removes `secret` wherever it appears. Short values are not registered:
    /// they would cut ordinary words out of messages, and no real secret is that short.
    public static func register(_ secret: String?) {
        guard let secret, secret.count >= 8 else { return }
        known.withLock { _ = $0.insert(secret) }
    }

    /// Built per use (`Regex` is not `Sendable`), and used only when a line has one of their words.
    private static func shapes() -> [Regex<AnyRegexOutput>] {
        [
            // A header or parameter that carries a secret, as sent or as echoed in a canonical request.
            try! Regex(
                #"(?i)(x-amz-security-token|x-amz-signature|securitytoken|sessiontoken|session_token|secretaccesskey|secret_access_key|webidentitytoken|signature)(["']?\s*[:=]\s*["']?)[^\s"',&;<]+"#
            ),
            // An Authorization header's value, to the end of its line.
            try! Regex(#"(?i)(authorization)(["']?\s*[:=]\s*["']?)[^\r\n"'<]+"#),
        ]
    }
    private static func jwt() -> Regex<AnyRegexOutput> {
        try! Regex(#"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*"#)
    }

    public static func scrub(_ text: String) -> String {
        var out = text
        let secrets = known.withLock { $0 }
        for secret in secrets.sorted(by: { $0.count > $1.count }) where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: mark)
        }
        // The shapes' regexes cost far more than these checks: most lines carry none of their words.
        let lower = out.lowercased()
        guard ["token", "signature", "secret", "authorization", "eyj"].contains(where: { lower.contains($0) }) else {
            return out
        }
        for shape in shapes() {
            out = out.replacing(shape) { match in
                let key = match.output[1].substring ?? ""
                let separator = match.output[2].substring ?? "="
                return "\(key)\(separator)\(mark)"
            }
        }
        return out.replacing(jwt(), with: mark)
    }

    /// Text from outside made fit for one log or error line: secrets scrubbed, every control
    /// character (newline included) a space, runs of spaces one, and at most `limit` characters.
    public static func oneLine(_ text: String, limit: Int = 512) -> String {
        let scrubbed = scrub(text)
        var out = ""
        out.reserveCapacity(min(scrubbed.utf8.count, limit + 16))
        var count = 0
        var lastWasSpace = false
        for scalar in scrubbed.unicodeScalars {
            let space =
                scalar.properties.generalCategory == .control || scalar == " " || scalar == "\u{2028}"
                || scalar == "\u{2029}"
            if space {
                if lastWasSpace || count == 0 { continue }
                lastWasSpace = true
                out.unicodeScalars.append(" ")
            } else {
                lastWasSpace = false
                out.unicodeScalars.append(scalar)
            }
            count += 1
            if count >= limit {
                out += "… (cut at \(limit) characters)"
                break
            }
        }
        return out.hasSuffix(" ") ? String(out.dropLast()) : out
    }
}
