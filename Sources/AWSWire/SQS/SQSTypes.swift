import Foundation

public struct SQSMessage: Codable, Sendable, Equatable {
    public var messageId: String
    public var receiptHandle: String
    public var body: String
    public var md5OfBody: String?
    /// System attributes: `ApproximateReceiveCount`, `SentTimestamp`, …
    public var attributes: [String: String]?

    enum CodingKeys: String, CodingKey {
        case messageId = "MessageId"
        case receiptHandle = "ReceiptHandle"
        case body = "Body"
        case md5OfBody = "MD5OfBody"
        case attributes = "Attributes"
    }

    public init(messageId: String, receiptHandle: String, body: String, attributes: [String: String]? = nil) {
        self.messageId = messageId
        self.receiptHandle = receiptHandle
        self.body = body
        self.attributes = attributes
    }

    /// How many times SQS has handed this message out, this time included.
    public var receiveCount: Int { attributes?["ApproximateReceiveCount"].flatMap { Int($0) } ?? 1 }
}

/// An entry DeleteMessageBatch could not delete.
public struct SQSBatchFailure: Sendable, Equatable {
    public var receiptHandle: String
    public var code: String
    public var message: String?
    public var senderFault: Bool
}

/// The subset of SQS lifeline uses.
public protocol SQSAPI: Sendable {
    /// Long poll: waits up to `waitSeconds` (≤ 20) for up to `max` (≤ 10) messages.
    func receiveMessages(
        queueURL: String,
        max: Int,
        waitSeconds: Int,
        visibilityTimeout: Int?
    ) async throws -> [SQSMessage]
    func deleteMessage(queueURL: String, receiptHandle: String) async throws
    /// Deletes in batches of 10; returns the entries that failed.
    func deleteMessages(queueURL: String, receiptHandles: [String]) async throws -> [SQSBatchFailure]
    func changeMessageVisibility(queueURL: String, receiptHandle: String, visibilityTimeout: Int) async throws
    func getQueueAttributes(queueURL: String, names: [String]) async throws -> [String: String]
}
