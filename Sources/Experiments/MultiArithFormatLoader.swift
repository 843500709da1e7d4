extension DatasetLoader {
    /// MultiArith.json (Zero-shot-CoT copy): {iIndex, sQuestion, lEquations, lSolutions: [float]}.
    public static func multiArith(path: String, split: String = "test") throws -> Dataset {
        try solutionListFormat(path: path, split: split, task: "multiarith")
    }

    /// AddSub.json: same keys, but `lSolutions` holds one numeric *string*.
    public static func addSub(path: String, split: String = "test") throws -> Dataset {
        try solutionListFormat(path: path, split: split, task: "addsub")
    }

    /// SingleEq questions.json: same keys plus grammarCheck/templateNumber; float solutions.
    public static func singleEq(path: String, split: String = "test") throws -> Dataset {
        try solutionListFormat(path: path, split: split, task: "singleeq")
    }

    /// The shared `sQuestion` / `lSolutions` array format. Exactly one solution is required:
    /// a record with several would be ambiguous as a gold answer.
    static func solutionListFormat(path: String, split: String, task: String) throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonArray() {
            let question = try record.string("sQuestion").trimmingWhitespace()
            let solutions = try record.array("lSolutions")
            guard solutions.count == 1 else {
                throw record.fail("field \"lSolutions\" has \(solutions.count) entries, expected 1")
            }
            let gold = try JSONRecord.numberText(solutions[0], what: "lSolutions[0]", fail: record.fail)
            examples.append(Example(index: examples.count, question: question, answer: gold))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
