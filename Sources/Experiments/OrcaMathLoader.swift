extension DatasetLoader {
    /// Orca-Math-style JSON Lines (`question`, `answer` with a free-form worked answer).
    /// There is no `####` line, so gold is the last number in the answer (the same scan the
    /// flexible rule uses); an answer without a number is an error, not an empty gold.
    public static func orcaMath(path: String, split: String = "train", task: String = "orcamath") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonLines() {
            let question = try record.string("question")
            let answer = try record.string("answer")
            guard let gold = NumberText.lastNumber(in: answer) else { throw record.fail("answer contains no number") }
            examples.append(Example(index: examples.count, question: question, solution: answer, answer: gold))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
