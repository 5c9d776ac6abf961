import Foundation
import Testing

@testable import JSONCoding

/// Every shape the codec must handle, with what Foundation does as the oracle.
struct Sample: Codable, Equatable {
    enum Kind: String, Codable { case alpha, beta }
    struct Inner: Codable, Equatable {
        var name: String
        var tags: [String: String]
        var ids: [Int64]
    }
    var text: String
    var kind: Kind
    var count: Int
    var ratio: Double
    var flag: Bool
    var missing: String?
    var present: Int?
    var when: Date
    var later: Date?
    var url: URL
    var blob: Data
    var inner: Inner
    var list: [Inner]
    var nested: [[Double]]
    var empty: [String]
    var none: [String: Int]
    var UPPER: UInt8
    var _under: Int8
}

let sample = Sample(
    text: "a/b \"q\" \\ \n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} é ✓ 😀 \u{2028}",
    kind: .beta,
    count: -42,
    ratio: 0.1,
    flag: true,
    missing: nil,
    present: 7,
    when: Date(timeIntervalSince1970: 1_764_870_000.25),
    later: nil,
    url: URL(string: "https://codedeploy.us-east-1.amazonaws.com/x?y=1")!,
    blob: Data([0, 1, 2, 250, 255]),
    inner: Sample.Inner(
        name: "n",
        tags: ["b": "2", "a": "1", "B": "3", "a10": "x", "a9": "y"],
        ids: [Int64.max, Int64.min, 0]
    ),
    list: [Sample.Inner(name: "x", tags: [:], ids: [])],
    nested: [[1, 2.5, -0.0, 1e15, 1e16, 1.5e-7, 123_456_789.125], []],
    empty: [],
    none: [:],
    UPPER: 255,
    _under: -128
)

func foundationEncoder(_ dates: JSONEncoder.DateEncodingStrategy, _ format: JSONEncoder.OutputFormatting) -> JSONEncoder
{
    let encoder = JSONEncoder()
    encoder.dateEncodingStrategy = dates
    encoder.outputFormatting = format
    return encoder
}

@Suite("JSONValueEncoder writes what Foundation's JSONEncoder writes")
struct JSONEncoderParityTests {
    @Test("sorted keys, dates as seconds since 1970: byte for byte")
    func sortedSeconds() throws {
        let ours = try JSONValueEncoder(dates: .secondsSince1970, format: [.sortedKeys]).string(sample)
        let theirs = String(
            decoding: try foundationEncoder(.secondsSince1970, [.sortedKeys]).encode(sample),
            as: UTF8.self
        )
        #expect(ours == theirs)
    }

    @Test("pretty printed, slashes unescaped, Date's own encoding: byte for byte")
    func pretty() throws {
        let ours = try JSONValueEncoder(format: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]).string(sample)
        let theirs = String(
            decoding: try foundationEncoder(.deferredToDate, [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
                .encode(sample),
            as: UTF8.self
        )
        #expect(ours == theirs)
    }

    @Test("a top-level array, string and number")
    func fragments() throws {
        for (ours, theirs) in [
            (
                try JSONValueEncoder().string([sample.inner]),
                try foundationEncoder(.deferredToDate, [.sortedKeys]).encode([sample.inner])
            ),
            (try JSONValueEncoder().string("x/y"), try foundationEncoder(.deferredToDate, [.sortedKeys]).encode("x/y")),
            (try JSONValueEncoder().string(3.25), try foundationEncoder(.deferredToDate, [.sortedKeys]).encode(3.25)),
        ] {
            #expect(ours == String(decoding: theirs, as: UTF8.self))
        }
    }

    @Test("doubles across the range are written as Foundation writes them")
    func doubles() throws {
        var generator = SystemRandomNumberGenerator()
        var values: [Double] = [
            0, -0.0, 1, -1, 0.5, 1e-300, 5e-324, 1.7976931348623157e308, 9_007_199_254_740_991, 9_007_199_254_740_992,
            -9_007_199_254_740_993, 1e21, 1e22, 0.000001, 0.0001,
        ]
        for _ in 0..<2000 {
            values.append(Double(bitPattern: generator.next()))
            values.append(Double(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &generator)) / 1000)
        }
        let finite = values.filter(\.isFinite)
        let ours = try JSONValueEncoder().string(finite)
        let theirs = String(decoding: try foundationEncoder(.deferredToDate, []).encode(finite), as: UTF8.self)
        #expect(ours == theirs)
    }

    @Test("an infinite number is refused with its coding path, as Foundation refuses it")
    func infinite() {
        struct Holder: Encodable { var value = [1.0, .infinity] }
        #expect(throws: EncodingError.self) { try JSONValueEncoder().encode(Holder()) }
        do {
            _ = try JSONValueEncoder().encode(Holder())
        } catch EncodingError.invalidValue(_, let context) {
            #expect(context.codingPath.map(\.stringValue) == ["value", "Index 1"])
        } catch {
            Issue.record("unexpected \(error)")
        }
    }
}

@Suite("JSONValueDecoder reads what Foundation's JSONDecoder reads")
struct JSONDecoderParityTests {
    @Test("what either encoder wrote decodes to the same value")
    func roundTrip() throws {
        let data = try foundationEncoder(.secondsSince1970, [.sortedKeys]).encode(sample)
        let decoded = try JSONValueDecoder(dates: .secondsSince1970).decode(Sample.self, from: data)
        #expect(decoded == sample)
        let pretty = try JSONValueEncoder(format: [.prettyPrinted]).encode(sample)
        #expect(try JSONValueDecoder().decode(Sample.self, from: pretty) == sample)
    }

    @Test("numbers: exact integers at the limits, 1.0 as an integer, too big refused")
    func numbers() throws {
        #expect(
            try JSONValueDecoder().decode(
                [Int64].self,
                from: Data("[9223372036854775807, -9223372036854775808, 1.0, 2e3]".utf8)
            ) == [.max, .min, 1, 2000]
        )
        #expect(throws: DecodingError.self) {
            try JSONValueDecoder().decode([Int64].self, from: Data("[9223372036854775808]".utf8))
        }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([UInt8].self, from: Data("[256]".utf8)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([Int].self, from: Data("[1.5]".utf8)) }
        #expect(throws: DecodingError.self) { try JSONValueDecoder().decode([Double].self, from: Data("[1e999]".utf8)) }
    }

    @Test("escapes and surrogate pairs decode as Foundation decodes them")
    func escapes() throws {
        let text = #"["\"\\\/\b\f\n\r\t\u00e9\u2713\ud83d\ude00", "plain é"]"#
        let ours = try JSONValueDecoder().decode([String].self, from: Data(text.utf8))
        let theirs = try JSONDecoder().decode([String].self, from: Data(text.utf8))
        #expect(ours == theirs)
    }

    @Test("duplicate member names: the first counts, as in Foundation")
    func duplicates() throws {
        struct One: Decodable { var a: Int }
        #expect(try JSONValueDecoder().decode(One.self, from: Data(#"{"a":1,"a":2}"#.utf8)).a == 1)
        #expect(try JSONDecoder().decode(One.self, from: Data(#"{"a":1,"a":2}"#.utf8)).a == 1)
    }

    struct Outer: Decodable { var inner: [Sample.Inner] }

    /// What decoding `json` as `Outer` throws, and its coding path; nil if it decodes.
    static func failure(_ json: String) -> (String, [String])? {
        let error: any Error
        do {
            _ = try JSONValueDecoder().decode(Outer.self, from: Data(json.utf8))
            return nil
        } catch let thrown {
            error = thrown
        }
        switch error as? DecodingError {
        case .keyNotFound(let key, let c)?: return ("keyNotFound", c.codingPath.map(\.stringValue) + [key.stringValue])
        case .typeMismatch(_, let c)?: return ("typeMismatch", c.codingPath.map(\.stringValue))
        case .valueNotFound(_, let c)?: return ("valueNotFound", c.codingPath.map(\.stringValue))
        case .dataCorrupted(let c)?: return ("dataCorrupted", c.codingPath.map(\.stringValue))
        default: return ("other", [])
        }
    }

    @Test("errors say where: a missing member, a wrong type, a null, not JSON")
    func errors() {
        let path = Self.failure
        #expect(
            path(#"{"inner":[{"name":"a","tags":{},"ids":[]},{"tags":{},"ids":[]}]}"#)! == (
                "keyNotFound", ["inner", "Index 1", "name"]
            )
        )
        #expect(
            path(#"{"inner":[{"name":"a","tags":{},"ids":["1"]}]}"#)! == (
                "typeMismatch", ["inner", "Index 0", "ids", "Index 0"]
            )
        )
        #expect(
            path(#"{"inner":[{"name":null,"tags":{},"ids":[]}]}"#)! == ("valueNotFound", ["inner", "Index 0", "name"])
        )
        #expect(path(#"{"inner":[}"#)! == ("dataCorrupted", []))
    }
}

@Suite("JSONReader refuses what is not JSON")
struct JSONReaderTests {
    @Test("malformed documents fail with a reason, never a crash")
    func malformed() {
        for text in [
            "", " ", "{", "}", "{\"a\" 1}", "{a:1}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1",
            "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\ud800\\u0041\"", "\"a\u{1}b\"", "tru",
            "nul",
            "[1] x", "{\"a\":1}}", "[[[[", "NaN", "Infinity",
        ] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONReader.parse(Data(text.utf8)) }
            #expect(throws: (any Error).self, "Foundation agrees on \(text)") {
                try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            }
        }
    }

    @Test("trailing commas, which Foundation lets through, are refused")
    func trailingCommas() {
        for text in ["[1,]", "{\"a\":1,}"] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONReader.parse(Data(text.utf8)) }
        }
    }

    @Test("nesting past the limit is refused before the stack runs out")
    func depth() throws {
        let deep =
            String(repeating: "[", count: JSONReader.maxDepth + 1)
            + String(repeating: "]", count: JSONReader.maxDepth + 1)
        #expect(throws: JSONParseError.self) { try JSONReader.parse(Data(deep.utf8)) }
        let fine =
            String(repeating: "[", count: JSONReader.maxDepth) + String(repeating: "]", count: JSONReader.maxDepth)
        #expect(try JSONReader.parse(Data(fine.utf8)) != .null)
    }

    @Test("a tree keeps numbers as written and members in order")
    func tree() throws {
        let value = try JSONReader.parse(Data(#" {"b": 1.50, "a": [true, false, null, "x"], "b": -0} "#.utf8))
        #expect(
            value
                == .object([
                    JSONMember("b", .number("1.50")),
                    JSONMember("a", .array([.bool(true), .bool(false), .null, .string("x")])),
                    JSONMember("b", .number("-0")),
                ])
        )
        #expect(value["a"] == .array([.bool(true), .bool(false), .null, .string("x")]))
    }

    /// A type whose own writing says something its `Encodable` does not: which one the encoder
    /// wrote shows.
    struct Marked: JSONWritable {
        var text = "from Encodable"
        func writeJSON(_ json: inout JSONOutput) { json.object { $0.add("tree", true) } }
    }

    /// Every kind of member, in key order.
    struct Members: JSONWritable {
        var none: String? = nil
        func writeJSON(_ json: inout JSONOutput) {
            json.object { json in
                json.add("b", false)
                json.add("e", [Marked]())
                json.add("l", ["a"])
                json.add("m", Empty())
                json.add("n", 3)
                json.add("none", none)
                json.add("s", "x")
                json.add("t", [Marked()])
            }
        }
    }

    struct Empty: JSONWritable {
        func writeJSON(_ json: inout JSONOutput) { json.object { _ in } }
    }

    struct Holder: Encodable {
        var marked = Marked()
        var list = [Marked()]
        var optional: Marked? = Marked()
        var absent: Marked? = nil
    }

    @Test("a value that writes itself is written by its own writing, at the top and nested")
    func writables() throws {
        let encoder = JSONValueEncoder(format: [.sortedKeys])
        #expect(try encoder.string(Marked()) == #"{"tree":true}"#)
        #expect(
            try encoder.string(Holder())
                == #"{"list":[{"tree":true}],"marked":{"tree":true},"optional":{"tree":true}}"#
        )
        #expect(
            try encoder.string(Members()) == #"{"b":false,"e":[],"l":["a"],"m":{},"n":3,"s":"x","t":[{"tree":true}]}"#
        )
        // Pretty-printed as Foundation prints: empty containers on a line of their own.
        let pretty = JSONValueEncoder(format: [.sortedKeys, .prettyPrinted])
        #expect(
            try pretty.string(["k": Members()]) == """
                {
                  "k" : {
                    "b" : false,
                    "e" : [

                    ],
                    "l" : [
                      "a"
                    ],
                    "m" : {

                    },
                    "n" : 3,
                    "s" : "x",
                    "t" : [
                      {
                        "tree" : true
                      }
                    ]
                  }
                }
                """
        )
    }
}
