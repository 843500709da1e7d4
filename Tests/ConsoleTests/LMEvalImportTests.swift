import Console
import Foundation
import Store
import TestSupport
import XCTest

/// `import lm-eval PATH` on the real harness output in Tests/Fixtures/lm-eval (lm_eval 0.4.13,
/// SmolLM2-135M, 10 GSM8K + 10 PIQA documents; Scripts/lm-eval-fixture). Expected numbers are
/// read here from the harness's own files, never from ftlab.
///
/// The documents are matched against a data directory the test writes from the documents
/// themselves — in another order, among decoy questions — so the test needs no ../shared/data
/// and checks that matching goes by question text, not by position.
final class LMEvalImportTests: XCTestCase {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/lm-eval")
    static var modelFolder: URL { fixture.appendingPathComponent("__root__.cache__ftlab__models") }

    static func file(_ prefix: String) throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: modelFolder.path)
        return modelFolder.appendingPathComponent(try XCTUnwrap(names.first { $0.hasPrefix(prefix) }))
    }

    static func jsonLines(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// A session on a new database with the harness's model registered (its file is not needed)
    /// and a data directory holding the fixture's documents reversed, after three decoys.
    final class Setup {
        let directory: TemporaryDirectory
        let output = StringSink(), errors = StringSink()
        let session: Session
        let store: ResultsStore
        /// Question text → the index ftlab's copy gives it.
        var gsm8kIndex: [String: Int] = [:]
        var piqaIndex: [String: Int] = [:]

        init() throws {
            directory = try TemporaryDirectory(prefix: "ftlab-lmeval")
            let db = directory.path("results.sqlite")
            store = try ResultsStore(path: db)
            try store.upsertModel(ModelRecord(key: "smollm2-135m-instruct", family: "llama", params: 134_515_008,
                                              path: "/nowhere/smollm2-135m-instruct.gguf", format: "gguf", sha256: "0"))
            session = try Session(databasePath: db, output: output, errors: errors)
            session.dataDirectory = directory.path("data")
            try writeData()
        }

        private func writeData() throws {
            let fm = FileManager.default
            for sub in ["gsm8k", "piqa"] { try fm.createDirectory(atPath: directory.path("data/\(sub)"), withIntermediateDirectories: true) }
            var gsm8k = (1...3).map { ["question": "Decoy question \($0)?", "answer": "x\n#### \($0)"] }
            var seen = Set<Int>()
            for line in try LMEvalImportTests.jsonLines(LMEvalImportTests.file("samples_gsm8k_")).reversed() {
                guard seen.insert(line["doc_id"] as! Int).inserted else { continue }
                let doc = line["doc"] as! [String: Any]
                gsm8kIndex[doc["question"] as! String] = gsm8k.count
                gsm8k.append(["question": doc["question"] as! String, "answer": doc["answer"] as! String])
            }
            try write(gsm8k, to: "data/gsm8k/test.jsonl")
            try write([["question": "Decoy", "answer": "d\n#### 1"]], to: "data/gsm8k/train.jsonl")
            var piqa: [[String: String]] = [["goal": "Decoy goal", "sol1": "a", "sol2": "b"]]
            var labels = ["0"]
            for line in try LMEvalImportTests.jsonLines(LMEvalImportTests.file("samples_piqa_")).reversed() {
                let doc = line["doc"] as! [String: Any]
                piqaIndex[doc["goal"] as! String] = piqa.count
                piqa.append(["goal": doc["goal"] as! String, "sol1": doc["sol1"] as! String, "sol2": doc["sol2"] as! String])
                labels.append("\(doc["label"] as! Int)")
            }
            try write(piqa, to: "data/piqa/valid.jsonl")
            try (labels.joined(separator: "\n") + "\n").write(toFile: directory.path("data/piqa/valid-labels.lst"), atomically: true, encoding: .utf8)
        }

        private func write(_ records: [[String: String]], to name: String) throws {
            let text = try records.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }
            try (text.joined(separator: "\n") + "\n").write(toFile: directory.path(name), atomically: true, encoding: .utf8)
        }

        @discardableResult
        func run(_ line: String) -> (ok: Bool, out: String, err: String) {
            let o = output.text.count, e = errors.text.count
            let ok = session.execute(line)
            return (ok, String(output.text.dropFirst(o)), String(errors.text.dropFirst(e)))
        }

        func count(_ sql: String) throws -> Int {
            guard case .integer(let n)? = try store.select(sql: sql).rows.first?.first else { return -1 }
            return Int(n)
        }
    }

    func testImportedAccuraciesEqualTheHarnessResultsAndEverySampleIsAPrediction() throws {
        let setup = try Setup()
        let r = setup.run("import lm-eval \"\(Self.fixture.path)\"")
        XCTAssertTrue(r.ok, r.err)
        let results = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: Self.file("results_"))) as? [String: Any])
        let harness = try XCTUnwrap(results["results"] as? [String: [String: Any]])
        let runs = try setup.store.runs()
        XCTAssertEqual(runs.count, 2)
        let expected: [String: [String: String]] = [   // task → ftlab rule → harness key
            "gsm8k": ["strict": "exact_match,strict-match", "flexible": "exact_match,flexible-extract"],
            "piqa": ["acc": "acc,none", "acc_norm": "acc_norm,none"],
        ]
        for run in runs {
            let spec = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.specJSON.utf8)) as? [String: Any])
            let task = try XCTUnwrap(spec["harness_task"] as? String)
            let metrics = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(run.metricsJSON).utf8)) as? [String: Any])
            let accuracy = try XCTUnwrap(metrics["accuracy"] as? [String: Double])
            XCTAssertEqual(Set(accuracy.keys), Set(expected[task]!.keys), task)
            for (rule, key) in expected[task]! {
                let value = try XCTUnwrap(harness[task]?[key] as? Double, key)
                XCTAssertEqual(accuracy[rule], value, "\(task) \(rule): ftlab's import vs the harness's results json")
            }
            XCTAssertEqual(run.kind, .eval)
            XCTAssertEqual(run.method, .zeroShot)
            XCTAssertEqual(run.engineVersion, "lm-eval \(results["lm_eval_version"] as! String)")
            XCTAssertEqual(run.status, .done)
            // Every sample is a prediction, at the index ftlab's copy gives its question.
            let samples = try Self.jsonLines(Self.file("samples_\(task)_"))
            let docs = Set(samples.map { $0["doc_id"] as! Int })
            let predictions = try setup.store.predictions(runID: try XCTUnwrap(run.id))
            XCTAssertEqual(predictions.count, docs.count, task)
            XCTAssertEqual(run.n, docs.count)
            for line in samples {
                let doc = line["doc"] as! [String: Any]
                let index = task == "gsm8k" ? setup.gsm8kIndex[doc["question"] as! String] : setup.piqaIndex[doc["goal"] as! String]
                let p = try XCTUnwrap(predictions.first { $0.exampleIndex == index }, "doc \(line["doc_id"]!)")
                let scores = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(p.scoresJSON).utf8)) as? [String: [String: Any]])
                if task == "gsm8k" {
                    // Per filter: the harness's exact_match and the generated text, as it logged them.
                    let rule = line["filter"] as! String == "strict-match" ? "strict" : "flexible"
                    XCTAssertEqual(scores[rule]?["correct"] as? Bool, (line["exact_match"] as! Double) == 1, "doc \(line["doc_id"]!) \(rule)")
                    XCTAssertEqual(p.output, (line["resps"] as! [[String]])[0][0])
                } else {
                    XCTAssertEqual(scores["acc"]?["correct"] as? Bool, (line["acc"] as! Double) == 1)
                    XCTAssertEqual(scores["acc_norm"]?["correct"] as? Bool, (line["acc_norm"] as! Double) == 1)
                }
            }
        }
    }

    func testReimportingTheSameFilesChangesNothing() throws {
        let setup = try Setup()
        XCTAssertTrue(setup.run("import lm-eval \"\(Self.fixture.path)\"").ok)
        let before = (try setup.count("SELECT COUNT(*) FROM runs"), try setup.count("SELECT COUNT(*) FROM predictions"))
        XCTAssertEqual(before.0, 2)
        XCTAssertEqual(before.1, 20)
        let again = setup.run("import lm-eval \"\(Self.fixture.path)\"")
        XCTAssertTrue(again.ok, again.err)
        XCTAssertTrue(again.out.contains("already imported as run 1"), again.out)
        XCTAssertTrue(again.out.contains("already imported as run 2"), again.out)
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM runs"), before.0)
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM predictions"), before.1)
    }

    /// A copy of the fixture's files in a temporary folder, to damage.
    func copyOfFixture(_ setup: Setup) throws -> URL {
        let copy = setup.directory.url.appendingPathComponent("harness")
        try FileManager.default.copyItem(at: Self.fixture, to: copy)
        return copy
    }

    func testAFolderWithoutAResultsFileIsAnError() throws {
        let setup = try Setup()
        let empty = setup.directory.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        try "x".write(to: empty.appendingPathComponent("samples_gsm8k_1.jsonl"), atomically: true, encoding: .utf8)
        let r = setup.run("import lm-eval \"\(empty.path)\"")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("no lm-evaluation-harness results file (results_*.json)"), r.err)
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM runs"), 0)
        let missing = setup.run("import lm-eval \"\(setup.directory.path("nothing-here"))\"")
        XCTAssertFalse(missing.ok)
        XCTAssertTrue(missing.err.contains("no such file or folder"), missing.err)
    }

    func testATruncatedSamplesLineIsAnErrorNamingFileAndLine() throws {
        let setup = try Setup()
        let copy = try copyOfFixture(setup)
        let folder = copy.appendingPathComponent("__root__.cache__ftlab__models")
        let name = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("samples_piqa_") })
        let url = folder.appendingPathComponent(name)
        var lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        lines[2] = String(lines[2].prefix(lines[2].count / 2))   // line 3 cut in the middle
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        let r = setup.run("import lm-eval \"\(copy.path)\"")
        XCTAssertFalse(r.ok)
        XCTAssertTrue(r.err.contains("\(name):3:"), r.err)
        XCTAssertTrue(r.err.contains("truncated"), r.err)
        // Nothing is written, not even the gsm8k run whose files are fine.
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM runs"), 0)
    }

    /// A task ftlab has no dataset for is refused, by name; the folder's other tasks still import.
    func testATaskFtlabDoesNotKnowIsRefusedByName() throws {
        let setup = try Setup()
        let copy = try copyOfFixture(setup)
        let folder = copy.appendingPathComponent("__root__.cache__ftlab__models")
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path) {
            let url = folder.appendingPathComponent(name)
            if name.hasPrefix("results_") {
                let text = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"piqa\"", with: "\"arc_easy\"")
                try text.write(to: url, atomically: true, encoding: .utf8)
            } else if name.hasPrefix("samples_piqa_") {
                try FileManager.default.moveItem(at: url, to: folder.appendingPathComponent(name.replacingOccurrences(of: "piqa", with: "arc_easy")))
            }
        }
        let r = setup.run("import lm-eval \"\(copy.path)\"")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertTrue(r.err.contains("not imported: task arc_easy"), r.err)
        XCTAssertTrue(r.err.contains("ftlab has no such task"), r.err)
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM runs"), 1)
        // Only the unknown task: an error, nothing written.
        let gsm8k = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("samples_gsm8k_") })
        try FileManager.default.removeItem(at: folder.appendingPathComponent(gsm8k))
        let results = try XCTUnwrap(FileManager.default.contentsOfDirectory(atPath: folder.path).first { $0.hasPrefix("results_") })
        let url = folder.appendingPathComponent(results)
        var json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        var tasks = try XCTUnwrap(json["results"] as? [String: Any])
        tasks["gsm8k"] = nil
        json["results"] = tasks
        try JSONSerialization.data(withJSONObject: json).write(to: url)
        let only = setup.run("import lm-eval \"\(copy.path)\"")
        XCTAssertFalse(only.ok)
        XCTAssertTrue(only.err.contains("nothing imported"), only.err)
    }

    func testADocumentNotInFtlabsDatasetIsCountedAndNamed() throws {
        let setup = try Setup()
        // Drop one GSM8K question from ftlab's copy.
        let path = setup.directory.path("data/gsm8k/test.jsonl")
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        let dropped = try XCTUnwrap(lines.first { $0.contains("Janet") })
        try (lines.filter { $0 != dropped }.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let r = setup.run("import lm-eval \"\(Self.fixture.path)\"")
        XCTAssertTrue(r.ok, r.err)
        XCTAssertTrue(r.out.contains("1 documents not in ftlab's gsm8k test, not imported: doc 0 \"Janet"), r.out)
        XCTAssertEqual(try setup.count("SELECT COUNT(*) FROM predictions p JOIN runs r ON r.id = p.run_id JOIN datasets d ON d.id = r.dataset_id WHERE d.task = 'gsm8k'"), 9)
    }

    /// With ../shared/data the first 10 documents are ftlab's examples 0–9 (the harness's --limit 10).
    func testRealDatasetIndices() throws {
        let data = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/data")
        let real = ProcessInfo.processInfo.environment["FTLAB_DATA"] ?? data.path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: real + "/gsm8k/test.jsonl"), "the datasets are not at \(real)")
        let setup = try Setup()
        setup.session.dataDirectory = real
        XCTAssertTrue(setup.run("import lm-eval \"\(Self.fixture.path)\"").ok)
        for run in try setup.store.runs() {
            XCTAssertEqual(try setup.store.predictions(runID: run.id!).map(\.exampleIndex), Array(0..<10))
        }
    }
}
