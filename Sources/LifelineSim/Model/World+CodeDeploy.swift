import Foundation

/// CodeDeploy's mechanics: deployments that progress per instance, and CodeDeploy's own Auto
/// Scaling integration (which instances a deployment group matches: World+Matching).
extension World {
    /// Starts a deployment to `targets`; returns its id.
    func startDeployment(
        _ dg: SimDeploymentGroup,
        revision: Data,
        targets: [String],
        description: String?,
        creator: String,
        outdatedOnly: Bool,
        held: [String] = []
    ) -> String {
        let id = SimID.deployment(next())
        let revisionObject = (try? JSONSerialization.jsonObject(with: revision)) as? [String: Any] ?? [:]
        let key = Self.revisionKey(revisionObject)
        var chosen = targets
        if outdatedOnly { chosen = chosen.filter { instances[$0]?.revisions[dg.key] != key } }
        var targetMap: [String: SimTarget] = [:]
        for instance in chosen {
            targetMap[instance] = SimTarget(
                instanceID: instance,
                status: "Pending",
                lastUpdated: now,
                startedAt: nil,
                events: SimDeployment.events.map { ($0, "Pending", nil, nil, nil) }
            )
        }
        var deployment = SimDeployment(
            id: id,
            application: dg.application,
            group: dg.name,
            revision: revision,
            revisionKey: key,
            status: chosen.isEmpty ? "Succeeded" : (config.heldInCreated[dg.key] != nil ? "Created" : "InProgress"),
            createTime: now,
            startTime: config.heldInCreated[dg.key] != nil && !chosen.isEmpty ? nil : now,
            completeTime: chosen.isEmpty ? now : nil,
            description: description,
            creator: creator,
            updateOutdatedOnly: outdatedOnly,
            configName: dg.configName,
            targets: targetMap,
            targetOrder: chosen,
            error: nil,
            heldActions: held
        )
        deployments[id] = deployment
        deploymentOrder.append(id)
        activeDeployments[dg.key] = id
        deploymentGroups[dg.key]?.lastAttempted = (id, deployment.status, now, deployment.completeTime)
        log(
            "deployment-created",
            [
                "deployment": id, "group": dg.key, "revision": key, "targets": chosen.joined(separator: ","),
                "creator": creator,
            ]
        )
        if chosen.isEmpty {
            deployment.status = "Succeeded"
            endDeployment(id)
        }
        return id
    }

    /// Moves every active deployment on (called by `tick`).
    func progressDeployments() {
        let active = Set(activeDeployments.values)
        for id in deploymentOrder where active.contains(id) {
            guard let found = deployments[id], found.isActive else { continue }
            if found.status == "Created" {
                // Held (settings.heldInCreated): it starts once the hold is over.
                let hold = config.heldInCreated["\(found.application)/\(found.group)"] ?? 0
                guard now.timeIntervalSince(found.createTime) >= hold else { continue }
            }
            // Taken out while it changes: the only copy, so a write to its targets copies nothing.
            var deployment = deployments.removeValue(forKey: id)!
            if deployment.status == "Created" {
                deployment.status = "InProgress"
                deployment.startTime = now
            }
            let oneAtATime = deployment.configName == "CodeDeployDefault.OneAtATime"
            for instanceID in deployment.targetOrder {
                guard var target = deployment.targets[instanceID],
                    target.status == "Pending" || target.status == "InProgress"
                else { continue }
                // One at a time: the next target starts when the one before it is done.
                if oneAtATime, target.status == "Pending",
                    deployment.targets.values.contains(where: { $0.status == "InProgress" })
                {
                    continue
                }
                let instance = instances[instanceID]
                if target.startedAt == nil {
                    target.startedAt = now
                    target.status = "InProgress"
                }
                let elapsed = now.timeIntervalSince(target.startedAt!)
                let noAgent =
                    instance == nil || instance!.agentHangs || (instance!.state == "terminated" && instance!.lingers)
                if instance?.state == "terminated" && instance?.lingers == false {
                    target = finished(
                        target,
                        failedAt: "ApplicationStop",
                        code: "UnknownError",
                        message: "The instance was terminated during the deployment"
                    )
                } else if noAgent {
                    if elapsed >= config.agentTimeoutSeconds {
                        target = finished(
                            target,
                            failedAt: "ApplicationStop",
                            code: "UnknownError",
                            message:
                                "CodeDeploy agent was not able to receive the lifecycle event. Check the CodeDeploy "
                                + "agent logs on your host and make sure the agent is running and can connect "
                                + "to the CodeDeploy server."
                        )
                    }
                } else if elapsed >= config.deploymentSeconds {
                    if let event = config.failingRevisions.first(where: { deployment.revisionKey.contains($0.key) })?
                        .value ?? (instance!.deploysFail ? "AfterInstall" : nil)
                    {
                        target = finished(
                            target,
                            failedAt: event,
                            code: "ScriptFailed",
                            message:
                                "Script at specified location: scripts/\(event.lowercased()).sh run as user root "
                                + "failed with exit code 1"
                        )
                    } else {
                        target = finished(target, failedAt: nil, code: nil, message: nil)
                        instances[instanceID]?.revisions[deployment.groupKey] = deployment.revisionKey
                    }
                } else {
                    let done = Int(elapsed / config.deploymentSeconds * Double(SimDeployment.events.count))
                    // Between two events nothing changes: the target is left as it is.
                    if target.status == "InProgress", done < target.events.count,
                        target.events[done].status == "InProgress", target.events[done].start != nil,
                        done == 0 || target.events[done - 1].end != nil
                    {
                        continue
                    }
                    for i in target.events.indices {
                        target.events[i].status = i < done ? "Succeeded" : (i == done ? "InProgress" : "Pending")
                        if i <= done, target.events[i].start == nil { target.events[i].start = now }
                        if i < done, target.events[i].end == nil { target.events[i].end = now }
                    }
                }
                target.lastUpdated = now
                deployment.targets[instanceID] = target
                // One at a time, a failure ends the deployment: the targets still waiting are skipped.
                if oneAtATime, target.status == "Failed" {
                    for (other, t) in deployment.targets where t.status == "Pending" {
                        var skipped = t
                        skipped.status = "Skipped"
                        skipped.lastUpdated = now
                        deployment.targets[other] = skipped
                    }
                }
            }
            deployments[id] = deployment
            if deployment.targets.values.allSatisfy({ !["Pending", "InProgress"].contains($0.status) }) {
                let failed = deployment.targets.values.filter { $0.status == "Failed" }.count
                deployments[id]?.status = failed == 0 ? "Succeeded" : "Failed"
                if failed > 0 {
                    deployments[id]?.error = (
                        "HEALTH_CONSTRAINTS",
                        "The overall deployment failed because too many individual instances failed deployment, too "
                            + "few healthy instances are available for deployment, or some instances in your "
                            + "deployment group are experiencing problems."
                    )
                }
                endDeployment(id)
            }
            // CodeDeploy heartbeats the lifecycle actions its deployment holds.
            for token in deployment.heldActions {
                if var action = actions[token], action.result == nil,
                    let hook = groups[action.group]?.hooks[action.hook]
                {
                    action.heartbeatDeadline = now.addingTimeInterval(Double(hook.heartbeatTimeout))
                    actions[token] = action
                }
            }
        }
    }

    func finished(_ target: SimTarget, failedAt event: String?, code: String?, message: String?) -> SimTarget {
        var t = target
        var failedIndex: Int?
        if let event { failedIndex = t.events.firstIndex { $0.name == event } ?? 0 }
        for i in t.events.indices {
            if let f = failedIndex {
                t.events[i].status = i < f ? "Succeeded" : (i == f ? "Failed" : "Skipped")
                if i == f {
                    t.events[i].diagnostics = [
                        "errorCode": code ?? "UnknownError", "scriptName": "", "message": message ?? "", "logTail": "",
                    ]
                }
            } else {
                t.events[i].status = "Succeeded"
            }
            if t.events[i].start == nil { t.events[i].start = now }
            t.events[i].end = now
        }
        t.status = failedIndex == nil ? "Succeeded" : "Failed"
        t.lastUpdated = now
        return t
    }

    /// A deployment reached its end: record it on its group, release the actions it held, and
    /// start the follow-on deployment for instances that launched meanwhile.
    func endDeployment(_ id: String) {
        guard var deployment = deployments[id] else { return }
        deployment.completeTime = deployment.completeTime ?? now
        deployments[id] = deployment
        let key = deployment.groupKey
        if activeDeployments[key] == id { activeDeployments[key] = nil }
        let summary = (deployment.id, deployment.status, deployment.createTime, deployment.completeTime)
        deploymentGroups[key]?.lastAttempted = summary
        if deployment.status == "Succeeded" {
            deploymentGroups[key]?.lastSuccessful = summary
            deploymentGroups[key]?.targetRevision = deployment.revision
        }
        log("deployment-ended", ["deployment": id, "group": key, "status": deployment.status])
        // CodeDeploy completes the launch actions it held by the deployment's result.
        for token in deployment.heldActions {
            guard actions[token]?.result == nil else { continue }
            let ok = deployment.status == "Succeeded"
            finishAction(
                token,
                result: ok ? "CONTINUE" : "ABANDON",
                why: "CodeDeploy deployment \(id) \(deployment.status.lowercased())"
            )
        }
        if let waiting = codeDeployWaiting.removeValue(forKey: key), !waiting.isEmpty, let dg = deploymentGroups[key] {
            launchDeployment(dg, for: waiting.filter { actions[$0]?.result == nil })
        }
    }

    /// CodeDeploy's hook fired for a new instance: deploy the last successful revision to it,
    /// after the active deployment if there is one.
    func codeDeployHookFired(deploymentGroup key: String, action token: String) {
        guard let dg = deploymentGroups[key] else { return }
        if activeDeployments[key] != nil {
            codeDeployWaiting[key, default: []].append(token)
            return
        }
        launchDeployment(dg, for: [token])
    }

    func launchDeployment(_ dg: SimDeploymentGroup, for tokens: [String]) {
        guard !tokens.isEmpty else { return }
        guard let revision = dg.targetRevision else {
            for token in tokens {
                finishAction(token, result: "CONTINUE", why: "no revision has been deployed to \(dg.key) yet")
            }
            return
        }
        let newInstances = tokens.compactMap { actions[$0]?.instanceID }
        // The ghost of seed 004: a lingering, tag-matched instance is targeted with the new ones.
        let ghosts = matchSet(dg).filter { instances[$0]?.lingers == true }
        _ = startDeployment(
            dg,
            revision: revision,
            targets: newInstances + ghosts,
            description: nil,
            creator: "autoscaling",
            outdatedOnly: false,
            held: tokens
        )
    }

    /// An instance went away: its part in running deployments fails, unless nobody can tell it went.
    func instanceGone(_ id: String) {
        guard instances[id]?.lingers == false else { return }
        let active = Set(activeDeployments.values)
        for deploymentID in deploymentOrder where active.contains(deploymentID) {
            guard let target = deployments[deploymentID]?.targets[id],
                target.status == "Pending" || target.status == "InProgress"
            else { continue }
            deployments[deploymentID]?.targets[id] = finished(
                target,
                failedAt: "ApplicationStop",
                code: "UnknownError",
                message: "The instance was terminated during the deployment"
            )
        }
    }

    func stopDeployment(_ id: String) {
        guard var deployment = deployments[id] else { return }
        for (instance, target) in deployment.targets where target.status == "Pending" || target.status == "InProgress" {
            var t = target
            t.status = "Skipped"
            t.lastUpdated = now
            deployment.targets[instance] = t
        }
        deployment.status = "Stopped"
        deployment.error = ("DEPLOYMENT_STOPPED", "The deployment was stopped by a user request")
        deployments[id] = deployment
        endDeployment(id)
    }

    /// A stable key for a revision: what "the same revision" means for outdated-only deployments.
    static func revisionKey(_ revision: [String: Any]) -> String {
        if let s3 = revision["s3Location"] as? [String: Any] {
            return "s3://\(s3["bucket"] ?? "")/\(s3["key"] ?? "")@\(s3["version"] ?? "")#\(s3["eTag"] ?? "")"
        }
        if let gh = revision["gitHubLocation"] as? [String: Any] {
            return "github:\(gh["repository"] ?? "")@\(gh["commitId"] ?? "")"
        }
        // Sorted-key JSON: the same revision always gives the same key (hashValue is seeded per process).
        return "content:" + SimJSON.encode(revision, sortedKeys: true)
    }
}
