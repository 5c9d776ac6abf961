import Foundation
import LifelineCore
import LifelineStore
import Testing

@testable import AWSWire
@testable import LifelineRuntime

/// The auditor's walk of a group's deployments, over the narrow seams.
@Suite("auditor")
struct AuditorTests {
    func audit(_ account: FakeAccount) async throws -> GroupAudit {
        let auditor = Auditor(aws: account.services, journal: InMemoryJournal(), now: { Date() })
        return try await auditor.audit(FakeAccount.managed("prod"), queueARN: nil).groups[0]
    }

    @Test("a group whose last release is older than the walk's window still shows what its instances run")
    func lastSuccessfulOutsideTheWindow() async throws {
        // shop/prod's last successful deployment was created in 1970, far outside 30 days.
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { state in
            state.groups[0].instances[0].lifecycleState = "InService"
            state.targets["d-prod-good"] = ["i-1": "Succeeded"]
        }
        let audit = try await audit(account)
        let entry = try #require(audit.matches.first { $0.instanceID == "i-1" })
        #expect(entry.class == .healthy, "\(entry.why)")
        #expect(entry.why.hasSuffix("(d-prod-good)"))
        #expect(account.calls("ListDeploymentTargets") == ["ListDeploymentTargets d-prod-good"])
    }

    @Test("the walk stops at its bound: an instance none of the newest deployments resolved is unknown")
    func boundedWalk() async throws {
        let account = FakeAccount.fleet(["prod": ["i-1"]])
        account.update { state in state.groups[0].instances[0].lifecycleState = "InService" }
        for n in 1...3 {
            account.startDeployment("d-\(n)", group: "prod", status: "Failed", targets: ["i-1": "Failed"])
        }
        var auditor = Auditor(aws: account.services, journal: InMemoryJournal(), now: { Date() })
        auditor.walkBound = 2
        let audit = try await auditor.audit(FakeAccount.managed("prod"), queueARN: nil).groups[0]
        let entry = try #require(audit.matches.first { $0.instanceID == "i-1" })
        #expect(entry.class == .unknown)
        #expect(entry.why.contains("the walk stopped after the newest 2 deployment(s)"), "\(entry.why)")
        #expect(account.calls("ListDeploymentTargets").count == 2)
    }
}
