extension DatasetLoader {
    /// CommonsenseQA JSON Lines: {answerKey, id, question: {stem, question_concept,
    /// choices: [{label, text}] ×5}}. Choices must be labelled A-E in order, so that
    /// `choices[i]` is letter i; the answer key must be one of them.
    public static func commonsenseQA(path: String, split: String = "validation",
                                     task: String = "commonsenseqa") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonLines() {
            let q = try record.object("question")
            let stem = try q.string("stem").trimmingWhitespace()
            let list = try q.array("choices")
            guard list.count == 5 else { throw record.fail("question has \(list.count) choices, expected 5") }
            var choices: [String] = []
            for (i, item) in list.enumerated() {
                let choice = try JSONRecord(item, file: file.path, at: record.location)
                let label = try choice.string("label")
                guard label == Example.choiceLetter(i) else {
                    throw record.fail("choice \(i + 1) is labelled \"\(label)\", expected \"\(Example.choiceLetter(i))\"")
                }
                choices.append(try choice.string("text"))
            }
            let key = try record.string("answerKey")
            guard choices.indices.map(Example.choiceLetter).contains(key) else {
                throw record.fail("answerKey \"\(key)\" is not a choice label A-E")
            }
            examples.append(Example(index: examples.count, question: stem, answer: key, choices: choices))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
