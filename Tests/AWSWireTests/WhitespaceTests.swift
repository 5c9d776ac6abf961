import Foundation
import Testing

@testable import AWSWire

@Suite("XML text and whitespace")
struct WhitespaceTests {
    @Test("trimming takes only XML's and HTTP's whitespace, and keeps characters of several bytes whole")
    func trimming() {
        #expect(" \t\r\n".trimmingASCIIWhitespace == "")
        #expect("".trimmingASCIIWhitespace == "")
        #expect("  grüße, 日本 \r\n".trimmingASCIIWhitespace == "grüße, 日本")
        #expect("日本".trimmingASCIIWhitespace == "日本")
        // A no-break space is not XML whitespace: it is the value's.
        #expect("\u{00A0}x\u{00A0}".trimmingASCIIWhitespace == "\u{00A0}x\u{00A0}")
        #expect("  x y  "[...].trimmingASCIIWhitespace == "x y")
    }

    @Test("a leaf keeps its text as sent; an element with children loses the indentation between them")
    func leafAndContainerText() throws {
        let xml = "<R>\n  <Name>  spaced é </Name>\n  <Count> 7\n</Count>\n  <On>\ttrue </On>\n</R>\n"
        let root = try XMLNode.parse(Data(xml.utf8))
        #expect(root.text == "")
        #expect(root.string("Name") == "  spaced é ")
        #expect(try root.int("Count") == 7)
        #expect(try root.bool("On") == true)
    }
}
