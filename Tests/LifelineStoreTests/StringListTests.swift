import Foundation
import Testing

@testable import LifelineStore

@Suite("string lists in a column")
struct StringListTests {
    @Test(
        "round trips, and reads as JSON any tool can read",
        arguments: [
            [], [""], ["m-1"], ["a", "b", "c"],
            ["has \"quotes\"", "back\\slash", "x\",\"y", "tab\tnewline\n", "ünïcode ✓"],
        ]
    )
    func roundTrip(list: [String]) throws {
        let text = StringList.encode(list)
        #expect(try StringList.decode(text) == list)
        #expect(try JSONDecoder().decode([String].self, from: Data(text.utf8)) == list)
    }
}
