import Foundation

/// Auto Scaling's mechanics: capacity, launches, hooks and their actions, terminations, detaches.
extension World {
    /// States that count toward a group's capacity.
    static let countingStates: Set<String> = ["Pending", "Pending:Wait", "Pending:Proceed", "InService"]

    func capacity(of group: SimGroup) -> [String] {
        group.instances.filter { Self.countingStates.contains(instances[$0]?.lifecycleState ?? "") }
    }

    /// Launches or terminates until the group holds its desired capacity.
    func reconcileCapacity(_ name: String) {
        guard let group = groups[name] else { return }
        let counted = capacity(of: group)
        if counted.count < group.desired {
            for _ in counted.count..<group.desired { launch(into: name) }
        } else if counted.count > group.desired {
            // Newest first, as a stand-in for the default termination policy.
            let victims = counted.sorted { (instances[$0]?.launchIndex ?? 0) > (instances[$1]?.launchIndex ?? 0) }
                .prefix(counted.count - group.desired)
            for id in victims {
                beginTermination(
                    id,
                    cause:
                        "an instance was taken out of service in response to a difference between desired and "
                        + "actual capacity"
                )
            }
        }
    }

    func launch(into groupName: String) {
        guard var group = groups[groupName] else { return }
        let n = next()
        let id = SimID.instance(n)
        var tags = ["aws:autoscaling:groupName": groupName]
        for tag in group.tags where tag.propagate { tags[tag.key] = tag.value }
        let az =
            group.availabilityZones.isEmpty
            ? config.region + "a" : group.availabilityZones[n % group.availabilityZones.count]
        var instance = SimInstance(
            id: id,
            state: "running",
            launchTime: now,
            stateChangedAt: now,
            tags: tags,
            availabilityZone: az,
            privateIP: "10.0.\(n / 250 % 250).\(n % 250 + 4)",
            imageID: "ami-0abcdef1234567890",
            instanceType: "t3.micro",
            group: groupName,
            lifecycleState: "Pending",
            launchIndex: n,
            launchTimeText: XMLWriter.timestamp(now)
        )
        if let hanging = config.hangingLaunches[groupName], hanging > 0 {
            instance.agentHangs = true
            config.hangingLaunches[groupName] = hanging - 1
        }
        if let failing = config.failingLaunches[groupName], failing > 0 {
            instance.deploysFail = true
            config.failingLaunches[groupName] = failing - 1
        }
        instances[id] = instance
        instanceTagsChanged()
        group.instances.append(id)
        groups[groupName] = group
        activities.append(
            SimActivity(
                id: SimID.token(),
                group: groupName,
                description: "Launching a new EC2 instance: \(id)",
                cause:
                    "At \(XMLWriter.timestamp(now)) an instance was started in response to a difference between "
                    + "desired and actual capacity, increasing the capacity from "
                    + "\(capacity(of: group).count - 1) to \(capacity(of: group).count).",
                start: now,
                end: now,
                status: "Successful"
            )
        )
        log("launch", ["group": groupName, "instance": id])
        let hooks = group.hookOrder.compactMap { group.hooks[$0] }.filter(\.isLaunching)
        if hooks.isEmpty {
            instances[id]?.lifecycleState = "InService"
        } else {
            instances[id]?.lifecycleState = "Pending:Wait"
            for hook in hooks { startAction(hook: hook, instance: id) }
        }
    }

    func startAction(hook: SimHook, instance id: String) {
        let token = SimID.token()
        let action = SimAction(
            token: token,
            instanceID: id,
            group: hook.group,
            hook: hook.name,
            transition: hook.transition,
            start: now,
            heartbeatDeadline: now.addingTimeInterval(Double(hook.heartbeatTimeout)),
            globalDeadline: now.addingTimeInterval(Double(hook.globalTimeout))
        )
        actions[token] = action
        actionsDueAt = min(actionsDueAt, action.heartbeatDeadline, action.globalDeadline)
        log(
            "lifecycle-action",
            ["group": hook.group, "instance": id, "hook": hook.name, "token": token, "transition": hook.transition]
        )
        if let dg = hook.codeDeployGroup {
            codeDeployHookFired(deploymentGroup: dg, action: token)
        } else if let target = hook.notificationTargetARN {
            notify(target, lifecycle: action, metadata: hook.metadata)
        }
    }

    /// Puts the notification for an action into its target queue, in the scenario's shape.
    func notify(_ targetARN: String, lifecycle action: SimAction, metadata: String?) {
        var body: [String: Any] = [
            "Origin": "EC2", "Destination": "AutoScalingGroup", "Service": "AWS Auto Scaling",
            "AccountId": config.accountID,
            "RequestId": SimID.requestID(), "Time": XMLWriter.timestamp(now), "LifecycleTransition": action.transition,
            "AutoScalingGroupName": action.group, "EC2InstanceId": action.instanceID,
            "LifecycleActionToken": action.token,
            "LifecycleHookName": action.hook,
        ]
        if let metadata { body["NotificationMetadata"] = metadata }
        let direct = ErrorEnvelope.json(body)
        let message: String
        switch config.notificationShape {
        case "sns":
            message = ErrorEnvelope.json([
                "Type": "Notification", "MessageId": SimID.requestID(),
                "TopicArn": "arn:aws:sns:\(config.region):\(config.accountID):asg-lifecycle",
                "Subject":
                    "Auto Scaling:  Lifecycle action "
                    + "'\(action.transition.hasSuffix("LAUNCHING") ? "LAUNCHING" : "TERMINATING")' for instance "
                    + "\(action.instanceID) in progress.",
                "Message": direct, "Timestamp": XMLWriter.timestamp(now), "SignatureVersion": "1",
                "Signature": "EXAMPLE",
            ])
        case "eventbridge":
            var detail = body
            for key in ["Service", "AccountId", "RequestId", "Time"] { detail[key] = nil }
            message = ErrorEnvelope.json([
                "version": "0", "id": SimID.requestID(),
                "detail-type": action.transition.hasSuffix("LAUNCHING")
                    ? "EC2 Instance-launch Lifecycle Action" : "EC2 Instance-terminate Lifecycle Action",
                "source": "aws.autoscaling", "account": config.accountID, "time": XMLWriter.timestamp(now),
                "region": config.region,
                "resources": [groups[action.group]?.arn ?? ""], "detail": detail,
            ])
        default:
            message = direct
        }
        enqueue(queueARN: targetARN, body: message)
    }

    /// Ends an action with a result (CONTINUE or ABANDON) and moves the instance on.
    func finishAction(_ token: String, result: String, why: String) {
        guard var action = actions[token], action.result == nil else { return }
        action.result = result
        actions[token] = action
        actionsForgottenAt = min(actionsForgottenAt, action.start.addingTimeInterval(86_400))
        log(
            "lifecycle-complete",
            [
                "group": action.group, "instance": action.instanceID, "hook": action.hook, "token": token,
                "result": result, "why": why,
            ]
        )
        let id = action.instanceID
        guard instances[id] != nil else { return }
        let launching = action.transition == "autoscaling:EC2_INSTANCE_LAUNCHING"
        if launching && result == "ABANDON" {
            for other in actions.values where other.instanceID == id && other.result == nil {
                actions[other.token]?.result = "ABANDON"
            }
            activities.append(
                SimActivity(
                    id: SimID.token(),
                    group: action.group,
                    description: "Terminating EC2 instance: \(id)",
                    cause:
                        "Instance failed to complete user's Lifecycle Action: Lifecycle Action with token \(token) "
                        + "was abandoned: \(why)",
                    start: now,
                    end: now,
                    status: "Successful"
                )
            )
            terminateNow(id)
            reconcileCapacity(action.group)
            return
        }
        let pending = actions.values.contains {
            $0.instanceID == id && $0.transition == action.transition && $0.result == nil
        }
        if pending { return }
        if launching {
            instances[id]?.lifecycleState = "InService"
        } else {
            terminateNow(id)
        }
    }

    /// Starts taking an instance out of its group: terminating hooks hold it, else it goes now.
    func beginTermination(_ id: String, cause: String) {
        guard let groupName = instances[id]?.group, let group = groups[groupName] else {
            terminateNow(id)
            return
        }
        activities.append(
            SimActivity(
                id: SimID.token(),
                group: groupName,
                description: "Terminating EC2 instance: \(id)",
                cause: cause,
                start: now,
                end: now,
                status: "Successful"
            )
        )
        let hooks = group.hookOrder.compactMap { group.hooks[$0] }.filter { !$0.isLaunching }
        for other in actions.values where other.instanceID == id && other.result == nil {
            actions[other.token]?.result = "ABANDON"
        }
        if hooks.isEmpty {
            terminateNow(id)
        } else {
            instances[id]?.lifecycleState = "Terminating:Wait"
            for hook in hooks { startAction(hook: hook, instance: id) }
        }
    }

    /// EC2 terminates the instance; it leaves its group but stays visible in DescribeInstances.
    func terminateNow(_ id: String) {
        guard var instance = instances[id] else { return }
        if instance.lifecycleState == "Detaching" { instance.lingers = true }
        if let groupName = instance.group { groups[groupName]?.instances.removeAll { $0 == id } }
        instance.group = nil
        instance.lifecycleState = nil
        terminatedInstances.insert(id)
        if instance.state != "terminated" {
            instance.state = "terminated"
            instance.stateChangedAt = now
            log("terminate", ["instance": id])
        }
        instances[id] = instance
        for other in actions.values where other.instanceID == id && other.result == nil {
            actions[other.token]?.result = "ABANDON"
        }
        instanceGone(id)
    }

    /// Detaching takes a moment, as on AWS: a terminate that lands meanwhile leaves a ghost (seed 004).
    func detach(_ id: String, decrement: Bool, reconcile: Bool = true) {
        guard let groupName = instances[id]?.group else { return }
        instances[id]?.lifecycleState = "Detaching"
        detaching[id] = now
        if decrement { groups[groupName]?.desired -= 1 }
        activities.append(
            SimActivity(
                id: SimID.token(),
                group: groupName,
                description: "Detaching EC2 instance: \(id)",
                cause:
                    "At \(XMLWriter.timestamp(now)) instance \(id) was detached in response to a user "
                    + "request\(decrement ? ", shrinking the capacity" : "").",
                start: now,
                end: nil,
                status: "InProgress"
            )
        )
        log("detach", ["group": groupName, "instance": id, "decrement": String(decrement)])
        if reconcile { reconcileCapacity(groupName) }
    }

    /// Ends detaches that have had their moment (called by `tick`).
    func finishDetaches() {
        for (id, started) in detaching where now.timeIntervalSince(started) >= 1 {
            detaching[id] = nil
            guard let instance = instances[id], instance.lifecycleState == "Detaching", let groupName = instance.group
            else { continue }
            groups[groupName]?.instances.removeAll { $0 == id }
            instances[id]?.group = nil
            instances[id]?.lifecycleState = nil
            if let i = activities.lastIndex(where: { $0.description == "Detaching EC2 instance: \(id)" }) {
                activities[i].end = now
                activities[i].status = "Successful"
            }
        }
    }
}
