import Foundation

extension GroupAudit {
    /// Instances waiting on lifeline's hook that nothing has heartbeated for longer than the
    /// heartbeat interval (half the hook's HeartbeatTimeout, as Auto Scaling reports it). The
    /// journal is the evidence: lifeline is not running, or cannot reach this group, and the action
    /// will run out to the hook's DefaultResult. Own mode only: in supervise mode CodeDeploy
    /// heartbeats its own hook.
    static func unattended(
        _ observation: Observation,
        _ journal: JournalView,
        mode: GroupPolicy.Mode,
        now: Date
    ) -> [Finding] {
        guard mode == .own else { return [] }
        let group = observation.deploymentGroup
        var findings: [Finding] = []
        for asg in observation.autoScalingGroups {
            guard let hook = asg.hook(group.hookName) else { continue }
            let timeout = TimeInterval(hook.heartbeatTimeout)
            for (instance, state) in asg.instances.sorted(by: { $0.key < $1.key }) where state == "Pending:Wait" {
                let action = journal.openActions.first { $0.instanceID == instance && $0.hookName == hook.name }
                let evidence: String
                let touched: Date
                if let action {
                    touched = action.lastHeartbeat ?? action.firstSeen
                    evidence =
                        action.lastHeartbeat == nil
                        ? "the journal recorded its action at \(touched.formatted(.iso8601)) and no heartbeat since"
                        : "the journal's last heartbeat for it was at \(touched.formatted(.iso8601))"
                } else if let launched = observation.launchTimes[instance] {
                    touched = launched
                    evidence = "the journal has no action for it, and it launched at \(launched.formatted(.iso8601))"
                } else {
                    continue
                }
                let idle = now.timeIntervalSince(touched)
                guard idle > timeout / 2 else { continue }
                let runsOut = touched.addingTimeInterval(timeout)
                findings.append(
                    Finding(
                        kind: .unattendedWait,
                        subject: instance,
                        detail:
                            "waits in Pending:Wait on \(hook.name) in \(asg.name); \(evidence), \(Int(idle)) s ago, "
                            + "more than half the hook's \(hook.heartbeatTimeout) s heartbeat timeout: lifeline is "
                            + "not running, or cannot reach this group; unless something heartbeats it, the action "
                            + (runsOut > now ? "runs out at about \(runsOut.formatted(.iso8601))" : "runs out now")
                            + " with \(hook.defaultResult)",
                        remedy: [
                            AWSCLI.recordHeartbeat(group: asg.name, hook: hook.name, instance: instance),
                            AWSCLI.command(["lifeline", "reconcile", "--group", group.description]),
                        ]
                    )
                )
            }
        }
        return findings
    }
}
