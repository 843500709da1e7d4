extension DatasetLoader {
    /// SVAMP.json: array of {ID, Body, Question, Equation, Answer, Type}. The prompt text is
    /// `Body + " " + Question` (as SOURCE.md and the usual evaluations do); Body is also kept
    /// as `context`. Gold is `Answer` (a float in the file, all whole numbers).
    public static func svamp(path: String, split: String = "test", task: String = "svamp") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonArray() {
            let body = try record.string("Body").trimmingWhitespace()
            let question = try record.string("Question").trimmingWhitespace()
            let gold = try record.number("Answer")
            examples.append(Example(index: examples.count, question: body + " " + question, answer: gold, context: body))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
