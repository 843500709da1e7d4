extension DatasetLoader {
    /// AQuA-RAT test.json — JSON Lines despite the name: {question, options: ["A)…"…"E)…"],
    /// rationale, correct}. Choices lose their `A)` prefix (prompts add letters themselves);
    /// an option out of order or a letter outside the options is an error.
    public static func aqua(path: String, split: String = "test", task: String = "aqua") throws -> Dataset {
        let file = try SourceFile(path)
        var examples: [Example] = []
        for record in try file.jsonLines() {
            let question = try record.string("question")
            let options = try record.array("options")
            guard options.count == 5 else { throw record.fail("field \"options\" has \(options.count) entries, expected 5") }
            var choices: [String] = []
            for (i, option) in options.enumerated() {
                let prefix = Example.choiceLetter(i) + ")"
                guard case let .string(text) = option, text.hasPrefix(prefix) else {
                    throw record.fail("option \(i + 1) does not start with \"\(prefix)\"")
                }
                choices.append(String(text.dropFirst(prefix.count)).trimmingWhitespace())
            }
            let correct = try record.string("correct").trimmingWhitespace()
            guard ["A", "B", "C", "D", "E"].contains(correct) else {
                throw record.fail("field \"correct\" is \"\(correct)\", not a letter A-E")
            }
            let rationale: String? = if case let .string(r)? = record.fields["rationale"] { r } else { nil }
            examples.append(Example(index: examples.count, question: question, solution: rationale,
                                    answer: correct, choices: choices))
        }
        return Dataset(task: task, split: split, examples: examples, sha256: SHA256.hex(file.data), path: path)
    }
}
