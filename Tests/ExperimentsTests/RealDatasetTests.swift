import XCTest
@testable import Experiments

/// Loads the real files in ../shared/data and checks sizes, spot values and the sha256 values
/// recorded in each SOURCE.md. Skips (naming the path) where a file is absent.
final class RealDatasetTests: XCTestCase {
    func testGSM8K() throws {
        let test = try DatasetLoader.gsm8k(path: TestData.file("gsm8k/test.jsonl"), split: "test")
        XCTAssertEqual(test.count, 1319)
        XCTAssertEqual(test.sha256, "3730d312f6e3440559ace48831e51066acaca737f6eabec99bccb9e4b3c39d14")
        let first = test.examples[0]
        XCTAssertEqual(first.answer, "18")
        XCTAssertTrue(first.question.hasPrefix("Janet\u{2019}s ducks lay 16 eggs per day."))
        XCTAssertEqual(first.solution, "Janet sells 16 - 3 - 4 = <<16-3-4=9>>9 duck eggs a day.\nShe makes 9 * 2 = $<<9*2=18>>18 every day at the farmer\u{2019}s market.\n#### 18")
        XCTAssertEqual(DatasetLoader.stripCalculatorAnnotations(first.solution!),
                       "Janet sells 16 - 3 - 4 = 9 duck eggs a day.\nShe makes 9 * 2 = $18 every day at the farmer\u{2019}s market.\n#### 18")
        XCTAssertEqual(test.examples[1].answer, "3")

        let train = try DatasetLoader.gsm8k(path: TestData.file("gsm8k/train.jsonl"), split: "train")
        XCTAssertEqual(train.count, 7473)
        XCTAssertEqual(train.sha256, "17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465")
        XCTAssertEqual(train.examples[345].answer, "1080", "#### 1,080 loses its comma")
        XCTAssertEqual(train.examples[367].answer, "850000")
        XCTAssertEqual(train.examples[5715].answer, "-7")
        XCTAssertEqual(train.examples.map(\.index), Array(0..<7473))
        for e in train.examples + test.examples {
            XCTAssertNotNil(Int(e.answer), "every GSM8K gold is an integer: \(e.answer)")
        }
    }

    func testSVAMP() throws {
        let d = try DatasetLoader.svamp(path: TestData.file("svamp/SVAMP.json"))
        XCTAssertEqual(d.count, 1000)
        XCTAssertEqual(d.sha256, "5be77703a6d891ae476d7c082787ad361392aa02453b132516cdd5f4e7934e3e")
        XCTAssertEqual(d.examples[0].question,
                       "Each pack of dvds costs 76 dollars. If there is a discount of 25 dollars on each pack How much do you have to pay to buy each pack?")
        XCTAssertEqual(d.examples[0].context, "Each pack of dvds costs 76 dollars. If there is a discount of 25 dollars on each pack")
        XCTAssertEqual(d.examples[0].answer, "51")
        XCTAssertEqual(d.examples[1].answer, "1")
        XCTAssertTrue(d.examples.allSatisfy { Int($0.answer) != nil }, "SOURCE.md: all 1,000 answers are whole numbers")
    }

    func testASDivA() throws {
        let xml = try TestData.file("asdiv/ASDiv.xml")
        let folds = try (0..<5).map { try TestData.file("asdiv/nfolds/asdiv-a/fold\($0).txt") }
        let d = try DatasetLoader.asdivA(xmlPath: xml, foldPaths: folds)
        XCTAssertEqual(d.count, 1218)
        XCTAssertEqual(d.sha256, "c6c486000b6f1df85e704fff49e66bdbdc3aae4ea2a331e18c20d4fe27c47b05")
        XCTAssertEqual(d.examples[0].question, "Seven red apples and two green apples are in the basket. How many apples are in the basket?")
        XCTAssertEqual(d.examples[0].answer, "9")
        XCTAssertEqual(d.examples[1].answer, "15")
        XCTAssertEqual(d.examples.last?.answer, "40")
        XCTAssertEqual(d.examples.filter { $0.answer.contains(".") }.count, 23)
        XCTAssertTrue(d.examples.contains { $0.answer == "3.333" })
        let sizes = try folds.map { try DatasetLoader.asdivA(xmlPath: xml, foldPaths: [$0], split: "fold").count }
        XCTAssertEqual(sizes, [238, 238, 238, 238, 266])
    }

    func testMAWPS() throws {
        let d = try DatasetLoader.mawps(path: TestData.file("mawps/MAWPS.json"))
        XCTAssertEqual(d.count, 2373)
        XCTAssertEqual(d.sha256, "00fbff19273045bba127ea4e881e381c813b4c452c139cf2c5c996addf131e9a")
        XCTAssertEqual(d.examples[0].answer, "504")
        XCTAssertTrue(d.examples[0].question.hasPrefix("Bryan took a look at his books as well ."))
        XCTAssertTrue(d.examples.contains { $0.answer == "0.8333333333333334" }, "string answers are kept as written")
        XCTAssertTrue(d.examples.contains { $0.answer == "-0.04545" })
        XCTAssertFalse(d.examples.contains { $0.answer.contains("e") }, "no scientific notation")
    }

    func testMultiArithAddSubSingleEq() throws {
        let ma = try DatasetLoader.multiArith(path: TestData.file("multiarith/MultiArith.json"))
        XCTAssertEqual(ma.count, 600)
        XCTAssertEqual(ma.sha256, "dc9db1b6cc68b1ecc2dec830d15aaf8c9a0932aa31d5ffce88ef3628179d36f4")
        XCTAssertEqual(ma.examples[0].answer, "39")
        XCTAssertTrue(ma.examples[0].question.hasPrefix("For Halloween Debby"), "padding is trimmed")

        let add = try DatasetLoader.addSub(path: TestData.file("addsub/AddSub.json"))
        XCTAssertEqual(add.count, 395)
        XCTAssertEqual(add.sha256, "21930fa90385c72b5a15f4b9a4dda27276b889ae9ff44285505cdd9fa0a20df8")
        XCTAssertEqual(add.examples.prefix(3).map(\.answer), ["43", "26", "6"])
        XCTAssertTrue(add.examples.contains { $0.answer == "9.43" })

        let se = try DatasetLoader.singleEq(path: TestData.file("singleeq/questions.json"))
        XCTAssertEqual(se.count, 508)
        XCTAssertEqual(se.sha256, "051507bd2b489c257057b485774a83d2710c23a4bc0f4a58e1822ae2773ef05e")
        XCTAssertEqual(se.examples[0].answer, "43")
        XCTAssertTrue(se.examples.contains { $0.answer == "11.5" })
    }

    func testAQuA() throws {
        let d = try DatasetLoader.aqua(path: TestData.file("aqua/test.json"))
        XCTAssertEqual(d.count, 254)
        XCTAssertEqual(d.sha256, "de41581881ef95c5588c44ddc701c77fd480839241dd422a0d181262af24520c")
        XCTAssertEqual(d.examples[0].answer, "A")
        XCTAssertEqual(d.examples[0].choices?.first, "5(\u{221A}3 + 1)")
        XCTAssertEqual(d.examples[1].choices, ["$61", "$65", "$67.40", "$70", "$78.20"])
        XCTAssertEqual(d.examples[1].goldChoiceIndex, 4)
        XCTAssertTrue(d.examples[0].solution?.hasSuffix("Answer : A") ?? false)
        let counts = Dictionary(grouping: d.examples, by: \.answer).mapValues(\.count)
        XCTAssertEqual(counts, ["A": 63, "B": 58, "C": 46, "D": 53, "E": 34])
    }

    func testPIQA() throws {
        let d = try DatasetLoader.piqa(questionsPath: TestData.file("piqa/valid.jsonl"),
                                       labelsPath: TestData.file("piqa/valid-labels.lst"))
        XCTAssertEqual(d.count, 1838)
        XCTAssertEqual(d.sha256, "8a77a898ad035d7ed9240939afc8a0be2178b7beeb39e90ad7cc59be1db74607")
        XCTAssertEqual(d.examples[0].question, "How do I ready a guinea pig cage for it's new occupants?")
        XCTAssertEqual(d.examples[0].answer, "A")
        XCTAssertEqual(d.examples[1].answer, "B")
        XCTAssertEqual(d.examples[1].choices, ["replace drawer with bobby pin ", "finish, woodgrain with  bobby pin "])
        let counts = Dictionary(grouping: d.examples, by: \.answer).mapValues(\.count)
        XCTAssertEqual(counts, ["A": 910, "B": 928])
    }

    func testCommonsenseQA() throws {
        let d = try DatasetLoader.commonsenseQA(path: TestData.file("commonsenseqa/dev_rand_split.jsonl"))
        XCTAssertEqual(d.count, 1221)
        XCTAssertEqual(d.sha256, "3210497fdaae614ac085d9eb873dd7f4d49b6f965a93adadc803e1229fd8a02a")
        XCTAssertEqual(d.examples[0].question, "A revolving door is convenient for two direction travel, but it also serves as a security measure at a what?")
        XCTAssertEqual(d.examples[0].choices, ["bank", "library", "department store", "mall", "new york"])
        XCTAssertEqual(d.examples[0].answer, "A")
        let counts = Dictionary(grouping: d.examples, by: \.answer).mapValues(\.count)
        XCTAssertEqual(counts, ["A": 239, "B": 255, "C": 241, "D": 251, "E": 235])
    }
}
