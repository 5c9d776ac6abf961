import Foundation

/// SQS over JSON 1.0 (`X-Amz-Target: AmazonSQS.<Op>`). https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/
public struct SQSClient: SQSAPI {
    static let batch = 10
    static let maxWait = 20

    let client: AWSClient

    public init(client: AWSClient) { self.client = client }

    public func receiveMessages(
        queueURL: String,
        max: Int,
        waitSeconds: Int,
        visibilityTimeout: Int?
    ) async throws -> [SQSMessage] {
        struct Input: Encodable {
            var QueueUrl: String
            var MaxNumberOfMessages: Int
            var WaitTimeSeconds: Int
            var VisibilityTimeout: Int?
            var AttributeNames: [String]
            var MessageSystemAttributeNames: [String]
        }
        struct Output: Decodable { var Messages: [SQSMessage]? }
        let input = Input(
            QueueUrl: queueURL,
            MaxNumberOfMessages: min(Self.batch, Swift.max(1, max)),
            WaitTimeSeconds: min(Self.maxWait, Swift.max(0, waitSeconds)),
            VisibilityTimeout: visibilityTimeout,
            AttributeNames: ["All"],
            MessageSystemAttributeNames: ["All"]
        )
        let output: Output = try await client.json(.sqs, "ReceiveMessage", input)
        return output.Messages ?? []
    }

    public func deleteMessage(queueURL: String, receiptHandle: String) async throws {
        struct Input: Encodable {
            var QueueUrl: String
            var ReceiptHandle: String
        }
        _ = try await client.json(
            .sqs,
            "DeleteMessage",
            Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle),
            as: EmptyOutput.self
        )
    }

    public func deleteMessages(queueURL: String, receiptHandles: [String]) async throws -> [SQSBatchFailure] {
        struct Entry: Encodable {
            var Id: String
            var ReceiptHandle: String
        }
        struct Input: Encodable {
            var QueueUrl: String
            var Entries: [Entry]
        }
        struct Failed: Decodable {
            var Id: String
            var Code: String
            var Message: String?
            var SenderFault: Bool?
        }
        struct Output: Decodable { var Failed: [Failed]? }
        var failures: [SQSBatchFailure] = []
        for batch in receiptHandles.chunked(Self.batch) {
            let entries = batch.enumerated().map { Entry(Id: "m\($0.offset)", ReceiptHandle: $0.element) }
            let output: Output = try await client.json(
                .sqs,
                "DeleteMessageBatch",
                Input(QueueUrl: queueURL, Entries: entries)
            )
            for failed in output.Failed ?? [] {
                guard let index = Int(failed.Id.dropFirst()), batch.indices.contains(index) else { continue }
                failures.append(
                    SQSBatchFailure(
                        receiptHandle: batch[index],
                        code: failed.Code,
                        message: failed.Message,
                        senderFault: failed.SenderFault ?? false
                    )
                )
            }
        }
        return failures
    }

    public func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout: Int) async throws {
        struct Input: Encodable {
            var QueueUrl: String
            var ReceiptHandle: String
            var VisibilityTimeout: Int
        }
        _ = try await client.json(
            .sqs,
            "ChangeMessageVisibility",
            Input(QueueUrl: queueURL, ReceiptHandle: receiptHandle, VisibilityTimeout: visibilityTimeout),
            as: EmptyOutput.self
        )
    }

    public func getQueueAttributes(queueURL: String, names: [String]) async throws -> [String: String] {
        struct Input: Encodable {
            var QueueUrl: String
            var AttributeNames: [String]
        }
        struct Output: Decodable { var Attributes: [String: String]? }
        let output: Output = try await client.json(
            .sqs,
            "GetQueueAttributes",
            Input(QueueUrl: queueURL, AttributeNames: names.isEmpty ? ["All"] : names)
        )
        return output.Attributes ?? [:]
    }
}
