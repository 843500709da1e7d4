import Foundation

public enum TaskKind: String, Sendable {
    /// Generate text, extract a number (`AnswerExtractor`).
    case generation
    /// Score each continuation by log-likelihood (`MultipleChoicePrompt`).
    case multipleChoice
}

/// A task the workbench knows: its splits, the files each split is read from (relative to the
/// data directory), and where those files come from when they are missing.
public struct TaskSpec: Sendable, Equatable {
    public let name: String
    public let kind: TaskKind
    /// In the order they are listed to users.
    public let splits: [String]
    /// Split → files under the data directory; empty for built-in tasks.
    public let files: [String: [String]]
    /// The split evaluations use unless told otherwise.
    public let evalSplit: String
    /// Where to get the files (from the dataset's SOURCE.md).
    public let origin: String
    /// How multiple-choice prompts present the options; nil for generation tasks.
    public let choiceStyle: MultipleChoiceStyle?

    public var isBuiltIn: Bool { files.isEmpty }
}

/// The registry of tasks, and loading a task's split from a data directory.
public enum TaskCatalog {
    /// ASDiv-A: `test` is all five folds, `foldN` one of them (the authors' cross-validation).
    private static let asdivFiles: [String: [String]] = {
        let xml = "asdiv/ASDiv.xml"
        let folds: [String] = (0..<5).map { "asdiv/nfolds/asdiv-a/fold\($0).txt" }
        var files: [String: [String]] = ["test": [xml] + folds]
        for (i, fold) in folds.enumerated() { files["fold\(i)"] = [xml, fold] }
        return files
    }()

    public static let tasks: [TaskSpec] = [
        TaskSpec(name: "gsm8k", kind: .generation, splits: ["train", "test"],
                 files: ["train": ["gsm8k/train.jsonl"], "test": ["gsm8k/test.jsonl"]], evalSplit: "test",
                 origin: "github.com/openai/grade-school-math, grade_school_math/data/{train,test}.jsonl (MIT)",
                 choiceStyle: nil),
        TaskSpec(name: "svamp", kind: .generation, splits: ["test"], files: ["test": ["svamp/SVAMP.json"]],
                 evalSplit: "test", origin: "github.com/arkilpatel/SVAMP, SVAMP.json (MIT)", choiceStyle: nil),
        TaskSpec(name: "asdiv", kind: .generation, splits: ["test", "fold0", "fold1", "fold2", "fold3", "fold4"],
                 files: asdivFiles,
                 evalSplit: "test",
                 origin: "github.com/chaochun/nlu-asdiv-dataset, dataset/ASDiv.xml and dataset/nfolds/asdiv-a/fold0-4.txt (CC BY-NC 4.0)",
                 choiceStyle: nil),
        TaskSpec(name: "mawps", kind: .generation, splits: ["test"], files: ["test": ["mawps/MAWPS.json"]],
                 evalSplit: "test", origin: "github.com/LYH-YF/MWPToolkit, dataset/mawps/MAWPS.json (MIT)", choiceStyle: nil),
        TaskSpec(name: "multiarith", kind: .generation, splits: ["test"], files: ["test": ["multiarith/MultiArith.json"]],
                 evalSplit: "test", origin: "github.com/kojima-takeshi188/zero_shot_cot, dataset/MultiArith/MultiArith.json (no licence stated)",
                 choiceStyle: nil),
        TaskSpec(name: "addsub", kind: .generation, splits: ["test"], files: ["test": ["addsub/AddSub.json"]],
                 evalSplit: "test", origin: "github.com/kojima-takeshi188/zero_shot_cot, dataset/AddSub/AddSub.json (no licence stated)",
                 choiceStyle: nil),
        TaskSpec(name: "singleeq", kind: .generation, splits: ["test"], files: ["test": ["singleeq/questions.json"]],
                 evalSplit: "test", origin: "github.com/kojima-takeshi188/zero_shot_cot, dataset/SingleEq/questions.json (no licence stated)",
                 choiceStyle: nil),
        TaskSpec(name: "orcamath", kind: .generation, splits: ["train"], files: ["train": ["orcamath/train.jsonl"]],
                 evalSplit: "train",
                 origin: "the microsoft/orca-math-word-problems-200k dataset (Hugging Face Hub, MIT), converted to JSON Lines with keys question, answer",
                 choiceStyle: nil),
        TaskSpec(name: "aqua", kind: .multipleChoice, splits: ["test"], files: ["test": ["aqua/test.json"]],
                 evalSplit: "test", origin: "github.com/deepmind/AQuA, test.json (Apache-2.0)", choiceStyle: .letters),
        TaskSpec(name: "piqa", kind: .multipleChoice, splits: ["validation"],
                 files: ["validation": ["piqa/valid.jsonl", "piqa/valid-labels.lst"]], evalSplit: "validation",
                 origin: "github.com/ybisk/ybisk.github.io, piqa/data/valid.jsonl and valid-labels.lst (AFL-3.0)",
                 choiceStyle: .optionText),
        TaskSpec(name: "commonsenseqa", kind: .multipleChoice, splits: ["validation"],
                 files: ["validation": ["commonsenseqa/dev_rand_split.jsonl"]], evalSplit: "validation",
                 origin: "github.com/kojima-takeshi188/zero_shot_cot, dataset/CommonsenseQA/dev_rand_split.jsonl (no licence stated)",
                 choiceStyle: .letters),
        TaskSpec(name: SyntheticTask.name, kind: .generation, splits: SyntheticTask.splits, files: [:],
                 evalSplit: "test", origin: "built in (seeded generator)", choiceStyle: nil),
    ]

    public static var names: [String] { tasks.map(\.name) }

    public static func spec(_ name: String) throws -> TaskSpec {
        guard let spec = tasks.first(where: { $0.name == name.lowercased() }) else {
            throw DatasetError.unknownTask(name, known: names)
        }
        return spec
    }

    /// Default synthetic sizes when none is given: enough to train on, and a test set the
    /// size of a typical evaluation.
    public static func defaultSyntheticConfig(split: String) -> SyntheticConfig {
        SyntheticConfig(seed: 0, count: split == "train" ? 5000 : 1000, steps: 1...8)
    }

    /// Loads one split. `dataDirectory` is resolved with `DataDirectory.resolve` when nil; it
    /// is not needed for built-in tasks.
    public static func load(task: String, split: String? = nil, dataDirectory: String? = nil,
                            synthetic: SyntheticConfig? = nil) throws -> Dataset {
        let spec = try spec(task)
        let split = split ?? spec.evalSplit
        guard spec.splits.contains(split) else {
            throw DatasetError.unknownSplit(task: spec.name, split: split, known: spec.splits)
        }
        if spec.name == SyntheticTask.name {
            return try SyntheticTask.generate(split: split, config: synthetic ?? defaultSyntheticConfig(split: split))
        }
        let directory = try DataDirectory.resolve(explicit: dataDirectory)
        let paths = (spec.files[split] ?? []).map { (directory as NSString).appendingPathComponent($0) }
        let missing = paths.filter { !FileManager.default.fileExists(atPath: $0) }
        guard missing.isEmpty else { throw DatasetError.missingFiles(task: spec.name, paths: missing, origin: spec.origin) }
        switch spec.name {
        case "gsm8k": return try DatasetLoader.gsm8k(path: paths[0], split: split)
        case "svamp": return try DatasetLoader.svamp(path: paths[0], split: split)
        case "asdiv": return try DatasetLoader.asdivA(xmlPath: paths[0], foldPaths: Array(paths.dropFirst()), split: split)
        case "mawps": return try DatasetLoader.mawps(path: paths[0], split: split)
        case "multiarith": return try DatasetLoader.multiArith(path: paths[0], split: split)
        case "addsub": return try DatasetLoader.addSub(path: paths[0], split: split)
        case "singleeq": return try DatasetLoader.singleEq(path: paths[0], split: split)
        case "orcamath": return try DatasetLoader.orcaMath(path: paths[0], split: split)
        case "aqua": return try DatasetLoader.aqua(path: paths[0], split: split)
        case "piqa": return try DatasetLoader.piqa(questionsPath: paths[0], labelsPath: paths[1], split: split)
        case "commonsenseqa": return try DatasetLoader.commonsenseQA(path: paths[0], split: split)
        default: throw DatasetError.unknownTask(spec.name, known: names)
        }
    }
}
