import CYaml

/// `lifeline.yaml` as the config reads it: mappings, lists and scalars, each with its line, every
/// scalar as its text. Composed from the events of libyaml (the parser inside Yams). Yams' own
/// `Node`s carry a tag, a style and a resolver each, and cost three times libyaml's parse on a
/// 1,000-group file (DESIGN §9: a one-shot pass pays its config load every time).
/// Anchors and aliases work; a key twice in one mapping, a second document and nesting deeper
/// than `maxDepth` are errors.
struct ConfigYAML {
    indirect enum Value {
        case scalar(String)
        case sequence([ConfigYAML])
        /// Keys that are not scalars have `nil` text: no config key can match them.
        case mapping(keys: [ConfigYAML], values: [ConfigYAML])
    }

    var value: Value
    /// 1-based, as an editor shows it.
    var line: Int

    var text: String? {
        if case let .scalar(text) = value { text } else { nil }
    }

    /// Deeper than any config: a limit, so that a hostile file cannot exhaust the stack.
    static let maxDepth = 64

    /// A YAML error: the line (when libyaml knows it) and what is wrong.
    struct SyntaxError: Error {
        var line: Int?
        var problem: String
    }

    /// The document in `text`; nil for a file with no document (empty, or only comments).
    static func compose(_ text: String) throws(SyntaxError) -> ConfigYAML? {
        guard !text.utf8.isEmpty else { return nil }
        let bytes = Array(text.utf8)
        return try bytes.withUnsafeBufferPointer { (buffer) throws(SyntaxError) -> ConfigYAML? in
            // On the heap: libyaml's parser points at itself (its string reader's data), so it
            // must not move while it reads.
            var composer = Composer(parser: .allocate(capacity: 1), event: .allocate(capacity: 1))
            composer.parser.initialize(to: yaml_parser_t())
            composer.event.initialize(to: yaml_event_t())
            defer {
                composer.parser.deallocate()
                composer.event.deallocate()
            }
            guard yaml_parser_initialize(composer.parser) == 1 else {
                throw SyntaxError(line: nil, problem: "the YAML parser could not start (out of memory)")
            }
            defer {
                yaml_event_delete(composer.event)
                yaml_parser_delete(composer.parser)
            }
            yaml_parser_set_input_string(composer.parser, buffer.baseAddress, buffer.count)
            return try composer.document()
        }
    }
}

/// Turns libyaml's events into `ConfigYAML` values, one event at a time.
private struct Composer {
    let parser: UnsafeMutablePointer<yaml_parser_t>
    let event: UnsafeMutablePointer<yaml_event_t>
    var anchors: [String: ConfigYAML] = [:]

    /// The stream's one document, or nil when it has none.
    mutating func document() throws(ConfigYAML.SyntaxError) -> ConfigYAML? {
        try next()  // STREAM-START
        try next()
        if event.pointee.type == YAML_STREAM_END_EVENT { return nil }
        try next()  // past DOCUMENT-START
        let root = try node(depth: 0)
        try next()  // DOCUMENT-END
        try next()
        guard event.pointee.type == YAML_STREAM_END_EVENT else {
            throw ConfigYAML.SyntaxError(
                line: line,
                problem: "a second document begins here; a config file holds one (remove the ---)"
            )
        }
        return root
    }

    /// The node whose first event is the current one; on return, the current event is its last.
    mutating func node(depth: Int) throws(ConfigYAML.SyntaxError) -> ConfigYAML {
        guard depth < ConfigYAML.maxDepth else {
            throw ConfigYAML.SyntaxError(line: line, problem: "nests deeper than \(ConfigYAML.maxDepth) levels")
        }
        let line = self.line
        // Read before the next event frees the current one.
        let anchor: String?
        let value: ConfigYAML.Value
        switch event.pointee.type {
        case YAML_ALIAS_EVENT:
            let name = Self.text(event.pointee.data.alias.anchor)
            guard let target = anchors[name] else {
                throw ConfigYAML.SyntaxError(line: line, problem: "the alias *\(name) names no anchor before it")
            }
            return target
        case YAML_SCALAR_EVENT:
            let scalar = event.pointee.data.scalar
            anchor = scalar.anchor.map(Self.text)
            value = .scalar(Self.text(scalar.value, count: scalar.length))
        case YAML_SEQUENCE_START_EVENT:
            anchor = event.pointee.data.sequence_start.anchor.map(Self.text)
            var items: [ConfigYAML] = []
            try next()
            while event.pointee.type != YAML_SEQUENCE_END_EVENT {
                items.append(try node(depth: depth + 1))
                try next()
            }
            value = .sequence(items)
        case YAML_MAPPING_START_EVENT:
            anchor = event.pointee.data.mapping_start.anchor.map(Self.text)
            value = try mapping(depth: depth)
        default:
            throw ConfigYAML.SyntaxError(line: line, problem: "unexpected YAML event \(event.pointee.type.rawValue)")
        }
        let node = ConfigYAML(value: value, line: line)
        if let anchor { anchors[anchor] = node }
        return node
    }

    /// The keys and values of the mapping that the current event starts.
    private mutating func mapping(depth: Int) throws(ConfigYAML.SyntaxError) -> ConfigYAML.Value {
        var keys: [ConfigYAML] = []
        var values: [ConfigYAML] = []
        var seen = Set<String>()
        try next()
        while event.pointee.type != YAML_MAPPING_END_EVENT {
            let key = try node(depth: depth + 1)
            try next()
            values.append(try node(depth: depth + 1))
            try next()
            if let text = key.text, !seen.insert(text).inserted {
                throw ConfigYAML.SyntaxError(
                    line: key.line,
                    problem:
                        "the key '\(String(text.prefix(60).map { $0.isNewline ? " " : $0 }))' appears twice in one mapping"
                )
            }
            keys.append(key)
        }
        return .mapping(keys: keys, values: values)
    }

    var line: Int { Int(event.pointee.start_mark.line) + 1 }

    /// The next event in place of the current one.
    mutating func next() throws(ConfigYAML.SyntaxError) {
        yaml_event_delete(event)
        guard yaml_parser_parse(parser, event) == 1 else {
            let parser = parser.pointee
            throw ConfigYAML.SyntaxError(
                line: parser.error == YAML_READER_ERROR ? nil : Int(parser.problem_mark.line) + 1,
                problem: parser.problem.map { String(cString: $0) } ?? "cannot be parsed"
            )
        }
    }

    static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>) -> String {
        String(cString: pointer)
    }

    static func text(_ pointer: UnsafeMutablePointer<yaml_char_t>?, count: Int) -> String {
        guard let pointer else { return "" }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }
}
