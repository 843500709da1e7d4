import Foundation

/// Timestamps are stored as text in the same shape as the schema's default,
/// `strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`, so rows written by Swift and by SQL sort together.
enum Timestamp {
    static func now() -> String { string(from: Date()) }

    static func string(from date: Date) -> String {
        // A formatter per call: ISO8601DateFormatter is not safe to share across threads.
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
