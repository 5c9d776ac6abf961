import Foundation

/// Lifecycle hooks and actions: PutLifecycleHook, and CompleteLifecycleAction and
/// RecordLifecycleActionHeartbeat by token or by instance id.
extension World {
    func putLifecycleHook(_ r: SimRequest) throws {
        var group = try existingGroup(r)
        let name = try required(r, "LifecycleHookName")
        var hook =
            group.hooks[name]
            ?? SimHook(
                name: name,
                group: group.name,
                transition: "",
                heartbeatTimeout: 3600,
                defaultResult: "ABANDON"
            )
        let isNew = group.hooks[name] == nil
        if let transition = r.string("LifecycleTransition") {
            guard ["autoscaling:EC2_INSTANCE_LAUNCHING", "autoscaling:EC2_INSTANCE_TERMINATING"].contains(transition)
            else {
                throw SimError.validation("Invalid Lifecycle Transition: \(transition)")
            }
            hook.transition = transition
        } else if isNew {
            throw SimError.validation("LifecycleTransition is required when creating a lifecycle hook")
        }
        if let timeout = r.int("HeartbeatTimeout") {
            guard timeout <= 7200, timeout >= 30 || (config.allowShortHeartbeat && timeout >= 1) else {
                throw SimError.validation("Heartbeat timeout must be between 30 and 7200 seconds")
            }
            hook.heartbeatTimeout = timeout
        }
        if let result = r.string("DefaultResult") {
            guard result == "CONTINUE" || result == "ABANDON" else {
                throw SimError.validation("Valid values for DefaultResult are CONTINUE and ABANDON")
            }
            hook.defaultResult = result
        }
        if let target = r.string("NotificationTargetARN") { hook.notificationTargetARN = target.isEmpty ? nil : target }
        if let role = r.string("RoleARN") { hook.roleARN = role }
        if let metadata = r.string("NotificationMetadata") { hook.metadata = metadata }
        if isNew {
            guard group.hooks.count < 50 else {
                throw SimError(
                    code: "LimitExceeded",
                    message: "Cannot have more than 50 lifecycle hooks per group",
                    status: 400
                )
            }
            group.hookOrder.append(name)
        }
        group.hooks[name] = hook
        groups[group.name] = group
        log("hook", ["group": group.name, "hook": name, "new": String(isNew)])
        if isNew, let target = hook.notificationTargetARN {
            enqueue(
                queueARN: target,
                body: ErrorEnvelope.json([
                    "AccountId": config.accountID, "RequestId": SimID.requestID(), "AutoScalingGroupARN": group.arn,
                    "AutoScalingGroupName": group.name,
                    "Service": "AWS Auto Scaling", "Event": "autoscaling:TEST_NOTIFICATION",
                    "Time": XMLWriter.timestamp(now),
                ])
            )
        }
    }

    func writeHook(_ w: inout XMLWriter, _ h: SimHook) {
        w.element("LifecycleHookName", h.name)
        w.element("AutoScalingGroupName", h.group)
        w.element("LifecycleTransition", h.transition)
        w.element("NotificationTargetARN", h.notificationTargetARN)
        w.element("RoleARN", h.roleARN)
        w.element("NotificationMetadata", h.metadata)
        w.element("HeartbeatTimeout", h.heartbeatTimeout)
        w.element("GlobalTimeout", h.globalTimeout)
        w.element("DefaultResult", h.defaultResult)
    }

    // MARK: - Shared helpers

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
