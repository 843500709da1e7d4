import Foundation
import XCTest
@testable import Experiments

final class TaskCatalogTests: XCTestCase {
    func testCatalogEntries() throws {
        XCTAssertEqual(TaskCatalog.names, ["gsm8k", "svamp", "asdiv", "mawps", "multiarith", "addsub", "singleeq",
                                           "orcamath", "aqua", "piqa", "commonsenseqa", "synthetic"])
        for spec in TaskCatalog.tasks {
            XCTAssertTrue(spec.splits.contains(spec.evalSplit), spec.name)
            XCTAssertEqual(spec.kind == .multipleChoice, spec.choiceStyle != nil, spec.name)
            if !spec.isBuiltIn { XCTAssertEqual(Set(spec.files.keys), Set(spec.splits), spec.name) }
        }
        XCTAssertEqual(try TaskCatalog.spec("PIQA").kind, .multipleChoice)
        XCTAssertEqual(try TaskCatalog.spec("asdiv").files["fold3"], ["asdiv/ASDiv.xml", "asdiv/nfolds/asdiv-a/fold3.txt"])
        XCTAssertTrue(try TaskCatalog.spec("synthetic").isBuiltIn)
        assertDatasetError(try TaskCatalog.spec("gsm9k"), contains: ["unknown task 'gsm9k'", "gsm8k"])
        assertDatasetError(try TaskCatalog.load(task: "svamp", split: "train", dataDirectory: "/"), contains: ["no split 'train'", "test"])
    }

    func testDataDirectoryResolution() throws {
        let root = try TestData.temporaryDirectory()
        let cwd = (root as NSString).appendingPathComponent("checkout")
        let shared = (root as NSString).appendingPathComponent("shared/data")
        let other = (root as NSString).appendingPathComponent("elsewhere")
        for d in [cwd, other] { try FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true) }

        // Nothing anywhere: the error says how to fix it.
        assertDatasetError(try DataDirectory.resolve(environment: [:], currentDirectory: cwd), contains: ["FTLAB_DATA", "shared/data"])
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        XCTAssertEqual(try DataDirectory.resolve(environment: [:], currentDirectory: cwd), shared)
        XCTAssertEqual(try DataDirectory.resolve(environment: ["FTLAB_DATA": other], currentDirectory: cwd), other)
        XCTAssertEqual(try DataDirectory.resolve(explicit: "../elsewhere", environment: ["FTLAB_DATA": shared], currentDirectory: cwd), other)
        // A path asked for but absent is an error, not a fall-through to another copy.
        assertDatasetError(try DataDirectory.resolve(explicit: "/no/such/dir", environment: [:], currentDirectory: cwd), contains: ["/no/such/dir"])
        assertDatasetError(try DataDirectory.resolve(environment: ["FTLAB_DATA": "/no/such/env"], currentDirectory: cwd),
                           contains: ["FTLAB_DATA=/no/such/env"])
    }

    func testMissingFilesSayWhereToGetThem() throws {
        let empty = try TestData.temporaryDirectory()
        assertDatasetError(try TaskCatalog.load(task: "svamp", dataDirectory: empty),
                           contains: ["task 'svamp'", "svamp/SVAMP.json", "arkilpatel/SVAMP"])
        assertDatasetError(try TaskCatalog.load(task: "piqa", dataDirectory: empty),
                           contains: ["piqa/valid.jsonl", "piqa/valid-labels.lst", "ybisk"])
    }

    func testSyntheticNeedsNoDataDirectory() throws {
        let d = try TaskCatalog.load(task: "synthetic", split: "test", dataDirectory: "/no/such/dir",
                                     synthetic: SyntheticConfig(seed: 1, count: 20, steps: 2...3))
        XCTAssertEqual(d.count, 20)
        XCTAssertEqual(d.task, "synthetic")
        XCTAssertEqual(try TaskCatalog.load(task: "synthetic").count, 1000, "default test size")
    }

    /// Every split of every task in the shared data directory, through the catalog.
    func testLoadsEverySharedSplit() throws {
        let dir = TestData.directory
        guard FileManager.default.fileExists(atPath: dir) else {
            throw XCTSkip("shared datasets absent: \(dir) does not exist")
        }
        let expected: [String: [String: Int]] = [
            "gsm8k": ["train": 7473, "test": 1319], "svamp": ["test": 1000],
            "asdiv": ["test": 1218, "fold0": 238, "fold1": 238, "fold2": 238, "fold3": 238, "fold4": 266],
            "mawps": ["test": 2373], "multiarith": ["test": 600], "addsub": ["test": 395], "singleeq": ["test": 508],
            "aqua": ["test": 254], "piqa": ["validation": 1838], "commonsenseqa": ["validation": 1221],
        ]
        for (task, splits) in expected {
            for (split, count) in splits {
                let spec = try TaskCatalog.spec(task)
                for f in spec.files[split]! { _ = try TestData.file(f) }
                let d = try TaskCatalog.load(task: task, split: split, dataDirectory: dir)
                XCTAssertEqual(d.count, count, "\(task)/\(split)")
                XCTAssertEqual(d.task, task)
                XCTAssertEqual(d.split, split)
                XCTAssertEqual(d.path, (dir as NSString).appendingPathComponent(spec.files[split]![0]))
                let mc = spec.kind == .multipleChoice
                XCTAssertTrue(d.examples.allSatisfy { ($0.choices != nil) == mc && (mc ? $0.goldChoiceIndex != nil : NumberText.canonical($0.answer) == $0.answer) },
                              "\(task): golds are letters or canonical numbers")
            }
        }
        // Orca-Math is not among the shared files; the catalog says where it comes from.
        if !FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("orcamath/train.jsonl")) {
            assertDatasetError(try TaskCatalog.load(task: "orcamath", dataDirectory: dir), contains: ["orca-math-word-problems-200k"])
        }
    }
}
