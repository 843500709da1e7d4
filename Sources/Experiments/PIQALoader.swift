extension DatasetLoader {
    /// PIQA: `valid.jsonl` ({goal, sol1, sol2}) plus `valid-labels.lst` (one `0`/`1` a line,
    /// aligned by line). Gold is a letter like the other multiple-choice tasks: `A` = sol1,
    /// `B` = sol2. The hash covers both files, questions first.
    public static func piqa(questionsPath: String, labelsPath: String, split: String = "validation",
                            task: String = "piqa") throws -> Dataset {
        let questions = try SourceFile(questionsPath)
        let labelsFile = try SourceFile(labelsPath)
        let records = try questions.jsonLines()
        var labels: [String] = []
        for line in try labelsFile.lines() {
            let label = try labelsFile.text(of: line).trimmingWhitespace()
            guard label == "0" || label == "1" else {
                throw DatasetError.malformed(file: labelsPath, at: .line(line.number),
                                             message: "label \"\(label)\" is not 0 or 1")
            }
            labels.append(label == "0" ? "A" : "B")
        }
        guard labels.count == records.count else {
            throw DatasetError.malformed(file: labelsPath, at: .whole,
                message: "\(labels.count) labels for \(records.count) questions in \(questionsPath)")
        }
        var examples: [Example] = []
        for (record, label) in zip(records, labels) {
            let goal = try record.string("goal")
            let sol1 = try record.string("sol1"), sol2 = try record.string("sol2")
            examples.append(Example(index: examples.count, question: goal, answer: label, choices: [sol1, sol2]))
        }
        return Dataset(task: task, split: split, examples: examples,
                       sha256: combinedHash([questions, labelsFile]), path: questionsPath)
    }
}
