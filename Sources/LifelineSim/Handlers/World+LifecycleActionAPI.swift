import Foundation

extension World {
    /// CompleteLifecycleAction and RecordLifecycleActionHeartbeat: by token or by instance id.
    func lifecycleActionCall(_ r: SimRequest, _ w: inout XMLWriter) throws {
        let group = try existingGroup(r)
        let hook = try required(r, "LifecycleHookName")
        let token = r.string("LifecycleActionToken")
        let instance = r.string("InstanceId")
        guard token != nil || instance != nil else {
            throw SimError.validation("Either LifecycleActionToken or InstanceId must be provided")
        }
        let found = actions.values.first { a in
            a.result == nil && a.group == group.name && a.hook == hook && (token == nil || a.token == token)
                && (instance == nil || a.instanceID == instance)
        }
        guard let action = found else {
            let what = token.map { "token \($0)" } ?? "instance ID \(instance!)"
            throw SimError.validation("No active Lifecycle Action found with \(what)")
        }
        if r.operation == "CompleteLifecycleAction" {
            let result = try required(r, "LifecycleActionResult")
            guard result == "CONTINUE" || result == "ABANDON" else {
                throw SimError.validation("Valid values for LifecycleActionResult are CONTINUE and ABANDON")
            }
            finishAction(action.token, result: result, why: "CompleteLifecycleAction")
            w.open("CompleteLifecycleActionResult") { _ in }
        } else {
            let timeout = Double(group.hooks[hook]?.heartbeatTimeout ?? 3600)
            actions[action.token]?.heartbeatDeadline = now.addingTimeInterval(timeout)
            actions[action.token]?.heartbeats += 1
            log("heartbeat", ["group": group.name, "instance": action.instanceID, "token": action.token])
            w.open("RecordLifecycleActionHeartbeatResult") { _ in }
        }
    }
}
