import Foundation
import Testing

@testable import JSONCoding

@Suite("JSONIndex reads members where they are")
struct JSONIndexTests {
    @Test("a member is found by its name however the name is written, the first of duplicates")
    func members() throws {
        let document = try JSONIndex.parse(
            Data(#"{"a": 1, "n\u0061me": "first", "name": "second", "café": "x", "e": null}"#.utf8)
        )
        let root = document.root
        #expect(document.member(root, "name").map(document.string) == "first")
        #expect(document.member(root, "café").map(document.string) == "x")
        #expect(document.member(root, "a").map(document.text) == "1")
        #expect(document.member(root, "e").map(document.kind) == .null)
        #expect(document.member(root, "nam") == nil)
        #expect(document.member(root, "names") == nil)
    }

    @Test("strings are read with their escapes replaced, and the tree is the same as read from the index")
    func strings() throws {
        let text = #"{"s": "tab\there \"q\" \u00e9 \ud83d\ude00 \/", "l": [1, {"x": []}, "y"], "t": true}"#
        let document = try JSONIndex.parse(Data(text.utf8))
        #expect(document.member(document.root, "s").map(document.string) == "tab\there \"q\" é 😀 /")
        let tree = document.value(document.root)
        #expect(
            tree
                == .object([
                    JSONMember("s", .string("tab\there \"q\" é 😀 /")),
                    JSONMember("l", .array([.number("1"), .object([JSONMember("x", .array([]))]), .string("y")])),
                    JSONMember("t", .bool(true)),
                ])
        )
        #expect(try JSONReader.parse(Data(text.utf8)) == tree)
    }
}
