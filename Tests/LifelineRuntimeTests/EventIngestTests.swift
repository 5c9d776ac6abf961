import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("event ingest: messages are hints, recorded before they are deleted")
struct EventIngestTests {
    /// A reconciler that has observed shop/prod once, so it knows which Auto Scaling group it owns.
    func ingest(_ account: FakeAccount, _ journal: any Journal) async throws -> EventIngest {
        let reconciler = Reconciler(
            aws: account.services,
            journal: journal,
            groups: FakeAccount.managed("prod"),
            queueURL: nil,
            logger: Logger(label: "test")
        )
        _ = try await reconciler.pass(dryRun: true)
        return EventIngest(
            sqs: account,
            journal: journal,
            reconciler: reconciler,
            queueURL: "https://sqs.us-east-1.amazonaws.com/123456789012/lifeline-events",
            logger: Logger(label: "test"),
            now: { Date(timeIntervalSince1970: 1_800_000_000) }
        )
    }

    func message(_ id: String, _ body: String, receives: Int = 1) -> SQSMessage {
        SQSMessage(
            messageId: id,
            receiptHandle: "rh-\(id)",
            body: body,
            attributes: ["ApproximateReceiveCount": "\(receives)"]
        )
    }

    func launch(group: String = "shop-prod", hook: String = "lifeline-launch-prod", instance: String = "i-1") -> String
    {
        """
        {"LifecycleHookName":"\(hook)","LifecycleTransition":"autoscaling:EC2_INSTANCE_LAUNCHING",\
        "AutoScalingGroupName":"\(group)","EC2InstanceId":"\(instance)","LifecycleActionToken":"tok-\(instance)",\
        "Time":"2027-01-15T08:00:00.000Z","NotificationMetadata":"shop/prod"}
        """
    }

    @Test("a launch message for a managed group is recorded, then deleted")
    func recordsThenDeletes() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let outcome = try await ingest(account, journal).handle([message("m1", launch())])
        #expect(outcome.recorded == 1 && outcome.deleted == 1)
        let action = try #require(try await journal.action(token: "tok-i-1"))
        #expect(action.deploymentGroup == "shop/prod" && action.messageIDs == ["m1"])
        #expect(account.calls("DeleteMessageBatch") == ["DeleteMessageBatch rh-m1"])
    }

    @Test("a message for a group or hook lifeline does not manage is released at once, not deleted")
    func releasesForeign() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let outcome = try await ingest(account, journal).handle([
            message("m1", launch(group: "other-asg")),
            message("m2", launch(hook: "someone-elses-hook")),
        ])
        #expect(outcome.released == 2 && outcome.deleted == 0)
        #expect(
            account.calls("ChangeMessageVisibility") == [
                "ChangeMessageVisibility rh-m1 0", "ChangeMessageVisibility rh-m2 0",
            ]
        )
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("an unreadable body is kept until its third receive, then deleted")
    func unreadable() async throws {
        let account = FakeAccount.fleet(["prod": []])
        let ingest = try await ingest(account, InMemoryJournal())
        let early = try await ingest.handle([message("m1", "{not json", receives: 2)])
        #expect(early.kept == 1 && early.deleted == 0)
        let last = try await ingest.handle([message("m1", "{not json", receives: 3)])
        #expect(last.dropped == 1 && last.deleted == 1)
    }

    @Test("a test notification is acknowledged: deleted, nothing recorded")
    func testNotification() async throws {
        let account = FakeAccount.fleet(["prod": []])
        let journal = InMemoryJournal()
        let body =
            #"{"AutoScalingGroupName":"shop-prod","Service":"AWS Auto Scaling","Event":"autoscaling:TEST_NOTIFICATION"}"#
        let outcome = try await ingest(account, journal).handle([message("m1", body)])
        #expect(outcome.tests == 1 && outcome.deleted == 1 && outcome.recorded == 0)
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("when the journal cannot record the action the message is not deleted")
    func notDeletedUnlessRecorded() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = FailingJournal()
        let ingest = try await ingest(account, journal)
        journal.failRecords = true
        await #expect(throws: (any Error).self) { _ = try await ingest.handle([message("m1", launch())]) }
        #expect(account.calls("DeleteMessageBatch").isEmpty)
    }
}
