@testable import Console
import Experiments
import Foundation
import Reports
import Store
import TestSupport
import XCTest

/// Reasoning depths come from the data file the runs were scored on — that file only — and a
/// report says why it has none.
final class ReportDepthConsoleTests: XCTestCase {
    /// A GSM8K-format test split of SeedData's 20 examples; example i's solution has i % 6 + 1 steps.
    private func writeData(in directory: TemporaryDirectory, tweak: String = "") throws -> String {
        let root = directory.path("data")
        try FileManager.default.createDirectory(atPath: root + "/gsm8k", withIntermediateDirectories: true)
        let lines = (0..<SeedData.examplesPerRun).map { i -> String in
            let steps = (0...(i % 6)).map { "Step \($0 + 1) of question \(i)." }.joined(separator: "\n")
            let row: [String: String] = ["question": "Question \(i)?\(tweak)", "answer": steps + "\n#### \(17 * i + 3)"]
            return String(data: try! JSONSerialization.data(withJSONObject: row, options: .sortedKeys), encoding: .utf8)!
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: root + "/gsm8k/test.jsonl", atomically: true, encoding: .utf8)
        return root
    }

    func testDepthsAreReadFromTheFileTheRunsScored() throws {
        let directory = try TemporaryDirectory(prefix: "ftlab-depth")
        let data = try writeData(in: directory)
        let sha = try TaskCatalog.load(task: "gsm8k", split: "test", dataDirectory: data).sha256
        let store = try ResultsStore(path: directory.path("db.sqlite"))
        try SeedData.populate(store, datasetSHA256: sha)

        let loaded = try ReportLoader(store: store, depthSource: .data(directory: data)).load()
        XCTAssertFalse(loaded.notes.contains { $0.contains("Reasoning depth") }, "\(loaded.notes)")
        let outcomes = loaded.runs.flatMap(\.outcomes)
        XCTAssertEqual(outcomes.count, 3 * 5 * 2 * SeedData.examplesPerRun)
        for o in outcomes { XCTAssertEqual(o.reasoningSteps, o.exampleIndex % 6 + 1, "example \(o.exampleIndex)") }

        // Without a source (the default), nothing is read and nothing is said.
        let off = try ReportLoader(store: store).load()
        XCTAssertTrue(off.runs.flatMap(\.outcomes).allSatisfy { $0.reasoningSteps == nil })
        XCTAssertFalse(off.notes.contains { $0.contains("Reasoning depth") })

        // Through the session: the report has the section, its bins counted from the file
        // (steps 1…6, 1…6, 1…6, 1, 2 for examples 0…19: ≤ 2 → 8, 3 → 3, 4 → 3, ≥ 5 → 6).
        let session = try Session(databasePath: directory.path("db.sqlite"), output: StringSink(), errors: StringSink())
        session.dataDirectory = data
        let out = directory.path("report")
        XCTAssertTrue(session.execute("report negative-transfer to \(out)"))
        let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
        XCTAssertTrue(md.contains("## Reasoning depth — gsm8k (test)"))
        XCTAssertTrue(md.contains("| tiny-135m | *questions* | 8 | 3 | 3 | 6 |"), md)
    }

    func testAnotherFileOrNoFileIsNamedInANote() throws {
        let directory = try TemporaryDirectory(prefix: "ftlab-depth")
        let data = try writeData(in: directory)
        let store = try ResultsStore(path: directory.path("db.sqlite"))
        let original = try TaskCatalog.load(task: "gsm8k", split: "test", dataDirectory: data).sha256
        try SeedData.populate(store, datasetSHA256: original)
        _ = try writeData(in: directory, tweak: " (edited)")

        let edited = try ReportLoader(store: store, depthSource: .data(directory: data)).load()
        XCTAssertTrue(edited.runs.flatMap(\.outcomes).allSatisfy { $0.reasoningSteps == nil },
                      "a file with another hash may not hold the same questions")
        let note = try XCTUnwrap(edited.notes.first { $0.contains("Reasoning depth") })
        XCTAssertTrue(note.contains("gsm8k (test) left out"), note)
        XCTAssertTrue(note.contains(data + "/gsm8k/test.jsonl"), note)
        XCTAssertTrue(note.contains(String(original.prefix(12))), note)

        let missing = try ReportLoader(store: store, depthSource: .data(directory: directory.path("nowhere"))).load()
        let absent = try XCTUnwrap(missing.notes.first { $0.contains("Reasoning depth") })
        XCTAssertTrue(absent.contains(directory.path("nowhere")), absent)
    }
}
