import Foundation
import LifelineCore

extension LifecycleAction {
    /// An action of shop/prod on shop-prod, waiting for 200 s of a 300 s heartbeat timeout at
    /// `now`: its heartbeat is due.
    static func fixture(_ instance: String, state: State = .waiting, now: Date) -> LifecycleAction {
        LifecycleAction(
            token: "tok-\(instance)",
            instanceID: instance,
            hookName: "lifeline-launch-prod",
            autoScalingGroup: "shop-prod",
            deploymentGroup: "shop/prod",
            firstSeen: now.addingTimeInterval(-200),
            heartbeatDeadline: now.addingTimeInterval(100),
            state: state,
            heartbeatTimeout: 300
        )
    }
}
