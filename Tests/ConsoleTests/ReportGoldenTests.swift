@testable import Console
import Foundation
import Reports
import Store
import TestSupport
import XCTest

/// The report of the seeded database (TestSupport.SeedData) must equal the files checked in under
/// Tests/Fixtures/reports-golden/. Everything that would vary is pinned: run dates (the seed writes
/// the wall clock) are replaced, the generation date and source are injected, and the bootstrap
/// is seeded.
///
/// To regenerate the goldens deliberately after an intended change of the report:
///     FTLAB_UPDATE_GOLDEN=1 swift test --filter ConsoleTests.ReportGoldenTests
/// then read the diff (`git diff Tests/Fixtures/reports-golden`) before committing it.
/// FTLAB_REPORT_DUMP=DIR also writes every file of the report (SVGs included) to DIR for a look.
final class ReportGoldenTests: XCTestCase {
    static let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/reports-golden")
    static let context = ReportContext(generatedAt: "2026-01-02T03:04:05Z", selection: nil, source: "seed.sqlite")

    /// The seeded runs as the report reads them, with the wall-clock dates pinned.
    static func seededStudy() throws -> Study {
        let directory = try TemporaryDirectory(prefix: "ftlab-golden")
        let store = try ResultsStore(path: directory.path("seed.sqlite"))
        try SeedData.populate(store)
        let runs = try ReportLoader(store: store).load().runs.map { run -> ReportRun in
            var r = run
            r.startedAt = String(format: "2026-01-01T00:%02d:00Z", Int(run.id))
            r.finishedAt = String(format: "2026-01-01T00:%02d:30Z", Int(run.id))
            return r
        }
        return try StudyAnalysis.analyze(runs)
    }

    func testNegativeTransferReportMatchesGolden() throws {
        let files = ReportFiles.render(try Self.seededStudy(), kind: .negativeTransfer, context: Self.context)
        try compare(files, golden: ["report.md": "negative-transfer.md", "runs.csv": "runs.csv", "summary.csv": "summary.csv"])
    }

    func testThresholdsReportMatchesGolden() throws {
        let files = ReportFiles.render(try Self.seededStudy(), kind: .thresholds, context: Self.context)
        try compare(files, golden: ["report.md": "thresholds.md"])
    }

    private func compare(_ files: [(name: String, contents: String)], golden names: [String: String]) throws {
        let environment = ProcessInfo.processInfo.environment
        if let dump = environment["FTLAB_REPORT_DUMP"] {
            try FileManager.default.createDirectory(atPath: dump, withIntermediateDirectories: true)
            for f in files { try f.contents.write(toFile: dump + "/" + f.name, atomically: true, encoding: .utf8) }
        }
        for file in files {
            guard let goldenName = names[file.name] else { continue }
            let url = Self.goldenDirectory.appendingPathComponent(goldenName)
            if environment["FTLAB_UPDATE_GOLDEN"] == "1" {
                try FileManager.default.createDirectory(at: Self.goldenDirectory, withIntermediateDirectories: true)
                try file.contents.write(to: url, atomically: true, encoding: .utf8)
                continue
            }
            let expected = try String(contentsOf: url, encoding: .utf8)
            if file.contents != expected {
                // Name the first differing line: a whole-report diff in an XCTest message is unreadable.
                let a = file.contents.components(separatedBy: "\n"), b = expected.components(separatedBy: "\n")
                let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
                XCTFail("\(file.name) differs from \(goldenName) at line \(i + 1):\n  got:      \(i < a.count ? a[i] : "<end>")\n  expected: \(i < b.count ? b[i] : "<end>")\n(FTLAB_UPDATE_GOLDEN=1 regenerates, deliberately)")
            }
        }
    }
}
