import Foundation
import Testing

@testable import AWSWire

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `XMLReader` against FoundationXML's `XMLParser` (what lifeline read answers with before): the
/// same tree for every recorded answer and for the edge cases below, and the same verdict on
/// malformed documents.
@Suite("XML reader: the trees FoundationXML read, without its cost")
struct XMLReaderTests {
    /// Every XML body on file: the fuzzer's seeds and the recorded Auto Scaling and EC2 answers.
    static func corpus() throws -> [(String, Data)] {
        let fixtures = WireFixture.root.deletingLastPathComponent()
        var found: [(String, Data)] = []
        let seeds = fixtures.appendingPathComponent("fuzz/xml")
        for name in try FileManager.default.contentsOfDirectory(atPath: seeds.path).sorted() {
            found.append((name, try Data(contentsOf: seeds.appendingPathComponent(name)).dropFirst()))
        }
        for fixture in WireFixture.all(errors: false) + WireFixture.all(errors: true)
        where fixture.path.hasPrefix("autoscaling/") || fixture.path.hasPrefix("ec2/") {
            let response = fixture.json["response"] as? [String: Any]
            if let body = response?["body"] as? String, body.hasPrefix("<") {
                found.append((fixture.path, Data(body.utf8)))
            }
        }
        return found
    }

    static let edgeCases = [
        "<R/>",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"https://autoscaling.amazonaws.com/doc/2011-01-01/\"><A>x</A></R>",
        "\u{FEFF}<R><A a='1' b = \"2\" >x</A ></R>",
        "<R>\n  <A>  spaced  </A>\n  <B/>\n  <C></C>\n</R>\n",
        "<R><A>a &lt;b&gt; &amp; &quot;c&quot; &apos;d&apos; &#65;&#x42;&#x1F600;</A></R>",
        "<R><A><![CDATA[<not> &markup;]]></A><B>x<![CDATA[y]]>z</B></R>",
        "<R><A>line1\r\nline2\rline3</A></R>",
        "<R><Ünïcode>grüße 日本</Ünïcode><a.b-c_d>1</a.b-c_d></R>",
        "<R>mixed<A>1</A>content<B>2</B></R>",
        "<R><A>tab\tand&#10;newline</A></R>",
        // Layout between children is dropped as it is read; text between them is kept.
        "<R>\n  <A>1</A>\n  <B>2</B>\n  after  <C>3</C>\n  and more\n</R>",
        "<R> <A/> <![CDATA[ ]]> <B/>\t<![CDATA[x]]> </R>",
        // Long names are made once per document; two that share a slot of that cache.
        "<R><AbcdefghijklmnopQ>1</AbcdefghijklmnopQ><AbzzzzzzzzzzzzzpQ>2</AbzzzzzzzzzzzzzpQ>"
            + "<AbcdefghijklmnopQ>3</AbcdefghijklmnopQ><AbzzzzzzzzzzzzzpQ/></R>",
    ]

    static let malformed = [
        "", "   ", "<R>", "<R></S>", "<R><A></R></A>", "<R/><S/>", "text<R/>", "<R/>text", "<R>&bogus;</R>",
        "<R>& </R>", "<R>&#0;</R>", "<R>&#xD800;</R>", "<R>\u{01}</R>", "<R a=1/>", "<R a=\"1/>", "<1R/>",
        "<R><![CDATA[x</R>", "</R>", "<R",
        "<R a=\"<\"/>", "<R a=\"1\"b=\"2\"/>",
    ]

    @Test("every answer on file reads into the tree FoundationXML read")
    func corpusTrees() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count > 20, "the corpus is on file")
        // The fuzzer's findings crash FoundationXML; lifeline refuses them (HostileAnswerTests).
        for (name, body) in corpus where !name.hasPrefix("found-") {
            let reference = Self.foundationTree(body)
            let tree = try? AWSWire.XMLNode.parse(body)
            let same = tree.map(Self.describe) == reference.map(Self.describe)
            #expect(same, "\(name) reads differently (or one of the two refuses it)")
        }
    }

    @Test("edge cases read as FoundationXML read them", arguments: Self.edgeCases)
    func edgeCase(_ text: String) throws {
        let reference = try #require(Self.foundationTree(Data(text.utf8)), "FoundationXML reads it")
        #expect(Self.describe(try AWSWire.XMLNode.parse(Data(text.utf8))) == Self.describe(reference))
    }

    @Test("a child is found by its whole name; a list holds only its member and item elements")
    func lookups() throws {
        let root = try AWSWire.XMLNode.parse(
            Data(
                """
                <R><MinSize>1</MinSize><MaxSize>5</MaxSize><Max>6</Max>
                <L><member>a</member><membe>b</membe><item>c</item><items>d</items><x><member>e</member></x></L></R>
                """.utf8
            )
        )
        #expect(root.string("MaxSize") == "5")
        #expect(root.string("Max") == "6")
        #expect(root.string("MaxSiz") == nil)
        #expect(root.list("L").map(\.text) == ["a", "c"])
        #expect(root.at("L", "x", "member")?.text == "e")
        #expect(root.list("Nothing").isEmpty)
        let empty = AWSWire.XMLNode.empty("DoResult")
        #expect(empty.name == "DoResult" && empty.text == "" && empty.children.isEmpty)
    }

    @Test("UTF-8 beyond ASCII is read; bytes that are not UTF-8 are refused, in a word or in the tail")
    func encodings() throws {
        #expect(try AWSWire.XMLNode.parse(Data("<R><A>café ☃</A></R>".utf8)).string("A") == "café ☃")
        for bad in [[0xFF], [0xC3], [0xE2, 0x98]] as [[UInt8]] {
            for text in ["<R><A>", "<R><A>0123456789abcdef"] {
                // The bad bytes at every offset against the 8-byte words, then the close tags.
                let bytes = Array(text.utf8) + bad + Array("</A></R>".utf8)
                #expect(throws: XMLParseError.self) { try AWSWire.XMLNode.parse(Data(bytes)) }
                let tail = Array("<R/>".utf8) + bad
                #expect(throws: XMLParseError.self) { try AWSWire.XMLNode.parse(Data(tail)) }
            }
            // In a name (which may hold any byte beyond ASCII), where only the UTF-8 check can
            // refuse it: a document shorter than a word is all tail.
            let short = [UInt8(ascii: "<")] + bad + Array("/>".utf8)
            #expect(throws: XMLParseError.self) { try AWSWire.XMLNode.parse(Data(short)) }
        }
    }

    @Test("malformed documents are refused with a reason, as FoundationXML refused them", arguments: Self.malformed)
    func refused(_ text: String) {
        #expect(Self.foundationTree(Data(text.utf8)) == nil, "FoundationXML refuses it too")
        #expect(throws: XMLParseError.self) { try AWSWire.XMLNode.parse(Data(text.utf8)) }
    }

    /// FoundationXML reads these; lifeline refused them before it too (entity declarations can
    /// expand without bound, and FoundationXML trapped on a processing instruction without data).
    @Test(
        "a DOCTYPE, a comment and a processing instruction are refused",
        arguments: ["<!DOCTYPE R><R/>", "<R><!-- c --></R>", "<R><?pi x?></R>", "<?xml-stylesheet x?><R/>"]
    )
    func refusedByChoice(_ text: String) {
        #expect(throws: XMLParseError.self) { try AWSWire.XMLNode.parse(Data(text.utf8)) }
    }

    @Test("a refusal names what was wrong and where")
    func reasons() {
        for (text, reason) in [
            ("<R><A></R>", "<A> closed by </R> (at byte 10)"), ("<R>&nbsp;</R>", "an unknown entity &nbsp;"),
            ("<R><A>", "document ends before its root element closes"),
        ] {
            do {
                _ = try AWSWire.XMLNode.parse(Data(text.utf8))
                Issue.record("\(text) was read")
            } catch let error as XMLParseError {
                #expect(error.reason.contains(reason), "\(error.reason)")
            } catch {
                Issue.record("\(error)")
            }
        }
    }

    // MARK: - The reference: FoundationXML, as lifeline used it

    static func describe(_ node: AWSWire.XMLNode) -> String {
        "<\(node.name)>\(node.text.debugDescription)[\(node.children.map(describe).joined(separator: ","))]"
    }

    static func describe(_ node: Tree) -> String {
        "<\(node.name)>\(node.text.debugDescription)[\(node.children.map(describe).joined(separator: ","))]"
    }

    /// The tree FoundationXML's callbacks build, in the shape `describe` prints.
    struct Tree {
        var name: String
        var text = ""
        var children: [Tree] = []
    }

    static func foundationTree(_ data: Data) -> Tree? {
        let builder = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldResolveExternalEntities = false
        parser.delegate = builder
        let ok = parser.parse()
        guard ok, !builder.tooDeep, parser.parserError == nil, builder.stack.isEmpty, let root = builder.root
        else { return nil }
        return root
    }

    final class TreeBuilder: NSObject, XMLParserDelegate {
        var stack: [Tree] = []
        var root: Tree?
        var tooDeep = false

        func parser(
            _ parser: XMLParser,
            didStartElement name: String,
            namespaceURI: String?,
            qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            guard stack.count < AWSWire.XMLNode.maxDepth else {
                tooDeep = true
                parser.abortParsing()
                return
            }
            stack.append(Tree(name: name))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA block: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: block, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            guard var node = stack.popLast() else { return }
            if !node.children.isEmpty { node.text = node.text.trimmingCharacters(in: .whitespacesAndNewlines) }
            if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
        }
    }
}
