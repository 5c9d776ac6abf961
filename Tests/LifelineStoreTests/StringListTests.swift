import Foundation
import Testing

@testable import LifelineStore

@Suite("string lists in a column")
struct StringListTests {
    @Test(
        "round trips, and reads as JSON any tool can read",
        arguments: [
            [], [""], ["m-1"], ["a", "b", "c"], ["i-0123456789abcdef0", "ünïcode ✓ with no escapes"],
            ["has \"quotes\""], ["back\\slash"],
            ["has \"quotes\"", "back\\slash", "x\",\"y", "tab\tnewline\n", "ünïcode ✓"],
        ]
    )
    func roundTrip(list: [String]) throws {
        let text = StringList.encode(list)
        #expect(try StringList.decode(text) == list)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == list)
        // The same text as Foundation's writer with '/' left as it is, but for control characters,
        // which StringList writes as \u00XX where Foundation writes \t and \n.
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        if !list.joined().utf8.contains(where: { $0 < 0x20 }) {
            #expect(text == String(decoding: try encoder.encode(list), as: UTF8.self))
        }
    }
}
