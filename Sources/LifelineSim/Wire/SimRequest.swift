import Foundation

/// A decoded AWS request as the simulator sees it: which service and operation, and its input.
/// Query/EC2 input stays a flat `Name.member.1` map; JSON input is a dictionary.
struct SimRequest: @unchecked Sendable {
    enum Service: String, CaseIterable {
        case autoscaling, ec2, codedeploy, sqs, sts
    }

    var service: Service
    var operation: String
    /// Query protocols: the form fields, decoded.
    var form: [String: String]
    /// JSON protocols: the body object.
    var json: [String: Any]
    var accessKeyID: String

    /// Whether any input value is `resource` (a form field, or a JSON string, list or nested object).
    func names(_ resource: String) -> Bool {
        func contains(_ value: Any) -> Bool {
            switch value {
            case let s as String: s == resource
            case let list as [Any]: list.contains(where: contains)
            case let object as [String: Any]: object.values.contains(where: contains)
            default: false
            }
        }
        return form.values.contains(resource) || contains(json)
    }

    // MARK: Query input helpers

    func string(_ name: String) -> String? { form[name] }

    func int(_ name: String) -> Int? { form[name].flatMap { Int($0) } }

    func bool(_ name: String) -> Bool? { form[name].map { $0 == "true" } }

    /// `Name.member.1…` (Auto Scaling) or `Name.1…` (EC2), in order.
    func list(_ name: String) -> [String] {
        var out: [String] = []
        var i = 1
        while let v = form["\(name).member.\(i)"] ?? form["\(name).\(i)"] {
            out.append(v)
            i += 1
        }
        return out
    }

    /// `Prefix.member.N.Name` with `Prefix.member.N.Values.member.M` (Auto Scaling's filters).
    func filterMembers(_ name: String) -> [(name: String, values: [String])] {
        var out: [(String, [String])] = []
        var i = 1
        while let filter = form["\(name).member.\(i).Name"] {
            out.append((filter, list("\(name).member.\(i).Values")))
            i += 1
        }
        return out
    }

    /// `Prefix.member.N.Field` structures (Auto Scaling tags, …) as dictionaries.
    func structures(_ name: String) -> [[String: String]] {
        var out: [[String: String]] = []
        var i = 1
        while true {
            let prefix =
                form.keys.contains { $0.hasPrefix("\(name).member.\(i).") } ? "\(name).member.\(i)." : "\(name).\(i)."
            let fields = form.filter { $0.key.hasPrefix(prefix) }
            if fields.isEmpty { break }
            var item: [String: String] = [:]
            for (key, value) in fields { item[String(key.dropFirst(prefix.count))] = value }
            out.append(item)
            i += 1
        }
        return out
    }

    /// EC2 filters: `Filter.N.Name`, `Filter.N.Value.M`.
    var ec2Filters: [(name: String, values: [String])] {
        var out: [(String, [String])] = []
        var i = 1
        while let name = form["Filter.\(i).Name"] {
            var values: [String] = []
            var j = 1
            while let v = form["Filter.\(i).Value.\(j)"] {
                values.append(v)
                j += 1
            }
            out.append((name, values))
            i += 1
        }
        return out
    }

    // MARK: JSON input helpers

    func jsonString(_ key: String) -> String? { json[key] as? String }
    func jsonInt(_ key: String) -> Int? { (json[key] as? NSNumber)?.intValue }
    func jsonBool(_ key: String) -> Bool? { (json[key] as? NSNumber)?.boolValue }
    func jsonStrings(_ key: String) -> [String] { json[key] as? [String] ?? [] }
}

/// Decodes an `application/x-www-form-urlencoded` body.
enum FormDecoding {
    static func decode(_ body: String) -> [String: String] {
        var out: [String: String] = [:]
        for pair in body.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = unescape(parts[0])
            out[key] = parts.count > 1 ? unescape(parts[1]) : ""
        }
        return out
    }

    static func unescape(_ s: Substring) -> String {
        guard s.utf8.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) else { return String(s) }
        return String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(s)
    }
}
