import LifelineRuntime
import Testing

private let group = "groups:\n  - application: shop\n    deployment_group: prod\n"

/// Files that are not one YAML document: each is refused on one line that names its line
/// (`ConfigTests.refused` runs them with the bad values).
let notYAMLConfigs: [BadConfig] = [
    BadConfig(
        name: "a tab where YAML wants spaces",
        yaml: "groups:\n  - application: shop\n\tdeployment_group: prod\n",
        error: "lifeline.yaml:3: yaml: not valid YAML: found a tab character that violates indentation"
    ),
    BadConfig(
        name: "an unclosed flow mapping",
        yaml: "region: us-east-1\n" + group + "  - {application: shop, deployment_group: blue\n",
        error: "lifeline.yaml:6: yaml: not valid YAML: did not find expected ',' or '}'"
    ),
    BadConfig(
        name: "a key twice in one mapping",
        yaml: "region: us-east-1\n" + group + "region: eu-west-1\n",
        error: "lifeline.yaml:5: yaml: not valid YAML: the key 'region' appears twice in one mapping"
    ),
    BadConfig(
        name: "a key twice in a long mapping",
        yaml: (0..<40).map { "k\($0): v\n" }.joined() + "k7: again\n",
        error: "lifeline.yaml:41: yaml: not valid YAML: the key 'k7' appears twice in one mapping"
    ),
    BadConfig(
        name: "a second document",
        yaml: group + "---\n" + group,
        error: "lifeline.yaml:4: yaml: not valid YAML: a second document begins here; a config file holds one "
            + "(remove the ---)"
    ),
    BadConfig(
        name: "an alias to no anchor",
        yaml: "groups:\n  - *shop\n",
        error: "lifeline.yaml:2: yaml: not valid YAML: the alias *shop names no anchor before it"
    ),
    BadConfig(
        name: "nesting deeper than any config",
        yaml: "groups: " + String(repeating: "[", count: 100) + String(repeating: "]", count: 100) + "\n",
        error: "lifeline.yaml:1: yaml: not valid YAML: nests deeper than 64 levels"
    ),
    BadConfig(
        name: "only comments",
        yaml: "# lifeline.yaml\n\n",
        error: "lifeline.yaml:1: groups: is required: list the deployment groups to manage "
            + "(application, deployment_group)"
    ),
]

/// `lifeline.yaml` as YAML: what libyaml's events compose into (`ConfigYAML`).
struct ConfigYAMLTests {
    @Test("anchors and aliases share settings between groups; every scalar is read as its text")
    func anchorsAndText() throws {
        let config = try LifelineConfig.parse(
            """
            retry_mode: adaptive
            groups:
              - application: shop
                deployment_group: "0123"
                hook: &hook {heartbeat_timeout: 600s, role_arn: 'arn:aws:iam::123456789012:role/h'}
                auto_scaling_groups: &asgs [web-1, "true", 007]
              - application: shop
                deployment_group: blue
                hook: *hook
                auto_scaling_groups: *asgs
                on_failure: CONTINUE
            """,
            file: "lifeline.yaml"
        )
        #expect(config.groups.map(\.name.name) == ["0123", "blue"])
        #expect(config.groups.map(\.policy.heartbeatTimeout) == [600, 600])
        #expect(config.groups[1].policy.hookRoleARN == "arn:aws:iam::123456789012:role/h")
        #expect(config.groups[1].policy.autoScalingGroups == ["web-1", "true", "007"])
        #expect(config.groups[1].policy.onFailure == .continue)
    }

    @Test("an empty file is a config without groups, not a YAML error")
    func empty() {
        do {
            _ = try LifelineConfig.parse("", file: "lifeline.yaml")
            Issue.record("an empty file loaded")
        } catch {
            #expect("\(error)".hasPrefix("lifeline.yaml:1: groups: is required"))
        }
    }
}
