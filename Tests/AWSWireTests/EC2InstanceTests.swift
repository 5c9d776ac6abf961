import AWSWire
import Foundation
import Testing

@Suite("EC2 instance")
struct EC2InstanceTests {
    @Test("the time of a user-initiated state change is read from StateTransitionReason")
    func stateChangedAt() {
        let terminated = EC2Instance(
            instanceID: "i-1",
            state: "terminated",
            stateReason: "User initiated (2026-11-21 10:00:05 GMT)"
        )
        #expect(terminated.stateChangedAt == Date(timeIntervalSince1970: 1_795_255_205))
        #expect(EC2Instance(instanceID: "i-2", state: "running", stateReason: "").stateChangedAt == nil)
        #expect(
            EC2Instance(
                instanceID: "i-3",
                state: "stopped",
                stateReason: "Server.ScheduledStop: Stopped due to scheduled retirement"
            ).stateChangedAt == nil
        )
    }
}
