import Foundation
import Testing

@testable import AWSWire
@testable import LifelineRuntime

@Suite("log lines: a value from outside cannot forge a line, move the cursor or carry a secret")
struct LogLineTests {
    @Test("control characters in a value are escaped in text logs")
    func escaped() {
        let forged = "autoscaling:EC2_INSTANCE_LAUNCHING\n2026-12-02T00:00:00Z critical lifeline: forged\r\u{1B}[2J\t\\"
        let line = LogValue.escaped(forged)
        #expect(!line.contains("\n") && !line.contains("\r") && !line.contains("\u{1B}") && !line.contains("\t"))
        #expect(
            line
                == #"autoscaling:EC2_INSTANCE_LAUNCHING\n2026-12-02T00:00:00Z critical lifeline: forged\r\u{1b}[2J\t\\"#
        )
    }

    @Test("each value is capped")
    func capped() {
        let long = String(repeating: "x", count: 100_000)
        #expect(LogValue.clean(long).count == LogValue.maxValue + "… (cut)".count)
        #expect(LogValue.escaped(long).count == LogValue.maxValue + "… (cut)".count)
    }

    @Test("a registered secret and the shapes of secrets are scrubbed from every value")
    func scrubbed() {
        SecretScrubber.register("s3cr3t-value-of-the-log-tests")
        let value =
            "key s3cr3t-value-of-the-log-tests; X-Amz-Security-Token: FwoGZXIvYXdzEBc; "
            + "Authorization: AWS4-HMAC-SHA256 Credential=AKID/x, SignedHeaders=host, Signature=abcdef0123\n"
            + "token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl"
        let line = LogValue.escaped(value)
        #expect(!line.contains("s3cr3t-value") && !line.contains("FwoGZXIvYXdzEBc") && !line.contains("abcdef0123"))
        #expect(!line.contains("eyJzdWIiOiJzeXN0ZW0ifQ"))
        #expect(line.contains("X-Amz-Security-Token: [redacted]") && line.contains("Authorization: [redacted]"))
    }
}
