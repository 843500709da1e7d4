import Foundation
import XCTest
@testable import Experiments

/// Locates the shared datasets (`<repo>/../shared/data`, found from this file's path) and
/// writes small temporary files for malformed-input tests.
enum TestData {
    static let repoRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var directory: String {
        repoRoot.appendingPathComponent("../shared/data").standardizedFileURL.path
    }

    /// The path of a dataset file, or a skip naming the missing path.
    static func file(_ relative: String) throws -> String {
        let p = (directory as NSString).appendingPathComponent(relative)
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("dataset file \(p) is absent; the shared datasets are expected in \(directory) (see its SOURCE.md files)")
        }
        return p
    }

    static func temporaryDirectory() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ftlab-exp-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writes `contents` to a fresh temporary file named `name` and returns its path.
    static func write(_ name: String, _ contents: String, in dir: String? = nil) throws -> String {
        let folder = try dir ?? temporaryDirectory()
        let p = (folder as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try contents.write(toFile: p, atomically: true, encoding: .utf8)
        return p
    }
}

/// Asserts that `body` throws a `DatasetError` whose description contains every fragment.
func assertDatasetError<T>(_ body: @autoclosure () throws -> T, contains fragments: [String],
                           file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DatasetError containing \(fragments)", file: file, line: line)
    } catch let error as DatasetError {
        for fragment in fragments {
            XCTAssertTrue(error.description.contains(fragment), "\"\(error.description)\" lacks \"\(fragment)\"", file: file, line: line)
        }
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}
