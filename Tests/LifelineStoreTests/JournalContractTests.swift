import Foundation
import LifelineCore
import Testing

@testable import LifelineStore

/// The implementations the contract runs against.
enum JournalKind: String, CaseIterable, CustomTestStringConvertible, Sendable {
    case inMemory, sqlite
    var testDescription: String { rawValue }

    func make() throws -> any Journal {
        switch self {
        case .inMemory: return InMemoryJournal()
        case .sqlite: return try SQLiteJournal(path: TempDB().path)
        }
    }
}

/// A database path in a fresh temporary folder.
struct TempDB {
    let folder: URL
    var path: String { folder.appendingPathComponent("lifeline.db").path }

    init() {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lifeline-store-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
}

let t0 = Date(timeIntervalSince1970: 1_800_000_000)

func action(
    _ token: String,
    instance: String = "i-1",
    at: Date = t0,
    state: LifecycleAction.State = .waiting,
    messages: [String] = []
) -> LifecycleAction {
    LifecycleAction(
        token: token,
        instanceID: instance,
        hookName: "lifeline-launch-prod",
        autoScalingGroup: "shop-prod",
        deploymentGroup: "shop/prod",
        firstSeen: at,
        heartbeatDeadline: at.addingTimeInterval(300),
        globalDeadline: at.addingTimeInterval(30_000),
        state: state,
        messageIDs: messages
    )
}

let revision = Revision(revisionType: "S3", s3Location: .init(bucket: "b", key: "app-1.zip", bundleType: "zip"))

@Suite("journal contract", .serialized)
struct JournalContractTests {
    @Test(
        "recording an action twice keeps one, merges message ids, and never resets its state",
        arguments: JournalKind.allCases
    )
    func idempotentRecord(kind: JournalKind) async throws {
        let journal = try kind.make()
        let first = try await journal.recordAction(action("tok-1", messages: ["m1"]))
        #expect(first.version == 1)
        var progressed = first
        progressed.state = .deploying
        progressed = try await journal.updateAction(progressed)
        let again = try await journal.recordAction(action("tok-1", messages: ["m1", "m2"]))
        #expect(again.state == .deploying)
        #expect(again.messageIDs == ["m1", "m2"])
        let same = try await journal.recordAction(action("tok-1", messages: ["m2"]))
        #expect(same.version == again.version, "nothing new, nothing written")
        #expect(try await journal.openActions().map(\.token) == ["tok-1"])
    }

    @Test(
        "a heartbeat is recorded on the action as it is now, whoever wrote it since; a finished one gets none",
        arguments: JournalKind.allCases
    )
    func recordHeartbeat(kind: JournalKind) async throws {
        let journal = try kind.make()
        let read = try await journal.recordAction(action("tok-1"))
        var changed = read
        changed.state = .completing
        changed.result = .continue
        _ = try await journal.updateAction(changed)  // another writer, after `read` was taken
        let beat = t0.addingTimeInterval(100)
        let stored = try await journal.recordHeartbeat(token: "tok-1", at: beat, timeout: 60)
        #expect(stored?.state == .completing && stored?.result == .continue, "the other writer's change stays")
        #expect(stored?.heartbeatDeadline == beat.addingTimeInterval(60) && stored?.heartbeatsSent == 1)
        #expect(try await journal.action(token: "tok-1") == stored)
        var done = try #require(stored)
        done.state = .completed
        _ = try await journal.updateAction(done)
        #expect(try await journal.recordHeartbeat(token: "tok-1", at: beat, timeout: 60) == nil)
        #expect(try await journal.recordHeartbeat(token: "unknown", at: beat, timeout: 60) == nil)
    }

    @Test("open actions are the waiting, deploying and completing ones, oldest first", arguments: JournalKind.allCases)
    func openActions(kind: JournalKind) async throws {
        let journal = try kind.make()
        _ = try await journal.recordActions([
            action("c", at: t0.addingTimeInterval(30), state: .completing), action("a", at: t0.addingTimeInterval(10)),
            action("done", at: t0, state: .completed), action("gone", at: t0, state: .closed),
            action("b", at: t0.addingTimeInterval(20), state: .deploying),
        ])
        #expect(try await journal.openActions().map(\.token) == ["a", "b", "c"])
        #expect(try await journal.action(token: "done")?.state == .completed)
        #expect(try await journal.action(token: "missing") == nil)
    }

    @Test(
        "actions by instance include finished ones, so a completed instance is never adopted again",
        arguments: JournalKind.allCases
    )
    func actionsByInstance(kind: JournalKind) async throws {
        let journal = try kind.make()
        _ = try await journal.recordActions([
            action("old", instance: "i-1", at: t0, state: .completed),
            action("new", instance: "i-1", at: t0.addingTimeInterval(5)),
            action("other", instance: "i-2"),
        ])
        #expect(try await journal.actions(instanceIDs: ["i-1", "i-9"]).map(\.token) == ["old", "new"])
        #expect(try await journal.actions(instanceIDs: []).isEmpty)
    }

    @Test(
        "two workers completing one action: exactly one wins, the other gets a conflict",
        arguments: JournalKind.allCases
    )
    func optimisticConcurrency(kind: JournalKind) async throws {
        let journal = try kind.make()
        let read = try await journal.recordAction(action("tok"))
        let outcomes = await withTaskGroup(of: Result<LifecycleAction, any Error>.self) { group in
            for result in [LifecycleAction.Result.continue, .abandon] {
                group.addTask {
                    var mine = read
                    mine.state = .completed
                    mine.result = result
                    do { return .success(try await journal.updateAction(mine)) } catch { return .failure(error) }
                }
            }
            var all: [Result<LifecycleAction, any Error>] = []
            for await r in group { all.append(r) }
            return all
        }
        let wins = outcomes.compactMap { try? $0.get() }
        #expect(wins.count == 1)
        let losses = outcomes.compactMap { if case .failure(let e) = $0 { e as? StoreError } else { nil } }
        #expect(losses.map(\.code) == [.conflict])
        #expect(try await journal.action(token: "tok")?.result == wins.first?.result)
        #expect(try await journal.action(token: "tok")?.version == 2)
    }

    @Test(
        "an intent is open until its outcome, and its outcome lands with the action and deployment it changed",
        arguments: JournalKind.allCases
    )
    func intents(kind: JournalKind) async throws {
        let journal = try kind.make()
        let stored = try await journal.recordAction(action("tok"))
        let intent = try await journal.beginIntent(
            Intent(
                kind: .createDeployment,
                deploymentGroup: "shop/prod",
                actionToken: "tok",
                planID: "plan-1",
                payload: #"{"revision":"app-1"}"#,
                createdAt: t0
            )
        )
        let other = try await journal.beginIntent(Intent(kind: .heartbeat, actionToken: "tok", createdAt: t0))
        #expect(try await journal.openIntents().map(\.id) == [intent.id, other.id])
        #expect(try await journal.openIntents().first?.planID == "plan-1")

        var deploying = stored
        deploying.state = .deploying
        let deployment = DeploymentRecord(
            id: "d-1",
            deploymentGroup: "shop/prod",
            planID: "plan-1",
            revision: revision,
            instances: ["i-1"],
            status: "Created",
            createdAt: t0
        )
        try await journal.finishIntent(
            id: intent.id!,
            outcome: .done,
            detail: nil,
            at: t0.addingTimeInterval(1),
            action: deploying,
            deployment: deployment
        )
        #expect(try await journal.openIntents().map(\.id) == [other.id])
        #expect(try await journal.action(token: "tok")?.state == .deploying)
        #expect(try await journal.deployment(id: "d-1") == deployment)

        await #expect(throws: StoreError.self) {
            try await journal.finishIntent(id: intent.id!, outcome: .done, at: t0)
        }
        // A stale action makes the whole outcome fail: the intent stays open, nothing half-written.
        let error = await #expect(throws: StoreError.self) {
            try await journal.finishIntent(
                id: other.id!,
                outcome: .done,
                detail: nil,
                at: t0,
                action: stored,
                deployment: DeploymentRecord(
                    id: "d-2",
                    deploymentGroup: "shop/prod",
                    revision: revision,
                    instances: [],
                    status: "Created",
                    createdAt: t0
                )
            )
        }
        #expect(error?.code == .conflict)
        #expect(try await journal.openIntents().map(\.id) == [other.id])
        #expect(try await journal.deployment(id: "d-2") == nil)
    }

    @Test(
        "deployments, the last good revision and breakers are kept per deployment group",
        arguments: JournalKind.allCases
    )
    func records(kind: JournalKind) async throws {
        let journal = try kind.make()
        let old = DeploymentRecord(
            id: "d-1",
            deploymentGroup: "shop/prod",
            revision: revision,
            instances: ["i-1"],
            status: "Succeeded",
            createdAt: t0
        )
        var new = DeploymentRecord(
            id: "d-2",
            deploymentGroup: "shop/prod",
            revision: revision,
            instances: ["i-2", "i-3"],
            status: "Created",
            createdAt: t0.addingTimeInterval(60)
        )
        try await journal.recordDeployment(old)
        try await journal.recordDeployment(new)
        try await journal.recordDeployment(
            DeploymentRecord(
                id: "d-9",
                deploymentGroup: "other/x",
                revision: revision,
                instances: [],
                status: "Failed",
                createdAt: t0
            )
        )
        new.status = "Failed"
        try await journal.recordDeployment(new)
        #expect(try await journal.deployments(deploymentGroup: "shop/prod").map(\.id) == ["d-2", "d-1"])
        #expect(try await journal.deployment(id: "d-2")?.status == "Failed")

        #expect(try await journal.lastGoodRevision(deploymentGroup: "shop/prod") == nil)
        let good = LastGoodRevision(
            deploymentGroup: "shop/prod",
            revision: revision,
            deploymentID: "d-1",
            recordedAt: t0
        )
        try await journal.setLastGoodRevision(good)
        var newer = good
        newer.revision.s3Location?.key = "app-2.zip"
        try await journal.setLastGoodRevision(newer)
        #expect(
            try await journal.lastGoodRevision(deploymentGroup: "shop/prod")?.revision.summary
                == "s3://b/app-2.zip (zip)"
        )

        let opened = try await journal.saveBreaker(
            BreakerState(
                deploymentGroup: "shop/prod",
                isOpen: true,
                openedAt: t0,
                reason: "3 cycles in 30m",
                cycles: [t0, t0.addingTimeInterval(60)]
            )
        )
        #expect(opened.version == 1)
        await #expect(throws: StoreError.self) {
            _ = try await journal.saveBreaker(BreakerState(deploymentGroup: "shop/prod"))
        }
        var closed = opened
        closed.isOpen = false
        _ = try await journal.saveBreaker(closed)
        await #expect(throws: StoreError.self) { _ = try await journal.saveBreaker(opened) }
        #expect(try await journal.breakers().map(\.isOpen) == [false])
        #expect(try await journal.breaker(deploymentGroup: "shop/prod")?.cycles == [t0, t0.addingTimeInterval(60)])
    }
}
