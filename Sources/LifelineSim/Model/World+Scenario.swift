import Foundation

/// Loading a scenario, scheduled steps, and the control API's world operations.
extension World {
    func load(_ scenario: Scenario) throws {
        let url = serverURL
        config = scenario.config
        random = SimRandom(seed: config.faults.seed)
        groups = [:]
        groupNamesSorted = []
        instances = [:]
        tagIndex = nil
        terminatedInstances = []
        actions = [:]
        activities = []
        queues = [:]
        applications = [:]
        deploymentGroups = [:]
        deployments = [:]
        deploymentOrder = []
        activeDeployments = [:]
        codeDeployWaiting = [:]
        detaching = [:]
        callCounts = [:]
        events = []
        scheduled = []
        serverURL = url
        for name in scenario.queues {
            queues[name] = SimQueue(
                name: name,
                url: "\(serverURL)/\(config.accountID)/\(name)",
                arn: "arn:aws:sqs:\(config.region):\(config.accountID):\(name)",
                visibilityTimeout: 30,
                attributes: [:],
                createdAt: now
            )
        }
        // Scripted hangs are for launches the scenario causes, not for the starting instances.
        let (hanging, failing) = (config.hangingLaunches, config.failingLaunches)
        (config.hangingLaunches, config.failingLaunches) = ([:], [:])
        defer { (config.hangingLaunches, config.failingLaunches) = (hanging, failing) }
        for g in scenario.groups {
            groups[g.name] = SimGroup(
                name: g.name,
                arn:
                    "arn:aws:autoscaling:\(config.region):\(config.accountID):autoScalingGroup:\(UUID().uuidString.lowercased()):autoScalingGroupName/\(g.name)",
                minSize: g.min,
                maxSize: g.max,
                desired: g.desired,
                tags: g.tags.sorted { $0.key < $1.key }.map { ($0.key, $0.value, true) },
                launchTemplate: g.name,
                availabilityZones: [config.region + "a", config.region + "b"],
                createdTime: now
            )
            reconcileCapacity(g.name)
            for h in g.hooks {
                var hook = SimHook(
                    name: h.name,
                    group: g.name,
                    transition: h.terminating
                        ? "autoscaling:EC2_INSTANCE_TERMINATING" : "autoscaling:EC2_INSTANCE_LAUNCHING",
                    heartbeatTimeout: h.heartbeatTimeout,
                    defaultResult: h.defaultResult,
                    metadata: h.metadata
                )
                if let q = h.queue {
                    guard queues[q] != nil else {
                        throw ScenarioError(
                            "groups[\(g.name)].hooks[\(h.name)].queue names no queue of the scenario: \(q)"
                        )
                    }
                    hook.notificationTargetARN = queues[q]!.arn
                }
                groups[g.name]?.hooks[h.name] = hook
                groups[g.name]?.hookOrder.append(h.name)
            }
        }
        for dg in scenario.deploymentGroups {
            if applications[dg.application] == nil {
                applications[dg.application] = (UUID().uuidString.lowercased(), now, "Server")
            }
            var group = SimDeploymentGroup(
                application: dg.application,
                name: dg.name,
                id: UUID().uuidString.lowercased(),
                serviceRoleARN: "arn:aws:iam::\(config.accountID):role/CodeDeployServiceRole",
                configName: dg.configName,
                autoScalingGroups: dg.autoScalingGroups,
                tagFilters: dg.tagFilters,
                tagSet: dg.tagSet,
                outdatedInstancesStrategy: "UPDATE"
            )
            for asg in dg.autoScalingGroups {
                guard groups[asg] != nil else {
                    throw ScenarioError(
                        "deploymentGroups[\(dg.name)].autoScalingGroups names no group of the scenario: \(asg)"
                    )
                }
                let hookName =
                    "CodeDeploy-managed-automatic-launch-deployment-hook-\(dg.name)-\(UUID().uuidString.lowercased())"
                group.managedHooks[asg] = hookName
                groups[asg]?.hooks[hookName] = SimHook(
                    name: hookName,
                    group: asg,
                    transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
                    heartbeatTimeout: 600,
                    defaultResult: "ABANDON",
                    codeDeployGroup: group.key
                )
                groups[asg]?.hookOrder.append(hookName)
            }
            deploymentGroups[group.key] = group
            if let revision = dg.deployed {
                // The revision everything runs today: a finished, successful deployment.
                let id = startDeployment(
                    group,
                    revision: revision,
                    targets: matchSet(group),
                    description: "initial release",
                    creator: "user",
                    outdatedOnly: false
                )
                if var initial = deployments[id] {
                    for target in initial.targetOrder {
                        initial.targets[target] = finished(
                            initial.targets[target]!,
                            failedAt: nil,
                            code: nil,
                            message: nil
                        )
                        instances[target]?.revisions[group.key] = initial.revisionKey
                    }
                    initial.status = "Succeeded"
                    deployments[id] = initial
                }
                endDeployment(id)
            }
            if let revision = dg.deploying {
                _ = startDeployment(
                    group,
                    revision: revision,
                    targets: matchSet(group),
                    description: "release in progress",
                    creator: "user",
                    outdatedOnly: false
                )
            }
        }
        let start = now
        scheduled = scenario.steps.map { (start.addingTimeInterval($0.at), $0) }
        log("scenario", ["name": scenario.name])
    }

    func runDueSteps() {
        let due = scheduled.filter { $0.0 <= now }
        scheduled.removeAll { $0.0 <= now }
        for (_, step) in due {
            // A step that cannot run says so in the events: a scenario that did not happen as
            // written must be explainable from them.
            do {
                try perform(step.action, step.fields)
            } catch {
                log("step-failed", ["action": step.action, "problem": "\(error)"])
            }
        }
    }

    /// The control operations, shared by scenario steps and `/_sim/` requests.
    func perform(_ action: String, _ f: [String: String]) throws {
        func field(_ name: String) throws -> String {
            guard let v = f[name], !v.isEmpty else { throw ScenarioError("\(action) needs the field '\(name)'") }
            return v
        }
        func instance() throws -> String {
            var id = try field("instance")
            // `@group[n]`: the group's n-th instance, for scenario steps written before ids exist.
            if id.hasPrefix("@"), let open = id.firstIndex(of: "["), id.hasSuffix("]") {
                let group = String(id[id.index(after: id.startIndex)..<open])
                guard let n = Int(id[id.index(after: open)..<id.index(before: id.endIndex)]),
                    let members = groups[group]?.instances, members.indices.contains(n)
                else {
                    throw ScenarioError("instance: \(id) names no instance")
                }
                id = members[n]
            }
            guard instances[id] != nil else { throw ScenarioError("instance: no instance \(id)") }
            return id
        }
        switch action {
        case "scale":
            let name = try field("group")
            guard var g = groups[name] else { throw ScenarioError("group: no group \(name)") }
            guard let desired = Int(try field("desired")), desired >= 0 else {
                throw ScenarioError("desired must be a whole number")
            }
            g.desired = desired
            g.maxSize = max(g.maxSize, desired)
            g.minSize = min(g.minSize, desired)
            groups[name] = g
            log("capacity", ["group": name, "desired": String(desired)])
            reconcileCapacity(name)
        case "detach":
            let id = try instance()
            guard instances[id]?.group != nil else { throw ScenarioError("instance: \(id) is in no group") }
            detach(id, decrement: f["decrement"] == "true")
        case "terminate":
            let id = try instance()
            let group = instances[id]?.group
            terminateNow(id)
            if let group { reconcileCapacity(group) }
        case "detach-race":
            // Seed 004: terminate the instance while its detach is still in flight.
            let id = try instance()
            guard instances[id]?.group != nil else { throw ScenarioError("instance: \(id) is in no group") }
            let group = instances[id]?.group
            detach(id, decrement: f["decrement"] == "true", reconcile: false)
            terminateNow(id)
            if let group { reconcileCapacity(group) }
        case "hang-next-launches":
            let name = try field("group")
            config.hangingLaunches[name, default: 0] += Int(f["count"] ?? "1") ?? 1
        default:
            throw ScenarioError(
                "action: unknown action '\(action)' (scale, detach, terminate, detach-race, hang-next-launches)"
            )
        }
    }

    func callCountsSnapshot() -> [String: Int] { callCounts }
    func resetCallCounts() { callCounts = [:] }
    func eventLog() -> [[String: String]] { events }

    /// A summary for tests and people: groups with their instances, actions, deployments.
    func snapshot() -> String {
        ErrorEnvelope.json(
            [
                "groups": groups.values.sorted { $0.name < $1.name }.map { g -> [String: Any] in
                    [
                        "name": g.name, "desired": g.desired, "hooks": g.hookOrder,
                        "instances": g.instances.compactMap { instances[$0] }.map {
                            ["id": $0.id, "lifecycleState": $0.lifecycleState ?? "", "state": $0.state]
                        },
                    ]
                },
                "instances": instances.values.sorted { $0.launchIndex < $1.launchIndex }.map { i -> [String: Any] in
                    [
                        "id": i.id, "state": i.state, "group": i.group ?? "", "lifecycleState": i.lifecycleState ?? "",
                        "lingers": i.lingers, "tags": i.tags, "revisions": i.revisions,
                    ]
                },
                "actions": actions.values.sorted { $0.start < $1.start }.map { a -> [String: Any] in
                    [
                        "token": a.token, "instance": a.instanceID, "group": a.group, "hook": a.hook,
                        "result": a.result ?? "", "heartbeats": a.heartbeats,
                        "heartbeatDeadline": a.heartbeatDeadline.timeIntervalSince1970,
                    ]
                },
                "deployments": deploymentOrder.compactMap { deployments[$0] }.map { d -> [String: Any] in
                    [
                        "id": d.id, "group": d.groupKey, "status": d.status, "creator": d.creator,
                        "revision": d.revisionKey,
                        "targets": d.targets.mapValues(\.status), "description": d.description ?? "",
                    ]
                },
            ] as [String: Any]
        )
    }
}
