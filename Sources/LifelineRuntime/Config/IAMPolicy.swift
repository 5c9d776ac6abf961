import Foundation
import LifelineCore

/// `lifeline iam-policy` (DESIGN §10): the least privilege lifeline needs for the groups it manages
/// and what their mode and allowances let it do. Scoped to the config's deployment groups, queue
/// and hook roles where IAM lets an action be scoped; `*` where it does not (Describe* calls).
public struct IAMPolicy: Encodable, Equatable, Sendable {
    public struct Statement: Encodable, Equatable, Sendable {
        public var sid: String
        public var effect = "Allow"
        public var action: [String]
        public var resource: [String]
        public var condition: [String: [String: String]]?

        init(sid: String, action: [String], resource: [String], condition: [String: [String: String]]? = nil) {
            self.sid = sid
            self.action = action
            self.resource = resource
            self.condition = condition
        }

        enum CodingKeys: String, CodingKey {
            case sid = "Sid"
            case effect = "Effect"
            case action = "Action"
            case resource = "Resource"
            case condition = "Condition"
        }
    }

    public var version = "2012-10-17"
    public var statements: [Statement]

    enum CodingKeys: String, CodingKey {
        case version = "Version"
        case statements = "Statement"
    }

    /// What the policy is built from: the managed groups (or, without a config, one mode for all).
    public struct Scope: Sendable {
        public var groups: [LifelineConfig.ManagedGroup]
        /// With no config: which deployment groups is unknown, so CodeDeploy actions are on `*`.
        public var anyGroup: GroupPolicy?
        public var queueURL: String?
        public var region: String?
        /// The lease table's name when replicas share the groups (DESIGN §11).
        public var leaseTable: String?

        public init(
            groups: [LifelineConfig.ManagedGroup],
            anyGroup: GroupPolicy? = nil,
            queueURL: String?,
            region: String?,
            leaseTable: String? = nil
        ) {
            self.groups = groups
            self.anyGroup = anyGroup
            self.queueURL = queueURL
            self.region = region
            self.leaseTable = leaseTable
        }
    }

    public init(_ scope: Scope) {
        let policies = scope.groups.map(\.policy) + (scope.anyGroup.map { [$0] } ?? [])
        let queue = scope.queueURL.flatMap(Self.queueARN)
        let region = scope.region ?? queue?.region ?? "*"
        let account = queue?.account ?? "*"
        let partition = region.hasPrefix("cn-") ? "aws-cn" : "aws"
        let codeDeploy = { (kind: String, name: String) in
            "arn:\(partition):codedeploy:\(region):\(account):\(kind):\(name)"
        }
        let groupARNs =
            scope.anyGroup != nil
            ? ["*"] : scope.groups.map { codeDeploy("deploymentgroup", $0.name.description) }.sorted()
        let owning = policies.contains { $0.mode == .own }

        var statements = [
            IAMPolicy.Statement(
                sid: "ObserveGroupsHooksAndInstances",
                action: [
                    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeLifecycleHooks", "ec2:DescribeInstances",
                ],
                resource: ["*"]
            ),
            IAMPolicy.Statement(
                sid: "ObserveDeployments",
                action: [
                    "codedeploy:BatchGetDeploymentGroups", "codedeploy:BatchGetDeployments",
                    "codedeploy:BatchGetDeploymentTargets",
                    "codedeploy:ListDeploymentTargets", "codedeploy:ListDeployments",
                ],
                resource: groupARNs
            ),
        ]
        if scope.queueURL != nil || owning {
            statements.append(
                IAMPolicy.Statement(
                    sid: "ConsumeLifecycleNotifications",
                    action: [
                        "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
                        "sqs:ReceiveMessage",
                    ],
                    resource: [queue?.arn ?? "*"]
                )
            )
        }
        // Completing actions: own mode always; supervise for instances that are gone or while the breaker is open.
        let completes = policies.contains { $0.may(.abandonGone) || $0.may(.openBreaker) }
        var actions =
            owning
            ? [
                "autoscaling:CompleteLifecycleAction", "autoscaling:PutLifecycleHook",
                "autoscaling:RecordLifecycleActionHeartbeat",
            ]
            : completes ? ["autoscaling:CompleteLifecycleAction"] : []
        if !actions.isEmpty {
            statements.append(
                IAMPolicy.Statement(
                    sid: owning ? "OwnLaunchHooksAndTheirActions" : "CompleteLifecycleActions",
                    action: actions,
                    resource: ["*"]
                )
            )
        }
        if owning {
            let roles = Set(scope.groups.compactMap(\.policy.hookRoleARN)).sorted()
            statements.append(
                IAMPolicy.Statement(
                    sid: "LetTheHookNotifyTheQueue",
                    action: ["iam:PassRole"],
                    resource: roles.isEmpty ? ["*"] : roles,
                    condition: ["StringEquals": ["iam:PassedToService": "autoscaling.amazonaws.com"]]
                )
            )
        }
        // An open breaker also stops a deployment that only waits on gone instances (DESIGN §4).
        let stops = policies.contains { $0.may(.stopStuck) || $0.may(.openBreaker) }
        actions = (owning ? ["codedeploy:CreateDeployment"] : []) + (stops ? ["codedeploy:StopDeployment"] : [])
        if !actions.isEmpty {
            statements.append(
                IAMPolicy.Statement(
                    sid: "DeployToNewInstancesAndStopStuckDeployments",
                    action: actions,
                    resource: groupARNs
                )
            )
        }
        if owning {
            // CreateDeployment reads the revision and the deployment config it deploys with.
            let apps =
                scope.anyGroup != nil
                ? ["*"]
                : Set(scope.groups.filter { $0.policy.mode == .own }.map(\.name.application)).sorted()
                    .map { codeDeploy("application", $0) }
            statements.append(
                IAMPolicy.Statement(
                    sid: "ReadTheRevisionDeployed",
                    action: ["codedeploy:GetApplicationRevision", "codedeploy:RegisterApplicationRevision"],
                    resource: apps
                )
            )
            statements.append(
                IAMPolicy.Statement(
                    sid: "ReadTheDeploymentConfig",
                    action: ["codedeploy:GetDeploymentConfig"],
                    resource: [codeDeploy("deploymentconfig", "*")]
                )
            )
        }
        if let table = scope.leaseTable {
            // Every replica reads and writes the leases; `lease init` also creates the table.
            statements.append(
                IAMPolicy.Statement(
                    sid: "ShareTheGroupsThroughLeases",
                    action: [
                        "dynamodb:CreateTable", "dynamodb:DeleteItem", "dynamodb:DescribeTable", "dynamodb:GetItem",
                        "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:UpdateItem", "dynamodb:UpdateTimeToLive",
                    ],
                    resource: ["arn:\(partition):dynamodb:\(region):\(account):table/\(table)"]
                )
            )
        }
        self.statements = statements
    }

    /// `https://sqs.REGION.amazonaws.com/ACCOUNT/NAME` → its ARN parts (nil for other shapes, e.g. a simulator's).
    static func queueARN(_ url: String) -> (arn: String, region: String, account: String)? {
        guard let u = URL(string: url), let host = u.host, host.hasPrefix("sqs."), u.pathComponents.count == 3 else {
            return nil
        }
        let region = host.split(separator: ".")[1]
        let (account, name) = (u.pathComponents[1], u.pathComponents[2])
        guard account.allSatisfy(\.isNumber), account.count == 12 else { return nil }
        let partition = host.hasSuffix(".cn") ? "aws-cn" : "aws"
        return ("arn:\(partition):sqs:\(region):\(account):\(name)", String(region), account)
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]  // the same bytes every run
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Every action the policy allows.
    public var actions: Set<String> { Set(statements.flatMap(\.action)) }
}
