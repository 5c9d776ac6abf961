import AWSWire
import Foundation
import LifelineCore
import LifelineStore
import Logging
import Testing

@testable import LifelineRuntime

@Suite("event ingest: messages are hints, recorded before they are deleted")
struct EventIngestTests {
    /// A reconciler that has observed its groups once (unless `observed` is false), so it knows
    /// which Auto Scaling groups and hooks it owns.
    func ingest(
        _ account: FakeAccount,
        _ journal: any Journal,
        groups: [LifelineConfig.ManagedGroup] = FakeAccount.managed("prod"),
        observed: Bool = true
    ) async throws -> EventIngest {
        let reconciler = Reconciler(
            aws: account.services,
            journal: journal,
            groups: groups,
            queueURL: nil,
            logger: Logger(label: "test")
        )
        if observed { _ = try await reconciler.pass(dryRun: true) }
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

    func launch(
        group: String = "shop-prod",
        hook: String = "lifeline-launch-prod",
        instance: String = "i-1",
        token: String? = nil,
        time: String = "2027-01-15T08:00:00.000Z"
    ) -> String {
        """
        {"LifecycleHookName":"\(hook)","LifecycleTransition":"autoscaling:EC2_INSTANCE_LAUNCHING",\
        "AutoScalingGroupName":"\(group)","EC2InstanceId":"\(instance)",\
        "LifecycleActionToken":"\(token ?? "tok-\(instance)")","Time":"\(time)","NotificationMetadata":"shop/prod"}
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

    @Test("a message for a group or hook lifeline does not manage is released, hidden longer on each receive")
    func releasesForeign() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let outcome = try await ingest(account, journal).handle([
            message("m1", launch(group: "other-asg")),
            message("m2", launch(hook: "someone-elses-hook"), receives: 3),
        ])
        #expect(outcome.released == 2 && outcome.deleted == 0)
        #expect(
            account.calls("ChangeMessageVisibility") == [
                "ChangeMessageVisibility rh-m1 30", "ChangeMessageVisibility rh-m2 120",
            ]
        )
        #expect(EventIngest.foreignVisibility(receive: 40) == 43_200)
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("a scale-in message on lifeline's terminating hook is a hint: deleted, nothing recorded, not released")
    func terminatingIsAHint() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        var groups = FakeAccount.managed("prod")
        groups[0].policy.terminatingHook = true
        let body = launch(hook: "lifeline-terminate-prod").replacingOccurrences(
            of: "EC2_INSTANCE_LAUNCHING",
            with: "EC2_INSTANCE_TERMINATING"
        )
        let outcome = try await ingest(account, journal, groups: groups).handle([message("m1", body)])
        #expect(outcome.hinted == 1 && outcome.deleted == 1 && outcome.released == 0 && outcome.recorded == 0)
        #expect(try await journal.openActions().isEmpty)
        // Without terminating_hook the same message is someone else's.
        let foreign = try await ingest(account, journal).handle([message("m2", body)])
        #expect(foreign.released == 1 && foreign.hinted == 0)
    }

    @Test("a forged token for a waiting instance lifeline already has changes nothing")
    func forgedToken() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let ingest = try await ingest(account, journal)
        _ = try await ingest.handle([message("m1", launch())])
        let forged = try await ingest.handle([message("m2", launch(token: "forged", time: "2027-01-15T08:00:00Z"))])
        #expect(forged.recorded == 0 && forged.ignored == 1 && forged.deleted == 1)
        #expect(try await journal.openActions().map(\.token) == ["tok-i-1"])
        #expect(try await journal.action(token: "forged") == nil)
    }

    @Test("a message naming an instance Auto Scaling does not show waiting there records nothing")
    func notWaiting() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { $0.groups[0].instances[0].lifecycleState = "InService" }
        let journal = InMemoryJournal()
        let ingest = try await ingest(account, journal)
        let outcome = try await ingest.handle([
            message("m1", launch()), message("m2", launch(instance: "i-made-up")),
        ])
        #expect(outcome.recorded == 0 && outcome.ignored == 2 && outcome.deleted == 2)
        #expect(try await journal.actions(instanceIDs: ["i-1", "i-made-up"]).isEmpty)
    }

    @Test("an old Time cannot move the global deadline before what EC2's launch time allows")
    func oldTime() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let launched = Date(timeIntervalSince1970: 1_800_000_000 - 100)
        account.update { $0.instances[0].launchTime = launched }
        let journal = InMemoryJournal()
        _ = try await ingest(account, journal).handle([message("m1", launch(token: "t", time: "2026-01-01T00:00:00Z"))])
        let action = try #require(try await journal.action(token: "t"))
        #expect(action.globalDeadline == launched.addingTimeInterval(30_000))
        #expect(action.firstSeen == launched)
    }

    @Test("a replayed message for an action lifeline completed is ignored; a wait that began again later is new")
    func replay() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let ingest = try await ingest(account, journal)
        _ = try await ingest.handle([message("m1", launch())])
        var done = try #require(try await journal.action(token: "tok-i-1"))
        done.state = .completed
        done.result = .continue
        done.closedAt = Date(timeIntervalSince1970: 1_800_000_000 - 30)
        _ = try await journal.updateAction(done)
        let soon = try await ingest.handle([message("m1", launch())])
        #expect(soon.recorded == 0 && soon.ignored == 1)
        done = try #require(try await journal.action(token: "tok-i-1"))
        done.closedAt = Date(timeIntervalSince1970: 1_800_000_000 - 3600)
        _ = try await journal.updateAction(done)
        let later = try await ingest.handle([message("m1", launch())])
        #expect(later.recorded == 1)
        let open = try await journal.openActions()
        #expect(open.count == 1 && open[0].token != "tok-i-1" && open[0].instanceID == "i-1")
        #expect(try await journal.action(token: "tok-i-1")?.result == .continue)
    }

    @Test("before a pass has learned the owners, and while Auto Scaling cannot be asked, messages are held")
    func held() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        let journal = InMemoryJournal()
        let unobserved = try await ingest(account, journal, observed: false)
        let early = try await unobserved.handle([message("m1", launch()), message("m2", launch(group: "other-asg"))])
        #expect(early.held == 2 && early.released == 0 && early.deleted == 0)
        account.update { $0.failures["DescribeAutoScalingInstances"] = FakeAccount.error("X", "Throttling") }
        let blind = try await ingest(account, journal).handle([message("m1", launch())])
        #expect(blind.held == 1 && blind.recorded == 0 && blind.deleted == 0)
        #expect(try await journal.openActions().isEmpty)
    }

    @Test("an Auto Scaling group two deployment groups cover: each hook's message goes to its own group")
    func sharedGroup() async throws {
        let account = FakeAccount.sharedWithCanary(["i-1"])
        let journal = InMemoryJournal()
        let ingest = try await ingest(account, journal, groups: FakeAccount.managed("prod", "canary"))
        let outcome = try await ingest.handle([
            message("m1", launch(token: "t-prod", time: "2027-01-15T08:00:00Z")),
            message("m2", launch(hook: "lifeline-launch-canary", token: "t-canary")),
        ])
        #expect(outcome.recorded == 2)
        let prod = try #require(try await journal.action(token: "t-prod"))
        let canary = try #require(try await journal.action(token: "t-canary"))
        #expect(prod.deploymentGroup == "shop/prod" && prod.hookName == "lifeline-launch-prod")
        #expect(canary.deploymentGroup == "shop/canary" && canary.hookName == "lifeline-launch-canary")
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
