import Foundation

/// The clock-skew fault changed while the simulator runs: the account's clock jumps, and every
/// time the world holds jumps with it, so that no deadline, hold or deployment moves in real time.
/// (A hook that had 20 s left still has 20 s, on a clock that now reads 20 minutes later.)
extension World {
    func moveClock(by delta: TimeInterval) {
        guard delta != 0 else { return }
        func move(_ date: inout Date) { date.addTimeInterval(delta) }
        func move(_ date: inout Date?) { date = date.map { $0.addingTimeInterval(delta) } }
        for id in instances.keys {
            move(&instances[id]!.launchTime)
            move(&instances[id]!.stateChangedAt)
        }
        (actionsDueAt, actionsForgottenAt) = (.distantPast, .distantPast)
        for token in actions.keys {
            move(&actions[token]!.start)
            move(&actions[token]!.heartbeatDeadline)
            move(&actions[token]!.globalDeadline)
        }
        for name in groups.keys { move(&groups[name]!.createdTime) }
        for i in activities.indices {
            move(&activities[i].start)
            move(&activities[i].end)
        }
        for name in queues.keys {
            move(&queues[name]!.createdAt)
            for i in queues[name]!.messages.indices {
                move(&queues[name]!.messages[i].sentAt)
                move(&queues[name]!.messages[i].visibleAt)
                move(&queues[name]!.messages[i].firstReceiveAt)
            }
        }
        for name in applications.keys { applications[name]!.created.addTimeInterval(delta) }
        for key in deploymentGroups.keys {
            if var last = deploymentGroups[key]!.lastSuccessful {
                move(&last.created)
                move(&last.ended)
                deploymentGroups[key]!.lastSuccessful = last
            }
            if var last = deploymentGroups[key]!.lastAttempted {
                move(&last.created)
                move(&last.ended)
                deploymentGroups[key]!.lastAttempted = last
            }
        }
        for id in deployments.keys {
            move(&deployments[id]!.createTime)
            move(&deployments[id]!.startTime)
            move(&deployments[id]!.completeTime)
            for instance in deployments[id]!.targets.keys {
                move(&deployments[id]!.targets[instance]!.lastUpdated)
                move(&deployments[id]!.targets[instance]!.startedAt)
                for e in deployments[id]!.targets[instance]!.events.indices {
                    move(&deployments[id]!.targets[instance]!.events[e].start)
                    move(&deployments[id]!.targets[instance]!.events[e].end)
                }
            }
        }
        for id in detaching.keys { move(&detaching[id]!) }
        for i in scheduled.indices { move(&scheduled[i].0) }
        log("clock-moved", ["seconds": "\(delta)"])
    }
}
