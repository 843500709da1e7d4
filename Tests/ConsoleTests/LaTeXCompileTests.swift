import Console
import Foundation
import Store
import TestSupport
import XCTest

/// A real compiler checks the LaTeX: pdflatex compiles the report (report.tex with its fragments
/// and PDF figures) and `.mode latex` tables, failing on any LaTeX error, overfull box or missing
/// character; pdftoppm renders every page and figure, failing on a page with nothing on it or on
/// any complaint about the PDF's structure.
///
/// Needs pdflatex and pdftoppm (Debian: apt-get install texlive-latex-base
/// texlive-latex-recommended poppler-utils); skipped without them.
/// FTLAB_LATEX_EVIDENCE=DIR keeps every file (tex, pdf, png) in DIR for a look.
final class LaTeXCompileTests: XCTestCase {
    static let packages = "texlive-latex-base texlive-latex-recommended poppler-utils"

    override func setUpWithError() throws {
        for tool in ["pdflatex", "pdftoppm"] where Self.which(tool) == nil {
            throw XCTSkip("\(tool) is not installed (Debian: apt-get install -y \(Self.packages))")
        }
    }

    /// The negative-transfer report of the seeded database and the accuracy pivot as a table.
    func testSeededReportAndAccuracyPivotCompile() throws {
        let f = try SessionFixture()
        let report = f.directory.path("report")
        let r = f.run("report negative-transfer where task = gsm8k to \(report) format latex")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertTrue(r.out.hasPrefix("wrote runs.csv, summary.csv, depth.csv, report.tex, table-accuracy.tex, table-delta.tex, "
                                      + "table-thresholds.tex, table-depth.tex, accuracy.pdf, delta.pdf to \(report)"), r.out)
        XCTAssertFalse(FileManager.default.fileExists(atPath: report + "/report.md"), "format latex writes no Markdown")
        let pages = try compile("report.tex", in: report)
        XCTAssertGreaterThanOrEqual(pages.count, 1)
        for figure in ["accuracy.pdf", "delta.pdf"] { _ = try render(figure, in: report) }

        let table = f.directory.path("pivot")
        try FileManager.default.createDirectory(atPath: table, withIntermediateDirectories: true)
        XCTAssertTrue(f.run(".mode latex").ok)
        XCTAssertTrue(f.run(".once \(table)/table.tex").ok)
        XCTAssertTrue(f.run("accuracy by model, method where task = gsm8k").ok)
        try wrap("table.tex", in: table)
        _ = try compile("document.tex", in: table)
        try keep([report, table], as: "seeded")
    }

    /// Model keys with `_` and `#`, a task named with `%` and `&` (through the report), and a
    /// field with `\` and the other specials (through `.mode latex`).
    func testSpecialCharactersCompile() throws {
        let f = try SessionFixture()
        let store = try ResultsStore(path: f.databasePath)
        let task = "word_problems 100% & more"
        let dataset = try store.upsertDataset(DatasetRecord(task: task, split: "test", size: 10, sha256: "odd"))
        var firstRun: Int64 = 0
        for (m, (key, params)) in [("odd_model_1", Int64(150_000_000)), ("odd_model_2#x", Int64(600_000_000))].enumerated() {
            let model = try store.upsertModel(ModelRecord(key: key, family: "llama", params: params, path: "/m/\(key)",
                                                          format: "gguf", sha256: key))
            for (k, method) in [RunMethod.zeroShot, .full, .lora].enumerated() {
                let run = try store.insertRun(RunRecord(specHash: "\(key)-\(method)", modelID: model, datasetID: dataset,
                                                        method: method, kind: .eval, seed: 0, engineVersion: "x", host: "h"))
                if firstRun == 0 { firstRun = run }
                try store.insertPredictions((0..<10).map { i in
                    // Right on a different share of examples per model and method (full: fewer).
                    PredictionRecord(runID: run, exampleIndex: i, output: ##"a\b {c} $d$ ~e^ #f 50% & g_h <i> |j|"##,
                                     gold: "1", correct: (i + 3 * m + k) % 10 < (method == .full ? 2 + 3 * m : 5))
                })
                try store.finishRun(id: run, status: .done)
            }
        }
        let report = f.directory.path("odd report")
        let r = f.run("report thresholds where task = '\(task)' to '\(report)' format latex")
        XCTAssertTrue(r.ok, r.err)
        let accuracy = try String(contentsOfFile: report + "/table-accuracy.tex", encoding: .utf8)
        XCTAssertTrue(accuracy.contains("odd\\_model\\_1 & 150M"), accuracy)
        XCTAssertTrue(accuracy.contains("odd\\_model\\_2\\#x & 600M"), accuracy)
        XCTAssertTrue(try String(contentsOfFile: report + "/report.tex", encoding: .utf8)
            .contains("word\\_problems 100\\% \\& more (test)"))
        _ = try compile("report.tex", in: report)

        let table = f.directory.path("odd table")
        try FileManager.default.createDirectory(atPath: table, withIntermediateDirectories: true)
        XCTAssertTrue(f.run(".mode latex").ok)
        XCTAssertTrue(f.run(".once '\(table)/table.tex'").ok)
        XCTAssertTrue(f.run("predictions of run \(firstRun) select example, output, correct limit 3").ok)
        let text = try String(contentsOfFile: table + "/table.tex", encoding: .utf8)
        XCTAssertTrue(text.contains(##"a\textbackslash{}b \{c\} \$d\$ \textasciitilde{}e\textasciicircum{} \#f 50\% \& g\_h"##), text)
        try wrap("table.tex", in: table)
        _ = try compile("document.tex", in: table)
        try keep([report, table], as: "escaping")
    }

    // MARK: tools

    /// A document around a `.mode latex` table, as a paper would `\input` it.
    private func wrap(_ table: String, in directory: String) throws {
        let document = "\\documentclass{article}\n\\usepackage{booktabs}\n\\begin{document}\n\\input{\(table)}\n\\end{document}\n"
        try document.write(toFile: directory + "/document.tex", atomically: true, encoding: .utf8)
    }

    /// Compiles `file` in `directory`, checks the log, renders every page; returns the page images.
    private func compile(_ file: String, in directory: String) throws -> [String] {
        let result = try Self.run("pdflatex", ["-interaction=nonstopmode", "-halt-on-error", file], in: directory)
        let log = (try? String(contentsOfFile: directory + "/" + file.replacingOccurrences(of: ".tex", with: ".log"),
                               encoding: .utf8)) ?? result.output
        XCTAssertEqual(result.status, 0, "pdflatex \(file) failed:\n\(log.suffix(3000))")
        let problems = log.split(separator: "\n").filter {
            $0.hasPrefix("!") || $0.contains("Overfull \\hbox") || $0.contains("Overfull \\vbox") || $0.contains("Missing character")
                || $0.contains("LaTeX Error") || $0.contains("Undefined control sequence")
        }
        XCTAssertEqual(problems, [], "\(directory)/\(file)")
        return try render(file.replacingOccurrences(of: ".tex", with: ".pdf"), in: directory)
    }

    /// pdftoppm renders every page of `pdf` to PNG (kept) and PGM (checked): no complaint on
    /// stderr, and each page has ink on it.
    private func render(_ pdf: String, in directory: String) throws -> [String] {
        let stem = (pdf as NSString).deletingPathExtension
        for format in ["-png", "-gray"] {
            let result = try Self.run("pdftoppm", [format, "-r", "50", pdf, stem + "-page"], in: directory)
            XCTAssertEqual(result.status, 0, result.output)
            XCTAssertEqual(result.output, "", "pdftoppm complains about \(pdf)")
        }
        let pages = try FileManager.default.contentsOfDirectory(atPath: directory)
            .filter { $0.hasPrefix(stem + "-page") && $0.hasSuffix(".pgm") }.sorted()
        XCTAssertFalse(pages.isEmpty, "\(pdf) has no pages")
        for page in pages {
            let ink = try Self.darkPixels(pgm: directory + "/" + page)
            XCTAssertGreaterThan(ink, 200, "\(pdf): \(page) is empty")
        }
        return pages
    }

    /// Pixels darker than light grey in a binary PGM (P5, 8-bit) as pdftoppm writes it.
    static func darkPixels(pgm path: String) throws -> Int {
        let data = try XCTUnwrap(FileManager.default.contents(atPath: path))
        var fields: [String] = [], current = "", index = 0
        while fields.count < 4, index < data.count {
            let c = Character(UnicodeScalar(data[index]))
            index += 1
            if c.isWhitespace { if !current.isEmpty { fields.append(current); current = "" } } else { current.append(c) }
        }
        XCTAssertEqual(fields.first, "P5")
        let width = Int(fields[1]) ?? 0, height = Int(fields[2]) ?? 0
        let pixels = data[index...]
        XCTAssertEqual(pixels.count, width * height)
        return pixels.reduce(0) { $0 + ($1 < 200 ? 1 : 0) }
    }

    /// FTLAB_LATEX_EVIDENCE=DIR: copy the folders there (tex, pdf, png).
    private func keep(_ directories: [String], as name: String) throws {
        guard let target = ProcessInfo.processInfo.environment["FTLAB_LATEX_EVIDENCE"] else { return }
        let fm = FileManager.default
        for directory in directories {
            let destination = target + "/" + name + "-" + (directory as NSString).lastPathComponent.replacingOccurrences(of: " ", with: "-")
            try? fm.removeItem(atPath: destination)
            try fm.createDirectory(atPath: destination, withIntermediateDirectories: true)
            for file in try fm.contentsOfDirectory(atPath: directory) where !file.hasSuffix(".pgm") && !file.hasSuffix(".aux") {
                try fm.copyItem(atPath: directory + "/" + file, toPath: destination + "/" + file)
            }
        }
    }

    static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    static func run(_ tool: String, _ arguments: [String], in directory: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: try XCTUnwrap(which(tool)))
        p.arguments = arguments
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        // pdflatex talks on stdout (kept for its log); pdftoppm's stdout is empty, its complaints on stderr.
        let text = tool == "pdftoppm" ? String(decoding: o + e, as: UTF8.self) : String(decoding: o, as: UTF8.self) + String(decoding: e, as: UTF8.self)
        return (p.terminationStatus, text)
    }
}
