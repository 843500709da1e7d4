import Engine
import Foundation
import XCTest
@testable import Experiments

final class SyntheticTaskTests: XCTestCase {
    struct Equation { var a: Int; var op: Character; var b: Int; var c: Int }

    /// Every `a op b = c` in a line of text (plain integers, single spaces, as the generator writes).
    func equations(in line: Substring) -> [Equation] {
        let words = line.split(separator: " ", omittingEmptySubsequences: false)
        var found: [Equation] = []
        for i in 0..<max(0, words.count - 4) {
            guard let a = Int(words[i]), words[i + 1].count == 1, let op = words[i + 1].first, "+-*/".contains(op),
                  let b = Int(words[i + 2]), words[i + 3] == "=" else { continue }
            let cText = words[i + 4].prefix(while: \.isNumber)
            guard let c = Int(cText) else { continue }
            found.append(Equation(a: a, op: op, b: b, c: c))
        }
        return found
    }

    /// 1,000 problems, 125 for each step count 1…8: recompute every gold answer from the
    /// equations stated in the solution.
    func testEveryAnswerFollowsFromTheStatedEquations() throws {
        var checked = 0
        for steps in 1...8 {
            for split in ["train", "test"] {
                let d = try SyntheticTask.generate(split: split, config: SyntheticConfig(seed: UInt64(steps), count: split == "train" ? 63 : 62, steps: steps...steps))
                for e in d.examples {
                    let solution = try XCTUnwrap(e.solution)
                    let lines = solution.split(separator: "\n")
                    XCTAssertEqual(lines.last, Substring("#### \(e.answer)"), solution)
                    var eqs: [Equation] = []
                    for line in lines.dropLast() {
                        let here = equations(in: line)
                        XCTAssertEqual(here.count, 1, "one equation per line: \(line)")
                        eqs += here
                    }
                    XCTAssertEqual(eqs.count, steps, solution)
                    XCTAssertTrue(e.question.contains(" \(eqs[0].a) "), "the start value is stated: \(e.question)")
                    for (i, eq) in eqs.enumerated() {
                        let value: Int
                        switch eq.op {
                        case "+": value = eq.a + eq.b
                        case "-": value = eq.a - eq.b
                        case "*": value = eq.a * eq.b
                        default:
                            XCTAssertEqual(eq.a % eq.b, 0, "exact division: \(solution)")
                            value = eq.a / eq.b
                        }
                        XCTAssertEqual(eq.c, value, "\(eq.a) \(eq.op) \(eq.b) = \(eq.c) in \(solution)")
                        XCTAssertGreaterThan(eq.c, 0, "no zero or negative intermediate results")
                        if i > 0 { XCTAssertEqual(eq.a, eqs[i - 1].c, "each step continues from the last result: \(solution)") }
                    }
                    XCTAssertEqual(e.answer, String(eqs.last!.c))
                    checked += 1
                }
            }
        }
        XCTAssertEqual(checked, 1000)
    }

    func testSameSeedSameSetAndSplitsDisjoint() throws {
        let config = SyntheticConfig(seed: 7, count: 300, steps: 1...8)
        let a = try SyntheticTask.generate(split: "test", config: config)
        let b = try SyntheticTask.generate(split: "test", config: config)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.count, 300)
        XCTAssertEqual(a.sha256.count, 64)
        XCTAssertNil(a.path)
        XCTAssertEqual(a.examples.map(\.index), Array(0..<300))
        XCTAssertEqual(Set(a.examples.map(\.question)).count, 300, "no duplicates within a split")

        let other = try SyntheticTask.generate(split: "test", config: SyntheticConfig(seed: 8, count: 300))
        XCTAssertNotEqual(a.examples.map(\.question), other.examples.map(\.question))
        XCTAssertNotEqual(a.sha256, other.sha256)

        let train = try SyntheticTask.generate(split: "train", config: SyntheticConfig(seed: 7, count: 2000))
        let trainQuestions = Set(train.examples.map(\.question))
        XCTAssertTrue(trainQuestions.isDisjoint(with: a.examples.map(\.question)))
        XCTAssertTrue(trainQuestions.isDisjoint(with: other.examples.map(\.question)), "disjoint across seeds too")
    }

    func testTemplatesVary() throws {
        let d = try SyntheticTask.generate(split: "train", config: SyntheticConfig(seed: 1, count: 600, steps: 1...8))
        let text = d.examples.map(\.question).joined(separator: "\n")
        for phrase in ["buys", "gives", "finds", "sells", "loses", "times as many", "more", "fewer",
                       "doubles", "triples", "equally into", "half of", "for $", "is worth $", "How many dollars"] {
            XCTAssertTrue(text.contains(phrase), "no problem uses \"\(phrase)\"")
        }
        // Every person is introduced once: no name is given a count ("X has 12 …") twice.
        let everyone = ["Mia", "Liam", "Ava", "Noah", "Emma", "Omar", "Sofia", "Ravi", "Chloe", "Mateo", "Hana",
                        "Kofi", "Lena", "Yuki", "Ben", "Amara"]
        for e in d.examples {
            for name in everyone {
                let stated = e.question.components(separatedBy: "\(name) has ").dropFirst().filter { $0.first?.isNumber ?? false }
                XCTAssertLessThanOrEqual(stated.count, 1, e.question)
            }
        }
        let names = ["Mia", "Liam", "Ava", "Noah", "Emma", "Omar", "Sofia", "Ravi"].filter { text.contains($0) }
        XCTAssertEqual(names.count, 8)
        let steps = d.examples.map { $0.solution!.split(separator: "\n").count - 1 }
        XCTAssertEqual(Set(steps), Set(1...8))
    }

    /// The exported JSON Lines are GSM8K format: the GSM8K loader reads back the same examples,
    /// and the file's hash is the dataset's hash.
    func testRoundTripThroughGSM8KLoader() throws {
        let d = try SyntheticTask.generate(split: "test", config: SyntheticConfig(seed: 3, count: 50))
        let path = try TestData.write("synthetic.jsonl", SyntheticTask.jsonLines(d.examples))
        let loaded = try DatasetLoader.gsm8k(path: path, split: "test", task: "synthetic")
        XCTAssertEqual(loaded.examples, d.examples)
        XCTAssertEqual(loaded.sha256, d.sha256)
    }

    func testInvalidArguments() {
        assertDatasetError(try SyntheticTask.generate(split: "test", config: SyntheticConfig(steps: 0...3)), contains: ["1...8"])
        assertDatasetError(try SyntheticTask.generate(split: "test", config: SyntheticConfig(steps: 2...9)), contains: ["1...8"])
        assertDatasetError(try SyntheticTask.generate(split: "dev"), contains: ["no split 'dev'", "train, test"])
    }

    func testSplitMix64KnownValues() {
        // Reference outputs of SplitMix64 seeded with 0 (as in Vigna's splitmix64.c).
        var rng = SplitMix64(seed: 0)
        XCTAssertEqual(rng.next(), 0xE220_A839_7B1D_CDAF)
        XCTAssertEqual(rng.next(), 0x6E78_9E6A_A1B9_65F4)
        var r = SplitMix64(seed: 99)
        for _ in 0..<1000 { XCTAssertTrue((3...5).contains(r.int(in: 3...5))) }
    }
}
