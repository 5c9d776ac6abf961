import Foundation
import LifelineCore
import LifelineRuntime
import Testing

/// What changes AWS: none of it may appear in a policy for a mode that does not do it.
private let mutating: Set<String> = [
    "autoscaling:CompleteLifecycleAction", "autoscaling:PutLifecycleHook", "autoscaling:RecordLifecycleActionHeartbeat",
    "codedeploy:CreateDeployment", "codedeploy:StopDeployment", "codedeploy:RegisterApplicationRevision",
    "iam:PassRole",
]

private func policy(_ yaml: String) throws -> IAMPolicy {
    let config = try LifelineConfig.parse(yaml, file: "lifeline.yaml")
    return IAMPolicy(
        IAMPolicy.Scope(
            groups: config.groups,
            queueURL: config.queueURL,
            region: config.region,
            leaseTable: config.lease?.table
        )
    )
}

private func statement(_ p: IAMPolicy, with action: String) -> IAMPolicy.Statement? {
    p.statements.first { $0.action.contains(action) }
}

@Suite struct IAMPolicyTests {
    @Test func ownModeFromAConfigIsScopedToItsGroupsQueueAndHookRole() throws {
        let p = try policy(
            """
            queue_url: https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events
            groups:
              - {application: shop, deployment_group: prod, hook: {role_arn: "arn:aws:iam::123456789012:role/hook"}}
              - {application: shop, deployment_group: canary}
            """
        )
        #expect(mutating.subtracting(p.actions).isEmpty, "own mode does everything")
        #expect(
            statement(p, with: "codedeploy:CreateDeployment")?.resource == [
                "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:shop/canary",
                "arn:aws:codedeploy:us-east-1:123456789012:deploymentgroup:shop/prod",
            ]
        )
        #expect(
            statement(p, with: "codedeploy:ListDeployments")?.resource
                == statement(p, with: "codedeploy:CreateDeployment")?.resource
        )
        #expect(
            statement(p, with: "sqs:ReceiveMessage")?.resource == ["arn:aws:sqs:us-east-1:123456789012:lifeline-events"]
        )
        let pass = try #require(statement(p, with: "iam:PassRole"))
        #expect(pass.resource == ["arn:aws:iam::123456789012:role/hook"])
        #expect(pass.condition == ["StringEquals": ["iam:PassedToService": "autoscaling.amazonaws.com"]])
        #expect(
            statement(p, with: "codedeploy:GetApplicationRevision")?.resource == [
                "arn:aws:codedeploy:us-east-1:123456789012:application:shop"
            ]
        )
    }

    @Test func superviseModeGetsOnlyWhatItsAllowancesUse() throws {
        let base = "groups:\n  - {application: shop, deployment_group: prod, mode: supervise"
        let none = try policy(base + "}\n")
        #expect(none.actions.isDisjoint(with: mutating), "\(none.actions.intersection(mutating))")
        #expect(statement(none, with: "sqs:ReceiveMessage") == nil, "no queue configured, none consumed")

        let stop = try policy(base + ", allow: [stop-stuck]}\n")
        #expect(stop.actions.intersection(mutating) == ["codedeploy:StopDeployment"])
        let abandon = try policy(base + ", allow: [abandon-gone]}\n")
        #expect(abandon.actions.intersection(mutating) == ["autoscaling:CompleteLifecycleAction"])
        // An open breaker completes waiting actions and stops a deployment that only waits on gone instances.
        let breaker = try policy(base + ", allow: [open-breaker]}\n")
        #expect(
            breaker.actions.intersection(mutating) == [
                "autoscaling:CompleteLifecycleAction", "codedeploy:StopDeployment",
            ]
        )
    }

    @Test func withoutAConfigCodeDeployActionsAreOnAnyGroupAndTheRoleOnlyForAutoScaling() {
        let p = IAMPolicy(IAMPolicy.Scope(groups: [], anyGroup: GroupPolicy(mode: .own), queueURL: nil, region: nil))
        #expect(statement(p, with: "codedeploy:CreateDeployment")?.resource == ["*"])
        #expect(
            statement(p, with: "iam:PassRole")?.condition?["StringEquals"]?["iam:PassedToService"]
                == "autoscaling.amazonaws.com"
        )
        #expect(
            statement(p, with: "codedeploy:GetDeploymentConfig")?.resource == [
                "arn:aws:codedeploy:*:*:deploymentconfig:*"
            ]
        )
    }

    @Test func aQueueURLThatIsNotSQSsShapeLeavesTheQueueUnscoped() throws {
        let p = try policy(
            "queue_url: http://127.0.0.1:4566/123456789012/lifeline-events\nregion: cn-north-1\ngroups:\n  - "
                + "{application: a, deployment_group: b}\n"
        )
        #expect(statement(p, with: "sqs:ReceiveMessage")?.resource == ["*"])
        #expect(
            statement(p, with: "codedeploy:CreateDeployment")?.resource == [
                "arn:aws-cn:codedeploy:cn-north-1:*:deploymentgroup:a/b"
            ]
        )
    }

    @Test func theJSONIsAPolicyDocument() throws {
        let p = IAMPolicy(
            IAMPolicy.Scope(groups: [], anyGroup: GroupPolicy(mode: .supervise), queueURL: nil, region: nil)
        )
        let text = p.json()
        #expect(text == p.json())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(Set(object.keys) == ["Version", "Statement"] && object["Version"] as? String == "2012-10-17")
        let statements = try #require(object["Statement"] as? [[String: Any]])
        #expect(
            statements.allSatisfy { $0["Effect"] as? String == "Allow" && ($0["Sid"] as? String)?.isEmpty == false }
        )
        #expect(Set(statements.compactMap { $0["Sid"] as? String }).count == statements.count, "Sids are unique")
    }

    @Test func leasesAddTheDynamoDBActionsOnTheirTableOnly() throws {
        let yaml = """
            queue_url: https://sqs.eu-west-1.amazonaws.com/123456789012/lifeline-events
            lease: {table: lifeline-leases, duration: 20s, owner: a}
            groups:
              - {application: shop, deployment_group: prod}
            """
        let p = try policy(yaml)
        let leases = try #require(statement(p, with: "dynamodb:PutItem"))
        #expect(leases.resource == ["arn:aws:dynamodb:eu-west-1:123456789012:table/lifeline-leases"])
        #expect(Set(leases.action).isSuperset(of: ["dynamodb:Scan", "dynamodb:DeleteItem", "dynamodb:CreateTable"]))
        let without = try policy(
            yaml.replacingOccurrences(of: "lease: {table: lifeline-leases, duration: 20s, owner: a}\n", with: "")
        )
        #expect(!without.actions.contains { $0.hasPrefix("dynamodb:") })
    }
}
