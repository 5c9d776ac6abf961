/// A value that writes its own JSON: what its `Encodable` form writes, straight into the encoder's
/// bytes, without that form's containers or a tree in between. A pass writes thousands of these
/// (revisions, hook lists, CreateDeployment bodies); through a tree each cost about 17,000
/// instructions, most of them the tree's allocations. The encoder takes the value wherever it is,
/// at the top or nested in an `Encodable`, and writes it in its format; the value ignores the
/// encoder's date strategy, so a type with a `Date` in it does not conform.
public protocol JSONWritable: Encodable {
    func writeJSON(_ json: inout JSONOutput)
}

extension Array: JSONWritable where Element: JSONWritable {
    public func writeJSON(_ json: inout JSONOutput) { json.array(self) }
}

/// Where a `JSONWritable` writes: `object` opens an object, whose members `add` writes. Members
/// must come in key order (the encoder sorts keys, and nothing here can sort what is written); an
/// absent optional is left out, as `Encodable` leaves it.
public struct JSONOutput {
    var writer: JSONWriter
    /// The indentation of the value being written (its closing bracket's, when pretty-printed).
    var indent: Int
    /// Members the innermost open object has so far.
    var members = 0

    /// An object whose members `body` adds.
    public mutating func object(_ body: (inout JSONOutput) -> Void) {
        let outer = members
        members = 0
        writer.bytes.append(UInt8(ascii: "{"))
        body(&self)
        // Opened before its members were known: an empty one gets the line `open` would have given it.
        if members == 0 && writer.pretty { writer.bytes.append(0x0A) }
        writer.close(UInt8(ascii: "}"), empty: members == 0, indent: indent)
        members = outer
    }

    /// An array of values that write themselves.
    public mutating func array(_ items: [some JSONWritable]) {
        writer.open(UInt8(ascii: "["), empty: items.isEmpty)
        for (i, item) in items.enumerated() {
            writer.separate(i, indent: indent + 2)
            nested { item.writeJSON(&$0) }
        }
        writer.close(UInt8(ascii: "]"), empty: items.isEmpty, indent: indent)
    }

    public mutating func add(_ key: String, _ value: String?) {
        guard let value else { return }
        member(key)
        writer.string(value)
    }

    public mutating func add(_ key: String, _ value: Int?) {
        guard let value else { return }
        member(key)
        writer.bytes.append(String(value))
    }

    public mutating func add(_ key: String, _ value: Bool?) {
        guard let value else { return }
        member(key)
        writer.bytes.append(value ? "true" : "false")
    }

    public mutating func add(_ key: String, _ value: [String]?) {
        guard let value else { return }
        member(key)
        writer.open(UInt8(ascii: "["), empty: value.isEmpty)
        for (i, text) in value.enumerated() {
            writer.separate(i, indent: indent + 4)
            writer.string(text)
        }
        writer.close(UInt8(ascii: "]"), empty: value.isEmpty, indent: indent + 2)
    }

    public mutating func add(_ key: String, _ value: (some JSONWritable)?) {
        guard let value else { return }
        member(key)
        nested { value.writeJSON(&$0) }
    }

    private mutating func member(_ key: String) {
        writer.separate(members, indent: indent + 2)
        writer.string(key)
        writer.colon()
        members += 1
    }

    /// `body` writes a value one level in.
    private mutating func nested(_ body: (inout JSONOutput) -> Void) {
        indent += 2
        body(&self)
        indent -= 2
    }
}
