import Foundation

/// STS (`AssumeRole`, `AssumeRoleWithWebIdentity`, `GetCallerIdentity`) and the SSO portal's
/// `GetRoleCredentials`. Every key the simulator hands out signs later calls, and
/// `GetCallerIdentity` says whose it is: tests check which identity a profile resolved to.
extension World {
    /// The identity behind an access key: the account's user for the configured keys, else the
    /// role session that was issued it.
    func identity(of accessKeyID: String) -> String {
        issuedIdentities[accessKeyID] ?? "arn:aws:iam::\(config.accountID):user/lifeline-sim"
    }

    func sts(_ r: SimRequest) throws -> String {
        var w = XMLWriter()
        switch r.operation {
        case "GetCallerIdentity":
            w.open("GetCallerIdentityResult") { w in
                w.element("UserId", r.accessKeyID)
                w.element("Account", config.accountID)
                w.element("Arn", identity(of: r.accessKeyID))
            }
        case "AssumeRole", "AssumeRoleWithWebIdentity":
            let role = try required(r, "RoleArn")
            let session = try required(r, "RoleSessionName")
            guard let name = Self.roleName(role) else { throw SimError.validation("\(role) is invalid") }
            guard (2...64).contains(session.count),
                session.allSatisfy({ $0.isLetter || $0.isNumber || "+=,.@_-".contains($0) })
            else {
                throw SimError.validation("1 validation error detected: Value '\(session)' at 'roleSessionName'")
            }
            let duration = r.int("DurationSeconds") ?? 3600
            guard (900...43_200).contains(duration) else {
                throw SimError.validation(
                    "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
                )
            }
            if r.operation == "AssumeRoleWithWebIdentity", (r.string("WebIdentityToken") ?? "").isEmpty {
                throw SimError(code: "InvalidIdentityToken", message: "The token is empty", status: 400)
            }
            let arn = "arn:aws:sts::\(config.accountID):assumed-role/\(name)/\(session)"
            let issued = issue(to: arn, for: TimeInterval(duration))
            log(
                "sts",
                [
                    "operation": r.operation, "role": role, "session": session,
                    "externalId": r.string("ExternalId") ?? "",
                    "caller": r.operation == "AssumeRole" ? identity(of: r.accessKeyID) : "web identity",
                    "duration": "\(duration)",
                ]
            )
            w.open("\(r.operation)Result") { w in
                w.open("Credentials") { w in
                    w.element("AccessKeyId", issued.key)
                    w.element("SecretAccessKey", issued.secret)
                    w.element("SessionToken", issued.token)
                    w.element("Expiration", issued.expiration)
                }
                w.open("AssumedRoleUser") { w in
                    w.element("AssumedRoleId", "AROA\(issued.key.dropFirst(4)):\(session)")
                    w.element("Arn", arn)
                }
            }
        default:
            throw SimError(
                code: "InvalidAction",
                message: "Could not find operation \(r.operation) for version 2011-06-15",
                status: 400
            )
        }
        return
            "<\(r.operation)Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\(w.text)"
            + "<ResponseMetadata><RequestId>\(SimID.requestID())</RequestId></ResponseMetadata></\(r.operation)Response>"
    }

    /// The SSO portal's `GetRoleCredentials`: a token registered through `/_sim/sso-token` buys
    /// credentials for any role of the account. Returns the status and the JSON body.
    func ssoRoleCredentials(token: String?, accountID: String?, roleName: String?) -> (Int, String) {
        func refusal(_ status: Int, _ type: String, _ message: String) -> (Int, String) {
            (status, ErrorEnvelope.json(["__type": type, "message": message]))
        }
        guard let token, let expires = ssoTokens[token], expires > now else {
            return refusal(401, "UnauthorizedException", "Session token not found or invalid")
        }
        guard accountID == config.accountID, let roleName, !roleName.isEmpty else {
            return refusal(403, "ForbiddenException", "No access")
        }
        let arn = "arn:aws:sts::\(config.accountID):assumed-role/AWSReservedSSO_\(roleName)/sso-user"
        let issued = issue(to: arn, for: 3600)
        log("sso", ["operation": "GetRoleCredentials", "role": roleName, "account": accountID ?? ""])
        return (
            200,
            ErrorEnvelope.json([
                "roleCredentials": [
                    "accessKeyId": issued.key, "secretAccessKey": issued.secret, "sessionToken": issued.token,
                    "expiration": Int(issued.expiration.timeIntervalSince1970 * 1000),
                ] as [String: Any]
            ])
        )
    }

    /// Registers an SSO access token, as `aws sso login` would obtain one.
    func addSSOToken(_ token: String, expires: Date) { ssoTokens[token] = expires }

    /// New temporary keys that sign for `arn` until they expire.
    private func issue(
        to arn: String,
        for seconds: TimeInterval
    ) -> (
        key: String, secret: String, token: String, expiration: Date
    ) {
        let key = "ASIA" + SimID.hex(8).uppercased()
        let secret = SimID.hex(20)
        config.credentials[key] = secret
        issuedIdentities[key] = arn
        return (key, secret, "IQoJb3JpZ2luX2Vj" + SimID.hex(24), now.addingTimeInterval(seconds))
    }

    /// `arn:aws:iam::<12 digits>:role/<path/>name` → the role's name.
    static func roleName(_ arn: String) -> String? {
        let parts = arn.split(separator: ":", maxSplits: 5, omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "arn", parts[2] == "iam", parts[4].count == 12,
            parts[4].allSatisfy(\.isNumber), parts[5].hasPrefix("role/")
        else { return nil }
        return parts[5].split(separator: "/").last.map(String.init)
    }
}
