// The catalog must match the q_* views in the schema, since their columns are the field names.
import Foundation
import XCTest
@testable import QueryLanguage

final class CatalogTests: XCTestCase {
    /// Column names of each `CREATE VIEW q_x AS SELECT … FROM` in Schema/migrations/*.sql, in
    /// order (a later migration's definition of a view replaces the earlier one).
    private func viewColumns() throws -> [String: [String]] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
        let folder = root.appendingPathComponent("Schema/migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".sql") }.sorted()
        let sql = try files.map { try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }.joined(separator: "\n")
        let regex = try NSRegularExpression(pattern: #"CREATE VIEW (q_\w+) AS\s+SELECT(.*?)\s+FROM\s"#,
                                            options: [.dotMatchesLineSeparators])
        var views: [String: [String]] = [:]
        for match in regex.matches(in: sql, range: NSRange(sql.startIndex..., in: sql)) {
            let name = String(sql[Range(match.range(at: 1), in: sql)!])
            let list = String(sql[Range(match.range(at: 2), in: sql)!])
            views[name] = list.split(separator: ",").map { item in
                // "r.id AS id" → id; "family" → family.
                let last = item.split(whereSeparator: { $0 == " " || $0 == "\n" }).last!
                return String(last.split(separator: ".").last!)
            }
        }
        return views
    }

    func testFieldsAreExactlyTheViewColumns() throws {
        let views = try viewColumns()
        XCTAssertEqual(views.count, Source.allCases.count)
        for source in Source.allCases {
            XCTAssertEqual(FieldCatalog.fields(for: source).map(\.name), views[source.viewName], "\(source)")
        }
    }

    func testTypesAndAllowedValues() throws {
        func type(_ name: String, _ source: Source = .runs) -> FieldType? { FieldCatalog.field(named: name, in: source)?.type }
        XCTAssertEqual(["id", "params", "shots", "seed", "steps", "n", "tokens"].map { type($0) }, Array(repeating: .integer, count: 7))
        XCTAssertEqual(["accuracy", "lr", "alpha", "epochs", "seconds"].map { type($0) }, Array(repeating: .real, count: 5))
        XCTAssertEqual(["model", "task", "uuid", "host"].map { type($0) }, Array(repeating: .text, count: 4))
        XCTAssertEqual(type("loss", .steps), .real)
        XCTAssertEqual(type("prompt_tokens", .predictions), .integer)
        XCTAssertEqual(FieldCatalog.field(named: "method", in: .runs)?.allowedValues, ["zero_shot", "few_shot", "full", "lora", "dora"])
        XCTAssertEqual(FieldCatalog.field(named: "status", in: .runs)?.allowedValues, ["queued", "running", "done", "failed", "interrupted", "cancelled"])
        XCTAssertEqual(FieldCatalog.field(named: "kind", in: .runs)?.allowedValues, ["eval", "train"])
        XCTAssertEqual(FieldCatalog.field(named: "family", in: .models)?.allowedValues, ["llama", "qwen2", "gemma3"])
        XCTAssertNil(FieldCatalog.field(named: "format", in: .runs)?.allowedValues)
    }

    func testDefaultColumnsAreFieldsOfTheirSource() {
        for source in Source.allCases {
            for name in FieldCatalog.defaultColumns(for: source) {
                XCTAssertNotNil(FieldCatalog.field(named: name, in: source), "\(name) in \(source)")
            }
        }
    }

    func testSuggestionsAndVocabulary() {
        XCTAssertEqual(Suggestions.levenshtein("kitten", "sitting"), 3)
        XCTAssertEqual(Suggestions.nearest(to: "lroa", among: FieldCatalog.methods), "lora")
        XCTAssertEqual(Suggestions.nearest(to: "ZERO", among: FieldCatalog.methods), "zero_shot")  // prefix
        XCTAssertNil(Suggestions.nearest(to: "xyzzy", among: FieldCatalog.methods))
        for word in ["runs", "select", "where", "order", "by", "limit", "show", "of", "accuracy", "count", "in", "not", "and", "or", "null"] {
            XCTAssertTrue(Vocabulary.keywords.contains(word), word)
        }
        XCTAssertEqual(Vocabulary.keywords, Vocabulary.keywords.sorted())
    }
}
