/// The services lifeline speaks to, with what their wire protocols need.
public struct AWSService: Sendable, Hashable, CustomStringConvertible {
    public enum WireProtocol: Sendable, Hashable {
        /// Form-encoded request, XML answer wrapped in `<OpResult>` (Auto Scaling, STS).
        case query(version: String)
        /// Form-encoded request, XML answer without a result wrapper, `<Errors>` envelope.
        case ec2(version: String)
        /// JSON body, `X-Amz-Target: <prefix>.<Op>`.
        case json(version: String, targetPrefix: String)
        /// REST paths, JSON answers, no signature (the SSO portal, which takes a bearer token).
        case restJSON
    }

    /// SigV4 signing name and endpoint prefix (the same for these five).
    public let name: String
    /// The suffix of `AWS_ENDPOINT_URL_<SERVICE>`.
    public let environmentName: String
    public let wireProtocol: WireProtocol
    /// The endpoint's host name before the region, when it is not `name`.
    public var hostPrefix: String? = nil

    public var description: String { name }

    /// By name alone (each service has its own): a client looks its service up in several
    /// tables on every call, and hashing every field cost more than the lookups.
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    public static let autoScaling = AWSService(
        name: "autoscaling",
        environmentName: "AUTO_SCALING",
        wireProtocol: .query(version: "2011-01-01")
    )
    public static let ec2 = AWSService(name: "ec2", environmentName: "EC2", wireProtocol: .ec2(version: "2016-11-15"))
    public static let codeDeploy = AWSService(
        name: "codedeploy",
        environmentName: "CODEDEPLOY",
        wireProtocol: .json(version: "1.1", targetPrefix: "CodeDeploy_20141006")
    )
    public static let sqs = AWSService(
        name: "sqs",
        environmentName: "SQS",
        wireProtocol: .json(version: "1.0", targetPrefix: "AmazonSQS")
    )
    public static let dynamoDB = AWSService(
        name: "dynamodb",
        environmentName: "DYNAMODB",
        wireProtocol: .json(version: "1.0", targetPrefix: "DynamoDB_20120810")
    )
    public static let sts = AWSService(name: "sts", environmentName: "STS", wireProtocol: .query(version: "2011-06-15"))

    /// IAM Identity Center's portal (`GetRoleCredentials`): only SSO profiles call it, unsigned.
    public static let ssoPortal = AWSService(
        name: "sso",
        environmentName: "SSO",
        wireProtocol: .restJSON,
        hostPrefix: "portal.sso"
    )

    /// The services lifeline signs calls to.
    public static let all: [AWSService] = [.autoScaling, .ec2, .codeDeploy, .sqs, .sts, .dynamoDB]
}
