import Foundation
import LifelineCore
import LifelineRuntime
import Testing

/// One bad `lifeline.yaml` and the one-line error it must get: the file, the line, the key, the fix.
struct BadConfig: CustomTestStringConvertible, Sendable {
    var name: String
    var yaml: String
    var error: String
    var testDescription: String { name }
}

private let queue = "queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events\n"
private func group(_ extra: String = "") -> String {
    "groups:\n  - application: shop\n    deployment_group: prod\n" + extra
}

let badConfigs: [BadConfig] = [
    BadConfig(
        name: "an infinite duration",
        yaml: "resync_interval: infs\n" + group(),
        error: "lifeline.yaml:1: resync_interval: 'infs' is not a duration; write it like 300s, 30m or 2h"
    ),
    BadConfig(
        name: "a terminating hook in supervise mode",
        yaml: group("    mode: supervise\n    terminating_hook: true\n"),
        error: "lifeline.yaml:5: groups[0].terminating_hook: is own mode's: in supervise mode CodeDeploy owns the hooks"
    ),
    BadConfig(
        name: "a terminating_hook that is not true or false",
        yaml: group("    terminating_hook: maybe\n"),
        error: "lifeline.yaml:4: groups[0].terminating_hook: 'maybe' is not true or false"
    ),
    BadConfig(
        name: "a lease without its table",
        yaml: "lease: {duration: 20s}\n" + group(),
        error: "lifeline.yaml:1: lease.table: is required"
    ),
    BadConfig(
        name: "a lease table name DynamoDB refuses",
        yaml: "lease: {table: 'my table'}\n" + group(),
        error: "lifeline.yaml:1: lease.table: 'my table' is not a DynamoDB table name (3-255 of A-Z a-z 0-9 _ - .)"
    ),
    BadConfig(
        name: "a lease shorter than 3 seconds",
        yaml: "lease: {table: leases, duration: 1s}\n" + group(),
        error: "lifeline.yaml:1: lease.duration: '1s' is out of range: 3s to 10m"
    ),
    BadConfig(
        name: "an unknown lease key",
        yaml: "lease: {table: leases, ttl: 5}\n" + group(),
        error: "lifeline.yaml:1: lease.ttl: is not a known key (known: duration, owner, table)"
    ),
    BadConfig(
        name: "a retention shorter than a day",
        yaml: "retention: 12h\n" + group(),
        error: "lifeline.yaml:1: retention: '12h' is out of range: 1d to 3650d"
    ),
    BadConfig(
        name: "a duration with an exponent",
        yaml: "poll_interval: 1e17s\n" + group(),
        error: "lifeline.yaml:1: poll_interval: '1e17s' is not a duration; write it like 300s, 30m or 2h"
    ),
    BadConfig(
        name: "a duration too large for any integer",
        yaml: group("    loop_breaker: {window: 1" + String(repeating: "0", count: 300) + "s}\n"),
        error: "lifeline.yaml:4: groups[0].loop_breaker.window: '1" + String(repeating: "0", count: 300)
            + "s' is not a duration; write it like 300s, 30m or 2h"
    ),
    BadConfig(
        name: "a resync interval past its maximum",
        yaml: "resync_interval: 2h\n" + group(),
        error: "lifeline.yaml:1: resync_interval: '2h' is out of range: 1s to 1h"
    ),
    BadConfig(
        name: "a breaker window past its maximum",
        yaml: group("    loop_breaker: {window: 30d}\n"),
        error: "lifeline.yaml:4: groups[0].loop_breaker.window: '30d' is out of range: 1m to 7d"
    ),
    BadConfig(
        name: "a heartbeat timeout under AWS's 30 s",
        yaml: group("    hook: {heartbeat_timeout: 10s}\n"),
        error: "lifeline.yaml:4: groups[0].hook.heartbeat_timeout: '10s' is out of range: 30s to 2h"
    ),
    BadConfig(
        name: "a heartbeat timeout over AWS's 7200 s",
        yaml: group("    hook: {heartbeat_timeout: 3h}\n"),
        error: "lifeline.yaml:4: groups[0].hook.heartbeat_timeout: '3h' is out of range: 30s to 2h"
    ),
    BadConfig(
        name: "a heartbeat timeout in fractions of a second",
        yaml: group("    hook: {heartbeat_timeout: 30.5s}\n"),
        error: "lifeline.yaml:4: groups[0].hook.heartbeat_timeout: must be whole seconds (AWS takes 30s to 7200s)"
    ),
    BadConfig(
        name: "a queue URL that is not a queue's",
        yaml: "queue_url: https://example.com/\n" + group(),
        error: "lifeline.yaml:1: queue_url: is not a queue URL: its path must be /ACCOUNT/NAME; "
            + "write it like https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
    ),
    BadConfig(
        name: "a queue URL with a password in it",
        yaml: "queue_url: https://user:hunter2@sqs.us-east-1.amazonaws.com/123456789012/q\n" + group(),
        error: "lifeline.yaml:1: queue_url: must not carry a user or password (lifeline signs its requests); "
            + "write it like https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
    ),
    BadConfig(
        name: "a queue URL that is a file",
        yaml: "queue_url: file:///etc/passwd\n" + group(),
        error: "lifeline.yaml:1: queue_url: is not a queue URL; "
            + "write it like https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events"
    ),
    BadConfig(
        name: "a region that would change the endpoint's host",
        yaml: "region: evil.example.com/x\n" + queue + group(),
        error: "lifeline.yaml:1: region: 'evil.example.com/x' is not a region; write it like us-east-1"
    ),
    BadConfig(
        name: "a deployment group that cannot name a hook",
        yaml: "groups:\n  - application: shop\n    deployment_group: prod blue\n",
        error: "lifeline.yaml:3: groups[0].deployment_group: 'prod blue' cannot name lifeline's hook "
            + "lifeline-launch-<deployment_group>: use 1–100 letters, digits, - and _"
    ),
    BadConfig(
        name: "an application with a slash",
        yaml: "groups:\n  - application: shop/x\n    deployment_group: prod\n",
        error: "lifeline.yaml:2: groups[0].application: 'shop/x' is not an application name (1–100 characters, no /)"
    ),
    BadConfig(
        name: "an application with a control character",
        yaml: "groups:\n  - application: \"shop\\ax\"\n    deployment_group: prod\n",
        error:
            "lifeline.yaml:2: groups[0].application: 'shop\u{7}x' is not an application name (1–100 characters, no /)"
    ),
    BadConfig(
        name: "an application with an invisible format character",
        yaml: "groups:\n  - application: \"shop\\u200Bx\"\n    deployment_group: prod\n",
        error: "lifeline.yaml:2: groups[0].application: 'shop\u{200B}x' is not an application name "
            + "(1–100 characters, no /)"
    ),
    BadConfig(
        name: "a role that is not an ARN",
        yaml: group("    hook: {role_arn: lifeline-hook}\n"),
        error: "lifeline.yaml:4: groups[0].hook.role_arn: 'lifeline-hook' is not a role ARN; "
            + "write it like arn:aws:iam::123456789012:role/NAME"
    ),
    BadConfig(
        name: "a cycle count no loop reaches",
        yaml: group("    loop_breaker: {max_cycles: 99999999999999999999}\n"),
        error: "lifeline.yaml:4: groups[0].loop_breaker.max_cycles: '99999999999999999999' is not a whole number "
            + "from 1 to 1000"
    ),
    BadConfig(
        name: "a request rate that is not finite",
        yaml: "max_requests_per_second: .inf\n" + group(),
        error: "lifeline.yaml:1: max_requests_per_second: '.inf' is not a rate; "
            + "write requests per second per service, 0 to 10000 (0: no ceiling)"
    ),
    BadConfig(
        name: "a group listed twice",
        yaml: group() + "  - application: shop\n    deployment_group: prod\n",
        error: "lifeline.yaml:5: groups[1].deployment_group: shop/prod is listed twice"
    ),
    BadConfig(
        name: "an unknown key after known ones, named at its own line",
        yaml: "groups:\n  - application: shop\n    deployment_group: prod\n    colour: blue\n",
        error: "lifeline.yaml:4: groups[0].colour: is not a known key (known: allow, application, "
            + "auto_scaling_groups, deployment_group, hook, loop_breaker, mode, on_failure, terminating_hook)"
    ),
    BadConfig(
        name: "an unknown key",
        yaml: group("    hook: {heartbeat: 30s}\n"),
        error: "lifeline.yaml:4: groups[0].hook.heartbeat: is not a known key (known: heartbeat_timeout, role_arn)"
    ),
    BadConfig(
        name: "groups that are not a list",
        yaml: "groups: shop/prod\n",
        error: "lifeline.yaml:1: groups: must be a list"
    ),
]

@Suite("config: every bad value gets one line naming the file, the line and the key")
struct ConfigTests {
    @Test("a bad config is refused", arguments: badConfigs + notYAMLConfigs)
    func refused(_ bad: BadConfig) {
        #expect(throws: ConfigError.self) { try LifelineConfig.parse(bad.yaml, file: "lifeline.yaml") }
        do {
            _ = try LifelineConfig.parse(bad.yaml, file: "lifeline.yaml")
        } catch {
            #expect("\(error)" == bad.error)
            #expect(!"\(error)".contains("\n"))
        }
    }

    @Test("the edges of each range load")
    func edges() throws {
        let config = try LifelineConfig.parse(
            "region: us-gov-west-1\n" + queue + "resync_interval: 1h\npoll_interval: 1s\nretention: 3650d\n"
                + group("    hook: {heartbeat_timeout: 30s, role_arn: arn:aws-cn:iam::123456789012:role/x}\n")
                + "    loop_breaker: {window: 7d, max_cycles: 1000}\n"
                + "  - application: shop\n    deployment_group: canary-2_b\n    hook: {heartbeat_timeout: 7200s}\n",
            file: "lifeline.yaml"
        )
        #expect(config.resyncInterval == 3600)
        #expect(config.retention == 3650 * 86_400)
        #expect(try LifelineConfig.parse(group(), file: "lifeline.yaml").retention == 90 * 86_400, "default 90d")
        #expect(config.groups.map(\.policy.heartbeatTimeout) == [30, 7200])
        #expect(config.groups[0].policy.loopBreaker.window == 7 * 86_400)
    }

    @Test("the simulator's short hooks load only when asked for")
    func shortHooks() throws {
        let yaml = group("    hook: {heartbeat_timeout: 2s}\n")
        #expect(throws: ConfigError.self) { try LifelineConfig.parse(yaml, file: "lifeline.yaml") }
        let config = try LifelineConfig.parse(yaml, file: "lifeline.yaml", allowShortHooks: true)
        #expect(config.groups[0].policy.heartbeatTimeout == 2)
    }

    @Test("a queue URL of a VPC endpoint, a FIFO queue or the simulator loads")
    func queueURLs() {
        for url in [
            "https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events",
            "https://vpce-0123-abcd.sqs.us-east-1.vpce.amazonaws.com/123456789012/q.fifo",
            "http://127.0.0.1:4566/123456789012/lifeline-events",
        ] {
            #expect(ConfigLimits.queueURLProblem(url) == nil, "\(url)")
        }
    }

    @Test("role ARNs and deployment group names: what AWS accepts, nothing else")
    func namesAndARNs() {
        for good in [
            "arn:aws:iam::123456789012:role/lifeline-hook", "arn:aws-cn:iam::123456789012:role/x",
            "arn:aws-us-gov:iam::123456789012:role/path/to/r",
        ] {
            #expect(ConfigLimits.isRoleARN(good), "\(good)")
        }
        for bad in [
            "lifeline-hook", "arn:aws:iam::12345678901:role/x", "arn:aws:iam::123456789012:user/x",
            "arn:aws:iam::123456789012:role/", "arn:aws:sts::123456789012:role/x",
            "arn:aws:iam:us-east-1:123456789012:role/x",
            "arn:aws:iam::123456789012:role/a b", "arn:aws:iam::123456789012:role/ロール",
            "arn:aws:iam::12345678901a:role/x",
            "arn:aws:iam::123456789012:role/x\n",
            "arn:aws:iam::123456789012:role/" + String(repeating: "r", count: 2048),
        ] {
            #expect(!ConfigLimits.isRoleARN(bad), "\(bad)")
        }
        for good in ["g", "web-prod_2", String(repeating: "a", count: 100)] {
            #expect(ConfigLimits.isDeploymentGroupName(good), "\(good)")
        }
        for bad in ["", "a/b", "a b", "é", "grüppe", String(repeating: "a", count: 101), "a.b"] {
            #expect(!ConfigLimits.isDeploymentGroupName(bad), "\(bad)")
        }
    }

    @Test("durations: what people write, and nothing that would trap later")
    func durations() {
        #expect(DurationText.seconds("300s") == 300)
        #expect(DurationText.seconds("1.5m") == 90)
        #expect(DurationText.seconds("7d") == 604_800)
        #expect(DurationText.seconds("45") == 45)
        for bad in [
            "infs", "nan", "1e17s", "-5s", "+5s", "0x10s", ".5s", "5.s", "s", "",
            "1" + String(repeating: "0", count: 20),
        ] {
            #expect(DurationText.seconds(bad) == nil, "\(bad)")
        }
        #expect(DurationText.text(.infinity) == "infs")
        #expect(DurationText.text(1e300) == "1e+300s")
    }
}
