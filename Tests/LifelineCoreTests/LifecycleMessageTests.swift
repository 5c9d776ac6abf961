import Foundation
import LifelineCore
import Testing

/// The shapes AWS delivers lifecycle notifications in (fixtures/messages, from ../shared/vectors/messages).
@Suite("lifecycle message parsing")
struct LifecycleMessageTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("fixtures/messages")

    static func body(_ name: String) throws -> String {
        String(decoding: try Data(contentsOf: folder.appendingPathComponent(name)), as: UTF8.self)
    }

    @Test(
        "every delivered shape reads as the same launch action",
        arguments: ["direct-launch.json", "sns-wrapped-launch.json", "eventbridge-launch.json"]
    )
    func launch(file: String) throws {
        guard case .action(let n) = try LifecycleMessageParser.parse(try Self.body(file)) else {
            Issue.record("\(file) is not an action")
            return
        }
        #expect(n.token == "917070d0-6f4a-4e5b-9a1e-3c2d1b0a9f8e")
        #expect(
            n.instanceID == "i-0853dfa8ce1627af9" && n.autoScalingGroup == "web" && n.hookName == "lifeline-launch-prod"
        )
        #expect(n.isLaunching && n.metadata == "shop/prod")
        #expect(n.time != nil)
    }

    @Test("terminating actions are read too", arguments: ["direct-terminate.json", "eventbridge-terminate.json"])
    func terminate(file: String) throws {
        guard case .action(let n) = try LifecycleMessageParser.parse(try Self.body(file)) else {
            Issue.record("\(file) is not an action")
            return
        }
        #expect(n.transition == "autoscaling:EC2_INSTANCE_TERMINATING" && !n.isLaunching)
    }

    @Test("the test notification is recognised, direct or through SNS")
    func testNotification() throws {
        let direct = try Self.body("test-notification.json")
        #expect(try LifecycleMessageParser.parse(direct) == .testNotification(autoScalingGroup: "web"))
        let wrapped = String(
            decoding: try JSONSerialization.data(withJSONObject: ["Type": "Notification", "Message": direct]),
            as: UTF8.self
        )
        #expect(try LifecycleMessageParser.parse(wrapped) == .testNotification(autoScalingGroup: "web"))
    }

    @Test("every vector in the shared set is covered")
    func allVectorsCovered() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path).filter {
            $0.hasSuffix(".json")
        }.sorted()
        #expect(
            files == [
                "direct-launch.json", "direct-terminate.json", "eventbridge-launch.json", "eventbridge-terminate.json",
                "sns-wrapped-launch.json", "test-notification.json",
            ]
        )
    }

    @Test(
        "bodies that are not lifecycle messages are refused with the reason",
        arguments: [
            ("not json", "not a JSON object"),
            ("[1,2]", "not a JSON object"),
            (#"{"Type":"Notification","Message":"nope"}"#, "SNS notification"),
            (#"{"detail-type":"EC2 Instance Launch Successful","detail":{}}"#, "not a lifecycle action"),
            (
                #"{"LifecycleActionToken":"t","AutoScalingGroupName":"g","LifecycleHookName":"h","LifecycleTransition":"autoscaling:EC2_INSTANCE_LAUNCHING"}"#,
                "without EC2InstanceId"
            ),
            (
                #"{"LifecycleActionToken":"t","AutoScalingGroupName":"g","LifecycleHookName":"h","EC2InstanceId":"i","LifecycleTransition":"autoscaling:SOMETHING"}"#,
                "unknown LifecycleTransition"
            ),
            (#"{"hello":"world"}"#, "neither a lifecycle action"),
        ]
    )
    func refuses(body: String, reason: String) {
        let error = #expect(throws: MessageParseError.self) { _ = try LifecycleMessageParser.parse(body) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test("an oversized body is refused before it is parsed")
    func oversized() {
        #expect(throws: MessageParseError.self) {
            _ = try LifecycleMessageParser.parse(String(repeating: "x", count: 300_000))
        }
    }
}
