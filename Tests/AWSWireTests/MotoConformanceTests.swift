import Foundation
import Testing

@testable import AWSWire

/// lifeline's clients against the real moto server, which verifies every SigV4 signature with
/// botocore. Operations moto does not implement are listed in the README with what covers them.
@Suite("conformance with moto")
struct MotoConformanceTests {
    @Test("moto rejects a request signed with the wrong secret: signatures are really checked")
    func signaturesAreChecked() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let error = await #expect(throws: AWSError.self) {
            _ = try await AutoScalingClient(client: try moto.client(secret: "not-the-secret"))
                .describeAutoScalingGroups(names: [])
        }
        #expect(error?.kind == .service)
        #expect(error?.httpStatus == 403)
        #expect(error?.code == "SignatureDoesNotMatch")
    }

    @Test("Auto Scaling: groups, instances, hooks and activities")
    func autoScaling() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let asg = AutoScalingClient(client: try moto.client())
        let groups = try await asg.describeAutoScalingGroups(names: [moto.info.group])
        #expect(groups.map(\.name) == [moto.info.group])
        #expect(Set(groups[0].instances.map(\.instanceID)) == Set(moto.info.instances))
        #expect(groups[0].instances.allSatisfy { $0.lifecycleState == "InService" })
        #expect(groups[0].tags["app"] == "shop")
        #expect(try await asg.describeAutoScalingGroups(names: []).count == 1)
        #expect(try await asg.describeAutoScalingGroups(names: ["no-such-group"]).isEmpty)
        // Filters on the group's tags: any value of one filter, every filter.
        func filtered(_ filters: [(String, [String])]) async throws -> [String] {
            try await asg.describeAutoScalingGroups(
                filters: filters.map { AutoScalingGroupFilter(name: $0, values: $1) }
            )
            .map(\.name)
        }
        #expect(try await filtered([("tag:app", ["cart", "shop"])]) == [moto.info.group])
        #expect(try await filtered([("tag:app", ["cart"])]).isEmpty)
        #expect(try await filtered([("tag-key", ["tier", "app"])]) == [moto.info.group])
        #expect(try await filtered([("tag-value", ["shop"])]) == [moto.info.group])
        #expect(try await filtered([("tag-key", ["app"]), ("tag-value", ["cart"])]).isEmpty)

        let details = try await asg.describeAutoScalingInstances(ids: moto.info.instances + ["i-00000000000000000"])
        #expect(Set(details.map(\.instanceID)) == Set(moto.info.instances))
        #expect(details.allSatisfy { $0.groupName == moto.info.group })

        let hook = LifecycleHook(
            name: "lifeline-launch-prod",
            groupName: moto.info.group,
            transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
            notificationTargetARN: moto.info.queue_arn,
            roleARN: "arn:aws:iam::123456789012:role/lifeline-hook-notify",
            notificationMetadata: #"{"owner":"lifeline"}"#,
            heartbeatTimeout: 300,
            defaultResult: "ABANDON"
        )
        try await asg.putLifecycleHook(hook)
        let hooks = try await asg.describeLifecycleHooks(group: moto.info.group)
        #expect(hooks.count == 1)
        #expect(hooks.first?.name == hook.name)
        #expect(hooks.first?.heartbeatTimeout == 300)
        #expect(hooks.first?.defaultResult == "ABANDON")
        // moto 5.2.1 answers a fixed NotificationTargetARN (…:my-queue) whatever was put: not checked here.
        try await asg.deleteLifecycleHook(group: moto.info.group, hook: hook.name)
        #expect(try await asg.describeLifecycleHooks(group: moto.info.group).isEmpty)

        _ = try await asg.describeScalingActivities(group: moto.info.group, limit: 20)
    }

    @Test("EC2: instances by id (an unknown id does not fail the batch) and by tag")
    func ec2() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let ec2 = EC2Client(client: try moto.client())
        let byID = try await ec2.describeInstances(ids: moto.info.instances + ["i-0123456789abcdef0"])
        #expect(Set(byID.map(\.instanceID)) == Set(moto.info.instances))
        #expect(byID.allSatisfy { $0.state == "running" })
        #expect(byID.allSatisfy { $0.tags["aws:autoscaling:groupName"] == moto.info.group })
        let byTag = try await ec2.describeInstances(filters: [EC2Filter("tag:app", ["shop"])])
        #expect(Set(byTag.map(\.instanceID)) == Set(moto.info.instances))
        #expect(try await ec2.describeInstances(filters: [EC2Filter("tag:app", ["other"])]).isEmpty)
    }

    @Test("CodeDeploy: applications, groups, and deployments")
    func codeDeploy() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let cd = CodeDeployClient(client: try moto.client())
        #expect(try await cd.listApplications() == [moto.info.application])
        #expect(try await cd.listDeploymentGroups(application: moto.info.application) == [moto.info.deployment_group])
        let group = try await cd.getDeploymentGroup(
            application: moto.info.application,
            name: moto.info.deployment_group
        )
        #expect(group.deploymentGroupName == moto.info.deployment_group)
        #expect(group.ec2TagFilters == [EC2TagFilter(key: "app", value: "shop", type: "KEY_AND_VALUE")])

        let revision = RevisionLocation(
            revisionType: "S3",
            s3Location: S3Location(bucket: "shop-artifacts", key: "app-2.zip", bundleType: "zip")
        )
        let id = try await cd.createDeployment(
            CreateDeploymentInput(
                applicationName: moto.info.application,
                deploymentGroupName: moto.info.deployment_group,
                revision: revision,
                description: "lifeline:shop/prod:plan-1",
                updateOutdatedInstancesOnly: true
            )
        )
        let deployment = try await cd.getDeployment(id: id)
        #expect(deployment.deploymentId == id)
        #expect(deployment.revision?.s3Location?.key == "app-2.zip")
        #expect(deployment.description == "lifeline:shop/prod:plan-1")
        #expect(deployment.createTime != nil)

        let both = try await cd.batchGetDeployments(ids: [id, moto.info.deployment_id])
        #expect(Set(both.compactMap(\.deploymentId)) == [id, moto.info.deployment_id])
        let listed = try await cd.listDeployments(
            application: moto.info.application,
            group: moto.info.deployment_group,
            statuses: [],
            createdAfter: nil
        )
        #expect(Set(listed).isSuperset(of: [id, moto.info.deployment_id]))
    }

    @Test("SQS: long poll, attributes, visibility, delete one and in batches")
    func sqs() async throws {
        let moto = try MotoWorld()
        defer { moto.stop() }
        let sqs = SQSClient(client: try moto.client())
        let queue = moto.info.queue_url
        let attributes = try await sqs.getQueueAttributes(queueURL: queue, names: [])
        #expect(attributes["QueueArn"] == moto.info.queue_arn)
        #expect(attributes["ApproximateNumberOfMessages"] == "3")

        let messages = try await sqs.receiveMessages(queueURL: queue, max: 10, waitSeconds: 1, visibilityTimeout: 30)
        #expect(messages.count == 3)
        #expect(messages.allSatisfy { $0.receiveCount == 1 && $0.body.contains("TEST_NOTIFICATION") })

        try await sqs.changeMessageVisibility(
            queueURL: queue,
            receiptHandle: messages[0].receiptHandle,
            visibilityTimeout: 0
        )
        let again = try await sqs.receiveMessages(queueURL: queue, max: 10, waitSeconds: 1, visibilityTimeout: 30)
        #expect(again.map(\.messageId) == [messages[0].messageId])
        #expect(again.first?.receiveCount == 2)

        try await sqs.deleteMessage(queueURL: queue, receiptHandle: again[0].receiptHandle)
        let failures = try await sqs.deleteMessages(
            queueURL: queue,
            receiptHandles: messages.dropFirst().map(\.receiptHandle)
        )
        #expect(failures.isEmpty)
        let empty = try await sqs.receiveMessages(queueURL: queue, max: 10, waitSeconds: 1, visibilityTimeout: 0)
        #expect(empty.isEmpty)
    }
}
