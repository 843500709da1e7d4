// Shared helpers: parse-and-compile one statement, and capture the QueryError a text raises.
import XCTest
@testable import QueryLanguage

/// Parses exactly one statement and compiles it.
func compileOne(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> CompiledQuery {
    let commands = try QueryParser.parse(text)
    XCTAssertEqual(commands.count, 1, "expected one statement", file: file, line: line)
    return try QueryCompiler.compile(commands[0])
}

/// Parses one statement that must be a query.
func parseQuery(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws -> Query {
    let commands = try QueryParser.parse(text)
    guard commands.count == 1, case .query(let q) = commands[0] else {
        XCTFail("not a single query: \(commands)", file: file, line: line)
        return Query(source: .runs)
    }
    return q
}

/// The QueryError that parsing `text` throws (fails the test if it parses).
func parseError(_ text: String, startLine: Int = 1,
                file: StaticString = #filePath, line: UInt = #line) -> QueryError? {
    do {
        let commands = try QueryParser.parse(text, line: startLine)
        XCTFail("parsed without error: \(commands)", file: file, line: line)
    } catch let error as QueryError {
        return error
    } catch {
        XCTFail("unexpected error type: \(error)", file: file, line: line)
    }
    return nil
}

/// Asserts message and position of the error `text` raises (and the caret's length, when given).
func assertError(_ text: String, _ message: String, column: Int, length: Int? = nil, errorLine: Int = 1,
                 file: StaticString = #filePath, line: UInt = #line) {
    guard let error = parseError(text, file: file, line: line) else { return }
    // Compared as text so a failure shows which of position, length or message differs.
    let got = length == nil ? "\(error.line):\(error.column)" : "\(error.line):\(error.column)+\(error.length)"
    let want = length.map { "\(errorLine):\(column)+\($0)" } ?? "\(errorLine):\(column)"
    XCTAssertEqual("\(got) \(error.message)", "\(want) \(message)", file: file, line: line)
}
