import LifelineCore
import Testing

@Suite("durations in config and flags")
struct DurationTextTests {
    @Test(
        "units s, m, h, d and bare seconds",
        arguments: [
            ("300s", 300.0), ("30m", 1800), ("2h", 7200), ("7d", 604_800), ("45", 45), (" 1.5h ", 5400), ("\t10M", 600),
            ("0.25s", 0.25),
        ]
    )
    func parses(text: String, seconds: Double) {
        #expect(DurationText.seconds(text) == seconds)
    }

    @Test(
        "anything else is refused",
        arguments: [
            "", "soon", "h", "-5m", "5w", "1h30m", "1.h", ".5h", "1..5s", "1.2.3s", "1e3s", "inf", "nan", "+5s", "٣s",
        ]
    )
    func refuses(text: String) {
        #expect(DurationText.seconds(text) == nil)
    }

    @Test("a revision reads as a person would name it")
    func revisionSummary() {
        #expect(
            Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "k.zip", bundleType: "zip", version: "v3"))
                .summary == "s3://b/k.zip@v3 (zip)"
        )
        #expect(
            Revision(revisionType: "GitHub", gitHubLocation: .init(repository: "o/r", commitId: "0123456789abcdef"))
                .summary == "github o/r@0123456"
        )
    }
}
