/// Builds the form body of a Query-protocol request (Auto Scaling, EC2, STS): flattened
/// `Name.member.N` / `Name.N` keys, RFC 3986 encoding.
public struct QueryParameters: Sendable {
    public private(set) var items: [(name: String, value: String)]

    public init(action: String, version: String) {
        items = [("Action", action), ("Version", version)]
    }

    public mutating func set(_ name: String, _ value: String?) {
        if let value { items.append((name, value)) }
    }

    public mutating func set(_ name: String, _ value: Int?) { set(name, value.map(String.init)) }

    public mutating func set(_ name: String, _ value: Bool?) { set(name, value.map { $0 ? "true" : "false" }) }

    /// Auto Scaling style: `Name.member.1`, `Name.member.2`, …
    public mutating func setMembers(_ name: String, _ values: [String]) {
        for (i, v) in values.enumerated() { items.append(("\(name).member.\(i + 1)", v)) }
    }

    /// Auto Scaling style filters: `Filters.member.1.Name`, `Filters.member.1.Values.member.1`, …
    public mutating func setFilterMembers(_ name: String, _ filters: [(name: String, values: [String])]) {
        for (i, filter) in filters.enumerated() {
            items.append(("\(name).member.\(i + 1).Name", filter.name))
            setMembers("\(name).member.\(i + 1).Values", filter.values)
        }
    }

    /// EC2 style filters: `Filter.1.Name`, `Filter.1.Value.1`, …
    public mutating func setFilters(_ filters: [(name: String, values: [String])]) {
        for (i, filter) in filters.enumerated() {
            items.append(("Filter.\(i + 1).Name", filter.name))
            for (j, value) in filter.values.enumerated() { items.append(("Filter.\(i + 1).Value.\(j + 1)", value)) }
        }
    }

    public var formEncoded: String { String(decoding: formBody, as: UTF8.self) }

    /// `name=value&…`, each percent-encoded (`formEncode`), written into one buffer: the body of
    /// every Query request.
    public var formBody: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(items.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 } + 16)
        for (i, item) in items.enumerated() {
            if i > 0 { out.append(UInt8(ascii: "&")) }
            formEncode(item.name, into: &out)
            out.append(UInt8(ascii: "="))
            formEncode(item.value, into: &out)
        }
        return out
    }
}

private let upperHex = Array("0123456789ABCDEF".utf8)

/// Percent-encodes everything but RFC 3986's unreserved characters.
func formEncode(_ s: String, into out: inout [UInt8]) {
    for b in s.utf8 {
        switch b {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            out.append(b)
        default:
            out.append(UInt8(ascii: "%"))
            out.append(upperHex[Int(b >> 4)])
            out.append(upperHex[Int(b & 0xf)])
        }
    }
}
