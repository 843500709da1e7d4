import XCTest
@testable import Experiments

final class PromptFormatTests: XCTestCase {
    /// A pool of 40 small solved problems with distinct questions.
    let pool: [Example] = (0..<40).map {
        Example(index: $0, question: "What is \($0) + 1?", solution: "\($0) + 1 = <<\($0)+1=\($0 + 1)>>\($0 + 1)\n#### \($0 + 1)", answer: "\($0 + 1)")
    }

    func testZeroShotHarnessFormat() throws {
        let b = try PromptBuilder(config: PromptConfig())
        let p = try b.prompt(for: pool[3])
        XCTAssertEqual(p.text, "Question: What is 3 + 1?\nAnswer:")
        XCTAssertEqual(p.target, " 3 + 1 = <<3+1=4>>4\n#### 4")
        XCTAssertEqual(p.prefix, "")
        XCTAssertEqual(p.shots, [])
        XCTAssertEqual(p.messages, [])
        XCTAssertNil(b.sharedPrefix)
    }

    func testKShotLayout() throws {
        let b = try PromptBuilder(config: PromptConfig(shots: 2, seed: 1), shotPool: pool)
        let q = Example(index: 0, question: "Q?", answer: "5")
        let p = try b.prompt(for: q)
        XCTAssertEqual(p.shots.count, 2)
        let s = p.shots.map { pool[$0] }
        let expectedPrefix = "Question: \(s[0].question)\nAnswer: \(s[0].solution!)\n\nQuestion: \(s[1].question)\nAnswer: \(s[1].solution!)\n\n"
        XCTAssertEqual(p.prefix, expectedPrefix)
        XCTAssertEqual(p.text, expectedPrefix + "Question: Q?\nAnswer:")
        XCTAssertEqual(p.target, " #### 5", "no solution: the target is the #### line")
    }

    func testSeedsDecideShots() throws {
        let questions = Array(pool.prefix(10))
        let a = try PromptBuilder(config: PromptConfig(shots: 5, seed: 11), shotPool: pool)
        let a2 = try PromptBuilder(config: PromptConfig(shots: 5, seed: 11), shotPool: pool)
        let c = try PromptBuilder(config: PromptConfig(shots: 5, seed: 12), shotPool: pool)
        let pa = try questions.map { try a.prompt(for: $0) }
        XCTAssertEqual(pa, try questions.map { try a2.prompt(for: $0) })
        XCTAssertNotEqual(pa.map(\.shots), try questions.map { try c.prompt(for: $0).shots })
        XCTAssertGreaterThan(Set(pa.map(\.shots)).count, 1, "per-question mode draws different shots per question")
        for p in pa { XCTAssertEqual(Set(p.shots).count, 5, "shots are distinct") }
    }

    func testQuestionNeverAmongItsOwnShots() throws {
        // The pool is the evaluated set itself, plus a second copy of question 7 under another index.
        var withDuplicate = pool
        withDuplicate.append(Example(index: 40, question: "What is 7 + 1? ", solution: "8\n#### 8", answer: "8"))
        for seed in 0..<20 as Range<UInt64> {
            let b = try PromptBuilder(config: PromptConfig(shots: 8, seed: seed), shotPool: withDuplicate)
            for e in pool {
                let p = try b.prompt(for: e)
                for j in p.shots {
                    XCTAssertNotEqual(withDuplicate[j].question.trimmingWhitespace(), e.question, "seed \(seed), example \(e.index)")
                }
            }
        }
    }

    func testFixedModeSharesPrefix() throws {
        let evaluated = Array(pool.prefix(30))
        let b = try PromptBuilder(config: PromptConfig(shots: 4, seed: 5, selection: .fixed), shotPool: pool, evaluating: evaluated)
        let prefix = try XCTUnwrap(b.sharedPrefix)
        XCTAssertEqual(prefix.components(separatedBy: "Question: ").count - 1, 4)
        XCTAssertTrue(b.fixedShots.allSatisfy { $0 >= 30 }, "fixed shots avoid the evaluated questions")
        for e in evaluated {
            let p = try b.prompt(for: e)
            XCTAssertEqual(p.prefix, prefix)
            XCTAssertEqual(p.text, prefix + "Question: \(e.question)\nAnswer:")
            XCTAssertEqual(p.shots, b.fixedShots)
        }
        // Without `evaluating`, a question that is a fixed shot is refused rather than shown its answer.
        let loose = try PromptBuilder(config: PromptConfig(shots: 4, seed: 5, selection: .fixed), shotPool: pool)
        let shot = pool[loose.fixedShots[0]]
        XCTAssertThrowsError(try loose.prompt(for: shot)) { XCTAssertEqual($0 as? PromptError, .questionAmongShots(index: shot.index)) }
        XCTAssertThrowsError(try PromptBuilder(config: PromptConfig(shots: 11, selection: .fixed), shotPool: pool, evaluating: evaluated)) {
            XCTAssertEqual($0 as? PromptError, .tooFewShots(needed: 11, available: 10))
        }
    }

    func testTooFewShots() throws {
        let b = try PromptBuilder(config: PromptConfig(shots: 3), shotPool: Array(pool.prefix(3)))
        XCTAssertThrowsError(try b.prompt(for: pool[0])) { XCTAssertEqual($0 as? PromptError, .tooFewShots(needed: 3, available: 2)) }
        XCTAssertNoThrow(try b.prompt(for: pool[10]))
    }

    func testChatMode() throws {
        let b = try PromptBuilder(config: PromptConfig(format: .chat, shots: 3, seed: 2), shotPool: pool)
        let p = try b.prompt(for: Example(index: 0, question: "Q?", solution: "S\n#### 1", answer: "1"))
        XCTAssertEqual(p.messages.count, 7)
        XCTAssertEqual(p.messages.map(\.role), [.user, .assistant, .user, .assistant, .user, .assistant, .user])
        XCTAssertEqual(p.messages.last, ChatMessage(.user, "Q?"))
        XCTAssertEqual(p.messages[0].content, pool[p.shots[0]].question)
        XCTAssertEqual(p.messages[1].content, pool[p.shots[0]].solution)
        XCTAssertEqual(p.target, "S\n#### 1")
        XCTAssertEqual(p.text, "")
    }

    func testZeroShotChainOfThought() throws {
        let b = try PromptBuilder(config: PromptConfig(format: .zeroShotCoT))
        XCTAssertEqual(try b.prompt(for: pool[2]).text, "Question: What is 2 + 1?\nAnswer: Let's think step by step.")
        XCTAssertThrowsError(try PromptBuilder(config: PromptConfig(format: .zeroShotCoT, shots: 2), shotPool: pool))
    }

    func testStripCalculatorAnnotations() throws {
        let b = try PromptBuilder(config: PromptConfig(shots: 1, stripCalculatorAnnotations: true), shotPool: pool)
        let p = try b.prompt(for: pool[3])
        XCTAssertEqual(p.target, " 3 + 1 = 4\n#### 4")
        XCTAssertFalse(p.text.contains("<<"))
    }

    func testGSM8KFiveShot() throws {
        let train = try DatasetLoader.gsm8k(path: TestData.file("gsm8k/train.jsonl"), split: "train")
        let test = try DatasetLoader.gsm8k(path: TestData.file("gsm8k/test.jsonl"), split: "test")
        let b = try PromptBuilder(config: PromptConfig(shots: 5, seed: 1234), shotPool: train.examples)
        let p = try b.prompt(for: test.examples[0])
        XCTAssertEqual(p.shots.count, 5)
        XCTAssertTrue(p.text.hasSuffix("\n\nQuestion: " + test.examples[0].question + "\nAnswer:"))
        XCTAssertEqual(p.text.components(separatedBy: "Question: ").count - 1, 6)
        XCTAssertEqual(p.text.components(separatedBy: "\n#### ").count - 1, 5, "each shot ends with its #### line")
        XCTAssertTrue(p.target.hasSuffix("#### 18"))
    }

    func testMultipleChoice() throws {
        let piqa = Example(index: 0, question: "How to open a jar?", answer: "B", choices: ["Hit it", "Twist the lid"])
        let p = try MultipleChoicePrompt(piqa, style: .optionText)
        XCTAssertEqual(p.context, "Question: How to open a jar?\nAnswer:")
        XCTAssertEqual(p.continuations, [" Hit it", " Twist the lid"])
        XCTAssertEqual(p.gold, 1)

        let csqa = Example(index: 1, question: "Where is a revolving door?", answer: "A",
                           choices: ["bank", "library", "department store", "mall", "new york"])
        let q = try MultipleChoicePrompt(csqa, style: .letters)
        XCTAssertEqual(q.context, "Question: Where is a revolving door?\nA. bank\nB. library\nC. department store\nD. mall\nE. new york\nAnswer:")
        XCTAssertEqual(q.continuations, [" A", " B", " C", " D", " E"])
        XCTAssertEqual(q.gold, 0)

        let shot = try MultipleChoicePrompt(csqa, style: .optionText, shots: [piqa])
        XCTAssertEqual(shot.context, "Question: How to open a jar?\nAnswer: Twist the lid\n\nQuestion: Where is a revolving door?\nAnswer:")

        XCTAssertThrowsError(try MultipleChoicePrompt(Example(index: 2, question: "q", answer: "4"), style: .letters))
        XCTAssertThrowsError(try MultipleChoicePrompt(Example(index: 3, question: "q", answer: "C", choices: ["a", "b"]), style: .letters))
    }
}
