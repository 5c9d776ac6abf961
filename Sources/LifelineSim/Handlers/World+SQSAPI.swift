import Foundation

/// SQS's JSON 1.0 API (`AmazonSQS.<Op>`), with visibility timeouts, receipt handles and redelivery.
extension World {
    func sqs(_ r: SimRequest) throws -> String {
        var out: [String: Any] = [:]
        switch r.operation {
        case "CreateQueue":
            let name = try requiredSQS(r, "QueueName")
            let url = "\(serverURL)/\(config.accountID)/\(name)"
            if queues[name] == nil {
                let attributes = r.json["Attributes"] as? [String: String] ?? [:]
                queues[name] = SimQueue(
                    name: name,
                    url: url,
                    arn: "arn:aws:sqs:\(config.region):\(config.accountID):\(name)",
                    visibilityTimeout: Int(attributes["VisibilityTimeout"] ?? "") ?? 30,
                    attributes: attributes,
                    createdAt: now
                )
            }
            out = ["QueueUrl": queues[name]!.url]
        case "GetQueueUrl":
            let name = try requiredSQS(r, "QueueName")
            guard let q = queues[name] else { throw nonExistentQueue() }
            out = ["QueueUrl": q.url]
        case "ListQueues":
            let prefix = r.jsonString("QueueNamePrefix") ?? ""
            out = ["QueueUrls": queues.values.filter { $0.name.hasPrefix(prefix) }.map(\.url).sorted()]
        case "SendMessage":
            let q = try queue(r)
            let body = try requiredSQS(r, "MessageBody")
            let message = deliver(body, delaySeconds: r.jsonInt("DelaySeconds") ?? 0, to: q.name)
            out = ["MessageId": message.id, "MD5OfMessageBody": Self.md5Hex(body)]
        case "SendMessageBatch":
            // All of a batch's messages arrive together: one long poll can answer with all of them.
            let q = try queue(r)
            var successful: [[String: Any]] = []
            for entry in try batchEntries(r, "SendMessageBatchRequestEntry") {
                let body = entry["MessageBody"] as? String ?? ""
                let message = deliver(body, delaySeconds: (entry["DelaySeconds"] as? Int) ?? 0, to: q.name)
                successful.append([
                    "Id": entry["Id"] as? String ?? "", "MessageId": message.id, "MD5OfMessageBody": Self.md5Hex(body),
                ])
            }
            out = ["Successful": successful, "Failed": [[String: Any]]()]
        case "ReceiveMessage":
            var q = try queue(r)
            let max = r.jsonInt("MaxNumberOfMessages") ?? 1
            guard (1...10).contains(max) else {
                throw SimError(
                    code: "InvalidParameterValue",
                    message:
                        "Value \(max) for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and "
                        + "10, if provided.",
                    status: 400,
                    queryCode: "InvalidParameterValue"
                )
            }
            let visibility = Double(r.jsonInt("VisibilityTimeout") ?? q.visibilityTimeout)
            var delivered: [[String: Any]] = []
            for i in q.messages.indices where delivered.count < max && q.messages[i].visibleAt <= now {
                q.messages[i].receiveCount += 1
                q.messages[i].visibleAt = now.addingTimeInterval(visibility)
                q.messages[i].firstReceiveAt = q.messages[i].firstReceiveAt ?? now
                let handle = Data("\(q.messages[i].id)#\(q.messages[i].receiveCount)#\(UUID().uuidString)".utf8)
                    .base64EncodedString()
                q.messages[i].receiptHandle = handle
                let m = q.messages[i]
                delivered.append([
                    "MessageId": m.id, "ReceiptHandle": handle, "MD5OfBody": Self.md5Hex(m.body), "Body": m.body,
                    "Attributes": [
                        "ApproximateReceiveCount": String(m.receiveCount),
                        "SentTimestamp": String(Int(m.sentAt.timeIntervalSince1970 * 1000)),
                        "ApproximateFirstReceiveTimestamp": String(
                            Int((m.firstReceiveAt ?? now).timeIntervalSince1970 * 1000)
                        ),
                        "SenderId": "AIDAIENQZJOLO23YVJ4VO",
                    ],
                ])
            }
            queues[q.name] = q
            if !delivered.isEmpty { out = ["Messages": delivered] }
        case "DeleteMessage":
            var q = try queue(r)
            let handle = try requiredSQS(r, "ReceiptHandle")
            guard try remove(handle, from: &q) else { throw invalidHandle(handle) }
            queues[q.name] = q
        case "DeleteMessageBatch":
            var q = try queue(r)
            let entries = try batchEntries(r, "DeleteMessageBatchRequestEntry")
            var successful: [[String: Any]] = []
            var failed: [[String: Any]] = []
            for entry in entries {
                let id = entry["Id"] as? String ?? ""
                let handle = entry["ReceiptHandle"] as? String ?? ""
                if (try? remove(handle, from: &q)) == true {
                    successful.append(["Id": id])
                } else {
                    failed.append([
                        "Id": id, "SenderFault": true, "Code": "ReceiptHandleIsInvalid",
                        "Message": "The input receipt handle \"\(handle)\" is not a valid receipt handle.",
                    ])
                }
            }
            queues[q.name] = q
            out = ["Successful": successful, "Failed": failed]
        case "ChangeMessageVisibility":
            var q = try queue(r)
            let handle = try requiredSQS(r, "ReceiptHandle")
            guard let timeout = r.jsonInt("VisibilityTimeout"), (0...43_200).contains(timeout) else {
                throw SimError.missing("VisibilityTimeout", service: .sqs)
            }
            guard let i = q.messages.firstIndex(where: { $0.receiptHandle == handle }) else {
                throw invalidHandle(handle)
            }
            guard q.messages[i].visibleAt > now else {
                throw SimError(
                    code: "MessageNotInflight",
                    message: "Message does not exist or is not available for visibility timeout change.",
                    status: 400,
                    queryCode: "AWS.SimpleQueueService.MessageNotInflight"
                )
            }
            q.messages[i].visibleAt = now.addingTimeInterval(Double(timeout))
            queues[q.name] = q
        case "GetQueueAttributes":
            let q = try queue(r)
            let names = Set(r.jsonStrings("AttributeNames"))
            let visible = q.messages.filter { $0.visibleAt <= now }.count
            var attributes = q.attributes
            attributes["QueueArn"] = q.arn
            attributes["ApproximateNumberOfMessages"] = String(visible)
            attributes["ApproximateNumberOfMessagesNotVisible"] = String(q.messages.count - visible)
            attributes["ApproximateNumberOfMessagesDelayed"] = "0"
            attributes["VisibilityTimeout"] = String(q.visibilityTimeout)
            attributes["CreatedTimestamp"] = String(Int(q.createdAt.timeIntervalSince1970))
            attributes["MessageRetentionPeriod"] = attributes["MessageRetentionPeriod"] ?? "345600"
            out = [
                "Attributes": names.isEmpty || names.contains("All")
                    ? attributes : attributes.filter { names.contains($0.key) }
            ]
        case "PurgeQueue":
            var q = try queue(r)
            q.messages.removeAll()
            queues[q.name] = q
        default:
            throw SimError(
                code: "UnsupportedOperation",
                message: "\(r.operation) is not supported.",
                status: 400,
                queryCode: "AWS.SimpleQueueService.UnsupportedOperation"
            )
        }
        return ErrorEnvelope.json(out)
    }

    /// Whether a long poll should keep waiting: no visible message yet.
    func hasVisibleMessage(_ r: SimRequest) -> Bool {
        guard let q = try? queue(r) else { return true }
        return q.messages.contains { $0.visibleAt <= now }
    }

    /// Auto Scaling and the tests put messages by queue ARN.
    func enqueue(queueARN: String, body: String) {
        guard let name = queues.values.first(where: { $0.arn == queueARN })?.name else {
            log("notification-dropped", ["target": queueARN])
            return
        }
        deliver(body, to: name)
    }

    /// Puts a message on a queue and wakes the long polls waiting on it: every way a message
    /// arrives (SendMessage, SendMessageBatch, a notification) goes through here.
    @discardableResult
    private func deliver(_ body: String, delaySeconds: Int = 0, to queue: String) -> SimMessage {
        let message = SimMessage(
            id: UUID().uuidString.lowercased(),
            body: body,
            sentAt: now,
            visibleAt: now.addingTimeInterval(Double(delaySeconds))
        )
        queues[queue]?.messages.append(message)
        wakeLongPolls(on: queue)
        return message
    }

    /// Waits until a message is sent to the request's queue, or `atMost`: a long poll answers as
    /// soon as a message arrives, as SQS's does (a message that becomes visible again after its
    /// visibility timeout is seen at the latest `atMost` later).
    func waitForMessage(_ r: SimRequest, atMost: Duration) async {
        guard let name = try? queue(r).name else { return }
        let id = UUID()
        await withCheckedContinuation { (wake: CheckedContinuation<Void, Never>) in
            messageWaiters[id] = (name, wake)
            Task {
                try? await Task.sleep(for: atMost)
                self.endWait(id)
            }
        }
    }

    private func endWait(_ id: UUID) { messageWaiters.removeValue(forKey: id)?.wake.resume() }

    private func wakeLongPolls(on queue: String) {
        for (id, waiter) in messageWaiters where waiter.queue == queue { endWait(id) }
    }

    /// A batch request's entries: 1 to 10, as SQS allows.
    private func batchEntries(_ r: SimRequest, _ entryName: String) throws -> [[String: Any]] {
        let entries = r.json["Entries"] as? [[String: Any]] ?? []
        guard !entries.isEmpty else {
            throw SimError(
                code: "EmptyBatchRequest",
                message: "There should be at least one \(entryName) in the request.",
                status: 400,
                queryCode: "AWS.SimpleQueueService.EmptyBatchRequest"
            )
        }
        guard entries.count <= 10 else {
            throw SimError(
                code: "TooManyEntriesInBatchRequest",
                message: "Maximum number of entries per request are 10. You have sent \(entries.count).",
                status: 400,
                queryCode: "AWS.SimpleQueueService.TooManyEntriesInBatchRequest"
            )
        }
        return entries
    }

    func queue(_ r: SimRequest) throws -> SimQueue {
        let url = try requiredSQS(r, "QueueUrl")
        guard let name = url.split(separator: "/").last.map(String.init), let q = queues[name] else {
            throw nonExistentQueue()
        }
        return q
    }

    func remove(_ handle: String, from q: inout SimQueue) throws -> Bool {
        guard let i = q.messages.firstIndex(where: { $0.receiptHandle == handle }) else {
            // A handle of a message already deleted is accepted, as SQS does; a made-up one is not.
            guard let data = Data(base64Encoded: handle),
                String(decoding: data, as: UTF8.self).split(separator: "#").count == 3
            else { return false }
            return true
        }
        q.messages.remove(at: i)
        return true
    }

    func requiredSQS(_ r: SimRequest, _ key: String) throws -> String {
        guard let v = r.jsonString(key), !v.isEmpty else { throw SimError.missing(key, service: .sqs) }
        return v
    }

    func nonExistentQueue() -> SimError {
        SimError(
            code: "QueueDoesNotExist",
            message: "The specified queue does not exist.",
            status: 400,
            queryCode: "AWS.SimpleQueueService.NonExistentQueue"
        )
    }

    func invalidHandle(_ handle: String) -> SimError {
        SimError(
            code: "ReceiptHandleIsInvalid",
            message: "The input receipt handle \"\(handle)\" is not a valid receipt handle.",
            status: 400,
            queryCode: "ReceiptHandleIsInvalid"
        )
    }

    static func md5Hex(_ s: String) -> String { MD5.hex(Array(s.utf8)) }
}
