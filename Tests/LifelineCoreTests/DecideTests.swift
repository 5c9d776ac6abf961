import Foundation
import LifelineCore
import Testing

@Suite("decide")
struct DecideTests {
    @Test("each branch of decide", arguments: cases + loopCases + firstRuleCases + evidenceCases + terminationCases)
    func branch(_ c: DecideCase) {
        let plan = decide(c.observation, c.journal, now: now, policy: c.policy)
        let got = steps(plan)
        var cursor = got.startIndex
        for wanted in c.expect {
            guard let found = got[cursor...].firstIndex(of: wanted) else {
                Issue.record("\(c.name): expected '\(wanted)' in order in \(got)")
                return
            }
            cursor = got.index(after: found)
        }
        for kind in c.never {
            #expect(!got.contains { $0.hasPrefix(kind) }, "\(c.name): '\(kind)' must not be in \(got)")
        }
        if let note = c.note {
            #expect(plan.notes.contains { $0.contains(note) }, "\(c.name): no note '\(note)' in \(plan.notes)")
        }
        if let pending = c.pending { #expect(plan.pending == pending) }
    }

    @Test(
        "in every case: one completion per action, no heartbeat after it, no second deployment for an instance",
        arguments: cases + loopCases + firstRuleCases + evidenceCases + terminationCases
    )
    func invariants(_ c: DecideCase) {
        let plan = decide(c.observation, c.journal, now: now, policy: c.policy)
        var completed: Set<String> = []
        var beaten: Set<String> = []
        for step in plan.steps {
            switch step {
            case let .complete(a, _, _):
                #expect(completed.insert(a.token).inserted, "two completions of \(a.token)")
            case let .heartbeat(a, _, _):
                #expect(!completed.contains(a.token), "heartbeat after completing \(a.token)")
                beaten.insert(a.token)
            default: break
            }
        }
        // Neither before nor after: one action never gets both in a plan.
        #expect(completed.isDisjoint(with: beaten), "\(c.name): heartbeat and completion of one action in one plan")
        let creations = createdDeployments(plan)
        #expect(creations.count <= 1)
        for d in creations {
            #expect(
                c.observation.activeDeployment == nil,
                "created while \(c.observation.activeDeployment?.id ?? "") is active"
            )
            let covered = Set(c.observation.deployments.flatMap { $0.targets.map { Array($0.keys) } ?? [] })
            #expect(covered.isDisjoint(with: d.instances), "deploys again to an instance a deployment already covers")
            #expect(d.revision == (c.observation.newestSuccess?.revision ?? c.journal.lastGood?.revision))
            #expect(d.description == "lifeline:shop/prod:\(plan.id)")
        }
        for step in plan.steps {
            if case let .adopt(a, _) = step { #expect(!c.journal.knownInstances.contains(a.instanceID)) }
        }
        evidenceInvariants(c, plan)
        #expect(plan.nextPassAt >= now && plan.nextPassAt <= now.addingTimeInterval(c.policy.resyncInterval))
    }

    @Test("the same inputs give the same plan, id included")
    func deterministic() {
        let c = cases[4]
        #expect(
            decide(c.observation, c.journal, now: now, policy: c.policy)
                == decide(c.observation, c.journal, now: now, policy: c.policy)
        )
    }

    @Test("the next pass is due at the earliest heartbeat")
    func nextPassAtHeartbeat() {
        let plan = decide(
            observation(
                [asg(["i-1": "Pending:Wait"])],
                deployments: [ObservedDeployment(id: "d-1", status: "InProgress", targets: ["i-1": "InProgress"])]
            ),
            journal(
                [action("i-1", state: .deploying, age: 400, beat: 140)],
                deployments: [record("d-1", instances: ["i-1"])]
            ),
            now: now,
            policy: GroupPolicy(hookRoleARN: "r", pollInterval: 30, resyncInterval: 60)
        )
        #expect(plan.nextPassAt == now.addingTimeInterval(10), "heartbeat due 150 s after the last one, 140 s ago")
    }

    @Test(
        "a breaker saved only as the failure scan's bookmark is bookkeeping; cycles and an open breaker are decisions"
    )
    func breakerBookkeeping() throws {
        let slid = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) {
                $0.loopScan = LoopScan(through: "d-last", cycles: [now.addingTimeInterval(-4000)])
            },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        let bookmark = try #require(slid.steps.first { $0.summary.kind == "breaker" })
        #expect(bookmark.isBookkeeping)
        let two = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) {
                $0.loopScan = LoopScan(through: "d-last", cycles: Array(threeCycles.cycles.suffix(2)))
            },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        #expect(two.steps.contains { $0.summary.kind == "breaker" && !$0.isBookkeeping })
        let open = decide(
            with(observation([asg(["i-1": "Pending:Wait"])])) { $0.loopScan = threeCycles },
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        #expect(open.steps.contains { $0.summary.kind == "breaker open" && !$0.isBookkeeping })
        #expect(!open.steps.contains { $0.isBookkeeping })
    }

    @Test("a failed release never becomes the revision new instances get")
    func neverAFailedRevision() {
        let failedRelease = ObservedDeployment(
            id: "d-bad",
            status: "Failed",
            revision: appV2,
            createdAt: now.addingTimeInterval(-30),
            targets: [:]
        )
        let plan = decide(
            observation([asg(["i-1": "Pending:Wait"])], deployments: [failedRelease]),
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        let created = createdDeployments(plan)
        #expect(created.map(\.revision) == [appV1])
        #expect(!plan.steps.contains { if case .setLastGood = $0 { true } else { false } })
    }

    /// The group's info was read while the release still ran; its deployment was read after it ended.
    @Test(
        "a release seen to succeed after the group's info was read is the revision new instances get",
        arguments: [true, false]
    )
    func releaseEndedBetweenReads(infoKnowsItsAge: Bool) {
        let release = ObservedDeployment(
            id: "d-release",
            status: "Succeeded",
            revision: appV2,
            createdAt: now.addingTimeInterval(-600),
            targets: [:]
        )
        var stale = lastSuccessful
        if !infoKnowsItsAge { stale.createdAt = nil }
        let plan = decide(
            observation([asg(["i-1": "Pending:Wait"])], deployments: [release], lastSuccessful: stale),
            journal([action("i-1")]),
            now: now,
            policy: policy
        )
        let created = createdDeployments(plan)
        // Without the last success's age, CodeDeploy's answer stands (the next pass has it right).
        #expect(created.map(\.revision) == [infoKnowsItsAge ? appV2 : appV1])
        #expect(
            plan.steps.contains { if case let .setLastGood(g) = $0 { g.deploymentID == "d-release" } else { false } }
                == infoKnowsItsAge
        )
    }
}

/// The follow-on deployments a plan creates.
func createdDeployments(_ plan: Plan) -> [FollowOnDeployment] {
    plan.steps.compactMap { if case let .createDeployment(d) = $0 { d } else { nil } }
}
