import Foundation

/// AWS timestamps: ISO 8601 with or without fractional seconds in XML, epoch seconds in JSON
/// (and, from some emulators, ISO strings in JSON too: both are accepted).
enum AWSTimestamp {
    static func parse(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(text) { return Date(timeIntervalSince1970: seconds) }
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)) { return d }
        if let d = try? Date(text, strategy: Date.ISO8601FormatStyle()) { return d }
        return nil
    }

    /// RFC 7231 `Date` header: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func parseHTTPDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }

    static let jsonDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .custom { d in
            let container = try d.singleValueContainer()
            if let seconds = try? container.decode(Double.self) { return Date(timeIntervalSince1970: seconds) }
            let text = try container.decode(String.self)
            guard let date = parse(text) else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a timestamp: \(text)")
            }
            return date
        }
        return decoder
    }()

    static let jsonEncoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .custom { date, e in
            var container = e.singleValueContainer()
            try container.encode(date.timeIntervalSince1970)
        }
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()
}

extension XMLNode {
    func date(_ name: String) -> Date? { string(name).flatMap(AWSTimestamp.parse) }
    func int(_ name: String) -> Int? { string(name).flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
    func bool(_ name: String) -> Bool? { string(name).map { $0.trimmingCharacters(in: .whitespaces) == "true" } }
}
