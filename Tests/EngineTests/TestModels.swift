import Foundation
import XCTest

/// Where the study models live: `$FTLAB_HOME/models/<key>.gguf` (default `~/.cache/ftlab`),
/// the place `Scripts/fetch-models` puts them.
enum TestModels {
    static var directory: String {
        let home = ProcessInfo.processInfo.environment["FTLAB_HOME"]
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache/ftlab")
        return (home as NSString).appendingPathComponent("models")
    }

    static func path(_ key: String) -> String {
        (directory as NSString).appendingPathComponent("\(key).gguf")
    }

    /// The model's path, or an XCTSkip that says how to get it.
    static func require(_ key: String) throws -> String {
        let p = path(key)
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("model file \(p) is absent; run Scripts/fetch-models \(key)")
        }
        return p
    }

    /// Bytes `range` of the file at `path`, read with plain file I/O (not the mmap under test).
    static func readBytes(_ path: String, _ range: Range<Int>) throws -> [UInt8] {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seek(toOffset: UInt64(range.lowerBound))
        let data = try h.read(upToCount: range.count) ?? Data()
        XCTAssertEqual(data.count, range.count, "short read of \(path)")
        return [UInt8](data)
    }
}
