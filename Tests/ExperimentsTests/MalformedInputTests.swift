import Foundation
import XCTest
@testable import Experiments

/// Each loader on a small broken file must name the file and the line or record, and say what
/// is wrong — never return a wrong example.
final class MalformedInputTests: XCTestCase {
    /// A JSON object line with string fields (raw string literals cannot hold `"####`).
    func obj(_ fields: [String: String]) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self)
    }

    func testGSM8K() throws {
        let good = obj(["question": "q1", "answer": "1 + 1 = 2\n#### 2"])
        var p = try TestData.write("bad.jsonl", good + "\n" + obj(["question": "q2"]) + "\n")
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:2:", "missing field \"answer\""])
        p = try TestData.write("bad.jsonl", good + "\n\n" + obj(["question": "q3", "answer": "it is 3"]))
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:3:", "####"])
        p = try TestData.write("bad.jsonl", good + "\n" + obj(["question": "q", "answer": "#### three"]))
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:2:", "####"])
        p = try TestData.write("bad.jsonl", #"{"question": "q", "answer": "x"#)
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:1:", "invalid JSON"])
        p = try TestData.write("bad.jsonl", #"{"question": 7, "answer": "x"}"#)
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:1:", "\"question\" is a number, not a string"])
        p = try TestData.write("bad.jsonl", "[1, 2]\n")
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:1:", "expected a JSON object"])
        p = try TestData.write("bad.jsonl", obj(["question": "  ", "answer": "#### 7"]))
        assertDatasetError(try DatasetLoader.gsm8k(path: p, split: "test"), contains: ["bad.jsonl:1:", "\"question\" is empty"])
        assertDatasetError(try DatasetLoader.gsm8k(path: "/nonexistent/x.jsonl", split: "test"), contains: ["/nonexistent/x.jsonl", "no such file"])

        // CRLF line ends and a final line without newline are fine.
        p = try TestData.write("ok.jsonl", good + "\r\n" + obj(["question": "q", "answer": "#### 1,234"]))
        let d = try DatasetLoader.gsm8k(path: p, split: "test")
        XCTAssertEqual(d.examples.map(\.answer), ["2", "1234"])
    }

    func testOrcaMath() throws {
        var p = try TestData.write("orca.jsonl", #"{"question": "q", "answer": "She has 3 + 4 = 7 apples, so the answer is $1,250.50."}"#)
        XCTAssertEqual(try DatasetLoader.orcaMath(path: p).examples[0].answer, "1250.5")
        p = try TestData.write("orca.jsonl", #"{"question": "q", "answer": "5"}"# + "\n" + #"{"question": "q", "answer": "none"}"#)
        assertDatasetError(try DatasetLoader.orcaMath(path: p), contains: ["orca.jsonl:2:", "no number"])
    }

    func testSVAMP() throws {
        let p = try TestData.write("SVAMP.json", """
        [{"ID": "chal-1", "Body": "b", "Question": "q?", "Answer": 3.0},
         {"ID": "chal-2", "Body": "b", "Question": "q?", "Answer": "three"}]
        """)
        assertDatasetError(try DatasetLoader.svamp(path: p), contains: ["SVAMP.json: record 2:", "\"Answer\" is \"three\", not a number"])
        let q = try TestData.write("SVAMP.json", #"{"ID": 1}"#)
        assertDatasetError(try DatasetLoader.svamp(path: q), contains: ["SVAMP.json:", "expected a JSON array"])
        let r = try TestData.write("SVAMP.json", #"[{"ID": 1, "Body": "b", "Answer": 1}]"#)
        assertDatasetError(try DatasetLoader.svamp(path: r), contains: ["record 1:", "missing field \"Question\""])
    }

    func testMAWPSRejectsBooleanAnswer() throws {
        let p = try TestData.write("MAWPS.json", #"[{"id": 1, "original_text": "t", "ans": 2.0}, {"id": 2, "original_text": "t", "ans": true}]"#)
        assertDatasetError(try DatasetLoader.mawps(path: p), contains: ["MAWPS.json: record 2:", "\"ans\" is a boolean, not a number"])
        let q = try TestData.write("MAWPS.json", #"[{"id": 1, "original_text": "t", "ans": "0.25"}, {"id": 1, "original_text": "t", "ans": 1e-05}]"#)
        XCTAssertEqual(try DatasetLoader.mawps(path: q).examples.map(\.answer), ["0.25", "0.00001"])
    }

    func testSolutionListFormats() throws {
        var p = try TestData.write("MultiArith.json", #"[{"iIndex": 0, "sQuestion": " q ", "lSolutions": [1.0, 2.0]}]"#)
        assertDatasetError(try DatasetLoader.multiArith(path: p), contains: ["record 1:", "\"lSolutions\" has 2 entries, expected 1"])
        p = try TestData.write("AddSub.json", #"[{"iIndex": 1, "sQuestion": "q", "lSolutions": ["43"]}, {"iIndex": 2, "sQuestion": "q", "lSolutions": ["x"]}]"#)
        assertDatasetError(try DatasetLoader.addSub(path: p), contains: ["AddSub.json: record 2:", "lSolutions[0] is \"x\", not a number"])
        p = try TestData.write("questions.json", #"[{"iIndex": 0, "lSolutions": [1.0]}]"#)
        assertDatasetError(try DatasetLoader.singleEq(path: p), contains: ["questions.json: record 1:", "missing field \"sQuestion\""])
        p = try TestData.write("questions.json", "[{\"iIndex\": 0, \"sQuestion\": \"q\", \"lSolutions\": [1.0]},")
        assertDatasetError(try DatasetLoader.singleEq(path: p), contains: ["questions.json:", "invalid JSON"])
    }

    func testASDiv() throws {
        let dir = try TestData.temporaryDirectory()
        let xml = """
        <?xml version="1.0" encoding="UTF-8" ?>
        <Machine-Reading-Corpus-File><ProblemSet>
        <Problem ID="p-1" Grade="1"><Body>Two and two.</Body><Question>How many?</Question><Answer>4 (apples)</Answer></Problem>
        <Problem ID="p-2" Grade="1"><Body>B.</Body><Question>Q?</Question><Answer>They are equal</Answer></Problem>
        <Problem ID="p-3" Grade="1"><Body>B.</Body><Question>Q?</Question><Answer>14  (seats)</Answer></Problem>
        </ProblemSet></Machine-Reading-Corpus-File>
        """
        let x = try TestData.write("ASDiv.xml", xml, in: dir)
        let ok = try TestData.write("fold0.txt", "p-3\np-1\n", in: dir)
        let d = try DatasetLoader.asdivA(xmlPath: x, foldPaths: [ok])
        XCTAssertEqual(d.examples.map(\.answer), ["4", "14"], "XML order, unit dropped")
        XCTAssertEqual(d.examples[0].question, "Two and two. How many?")

        let bad = try TestData.write("fold1.txt", "p-1\np-2\n", in: dir)
        assertDatasetError(try DatasetLoader.asdivA(xmlPath: x, foldPaths: [bad]), contains: ["ASDiv.xml: record 2:", "p-2", "not a number"])
        let unknown = try TestData.write("fold2.txt", "p-1\np-9\n", in: dir)
        assertDatasetError(try DatasetLoader.asdivA(xmlPath: x, foldPaths: [unknown]), contains: ["fold2.txt:2:", "\"p-9\" is not in"])
        assertDatasetError(try DatasetLoader.asdivA(xmlPath: x, foldPaths: [ok, ok]), contains: ["fold0.txt:1:", "already listed"])
        let broken = try TestData.write("broken.xml", "<a>\n<Problem ID=\"p\">\n<Body>x</Question>\n</a>", in: dir)
        assertDatasetError(try DatasetLoader.asdivA(xmlPath: broken, foldPaths: [ok]), contains: ["broken.xml:3:", "invalid XML"])
        let noID = try TestData.write("noid.xml", "<a><Problem><Body>x</Body></Problem></a>", in: dir)
        assertDatasetError(try DatasetLoader.asdivA(xmlPath: noID, foldPaths: [ok]), contains: ["noid.xml: record 1:", "without an ID"])
    }

    func testAQuA() throws {
        let line = #"{"question": "q", "options": ["A)1", "B)2", "C)3", "D)4", "E)5"], "rationale": "r", "correct": "C"}"#
        var p = try TestData.write("test.json", line + "\n" + line.replacingOccurrences(of: "\"C\"}", with: "\"F\"}"))
        assertDatasetError(try DatasetLoader.aqua(path: p), contains: ["test.json:2:", "\"correct\" is \"F\""])
        p = try TestData.write("test.json", line.replacingOccurrences(of: "\"B)2\"", with: "\"C)2\""))
        assertDatasetError(try DatasetLoader.aqua(path: p), contains: ["test.json:1:", "option 2 does not start with \"B)\""])
        p = try TestData.write("test.json", line.replacingOccurrences(of: ", \"E)5\"", with: ""))
        assertDatasetError(try DatasetLoader.aqua(path: p), contains: ["test.json:1:", "has 4 entries, expected 5"])
        p = try TestData.write("test.json", line)
        XCTAssertEqual(try DatasetLoader.aqua(path: p).examples[0].choices, ["1", "2", "3", "4", "5"])
    }

    func testPIQA() throws {
        let dir = try TestData.temporaryDirectory()
        let q = try TestData.write("valid.jsonl", #"{"goal": "g", "sol1": "a", "sol2": "b"}"# + "\n" + #"{"goal": "g2", "sol1": "a", "sol2": "b"}"# + "\n", in: dir)
        var l = try TestData.write("valid-labels.lst", "0\n2\n", in: dir)
        assertDatasetError(try DatasetLoader.piqa(questionsPath: q, labelsPath: l), contains: ["valid-labels.lst:2:", "label \"2\" is not 0 or 1"])
        l = try TestData.write("valid-labels.lst", "0\n", in: dir)
        assertDatasetError(try DatasetLoader.piqa(questionsPath: q, labelsPath: l), contains: ["valid-labels.lst:", "1 labels for 2 questions"])
        l = try TestData.write("valid-labels.lst", "0\n1\n", in: dir)
        let d = try DatasetLoader.piqa(questionsPath: q, labelsPath: l)
        XCTAssertEqual(d.examples.map(\.answer), ["A", "B"])
        let q2 = try TestData.write("valid.jsonl", #"{"goal": "g", "sol1": "a"}"# + "\n" + #"{"goal": "g2", "sol1": "a", "sol2": "b"}"#, in: dir)
        assertDatasetError(try DatasetLoader.piqa(questionsPath: q2, labelsPath: l), contains: ["valid.jsonl:1:", "missing field \"sol2\""])
    }

    func testCommonsenseQA() throws {
        func record(_ labels: [String], key: String) -> String {
            let choices = labels.map { #"{"label": "\#($0)", "text": "t\#($0)"}"# }.joined(separator: ", ")
            return #"{"answerKey": "\#(key)", "id": "x", "question": {"stem": "s", "question_concept": "c", "choices": [\#(choices)]}}"#
        }
        let good = record(["A", "B", "C", "D", "E"], key: "B")
        var p = try TestData.write("dev.jsonl", good + "\n" + record(["A", "C", "B", "D", "E"], key: "A"))
        assertDatasetError(try DatasetLoader.commonsenseQA(path: p), contains: ["dev.jsonl:2:", "choice 2 is labelled \"C\""])
        p = try TestData.write("dev.jsonl", record(["A", "B", "C", "D", "E"], key: "Z"))
        assertDatasetError(try DatasetLoader.commonsenseQA(path: p), contains: ["dev.jsonl:1:", "answerKey \"Z\""])
        p = try TestData.write("dev.jsonl", #"{"answerKey": "A", "question": {"choices": []}}"#)
        assertDatasetError(try DatasetLoader.commonsenseQA(path: p), contains: ["dev.jsonl:1:", "missing field \"stem\""])
        p = try TestData.write("dev.jsonl", good)
        XCTAssertEqual(try DatasetLoader.commonsenseQA(path: p).examples[0].goldChoiceIndex, 1)
    }
}
