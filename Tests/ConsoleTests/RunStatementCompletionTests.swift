import Console
import Experiments
import Foundation
import Store
import XCTest

/// Tab after `eval`/`train`/`sweep`: model keys, task names, methods, the statement's options.
final class RunStatementCompletionTests: XCTestCase {
    func complete(_ s: Session, _ line: String) -> [String] {
        let start = line.lastIndex(where: { " \t(),".contains($0) }).map { line.distance(from: line.startIndex, to: $0) + 1 } ?? 0
        return s.completions(line: line, word: String(line.dropFirst(start)), start: start)
    }

    func testModelsTasksMethodsAndOptionsAreOffered() throws {
        let s = try SessionFixture().session
        XCTAssertTrue(complete(s, "ev").contains("eval"))
        XCTAssertEqual(complete(s, "eval smol"), ["smollm2-135m-instruct"])
        XCTAssertTrue(complete(s, "train ").contains("qwen2.5-coder-1.5b-instruct"))
        XCTAssertTrue(complete(s, "train ").contains("tiny-135m"), "models registered in the database too: \(complete(s, "train "))")
        XCTAssertEqual(complete(s, "eval gemma3-270m "), ["on"])
        XCTAssertEqual(complete(s, "eval gemma3-270m on gs"), ["gsm8k"])
        XCTAssertEqual(Set(complete(s, "eval gemma3-270m on ")), Set(TaskCatalog.names))
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k "), ["with"])
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k with "), ["full", "lora", "dora"])
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k with lora checkpoint"), ["checkpoint-every"])
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k with lora schedule "), ["cosine", "linear", "constant"])
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k with lora steps 10 then "), ["eval"])
        XCTAssertEqual(complete(s, "train gemma3-270m on gsm8k with lora then eval "), ["on"])
        XCTAssertEqual(complete(s, "eval gemma3-270m on gsm8k sh"), ["shots"])
        XCTAssertEqual(complete(s, "sweep smollm2-135m-instruct, gem"), ["gemma3-270m"])
        XCTAssertEqual(complete(s, "sweep smollm2-135m-instruct on gsm8k with lora, d"), ["dora"])
        XCTAssertEqual(complete(s, "sweep smollm2-135m-instruct on gsm8k with lora se"), ["seq", "seed", "seeds"])
        XCTAssertEqual(complete(s, "resume "), ["run"])
    }

    /// `cancel run` offers the runs a cancel can take (queued, interrupted), `cancel runs` `where`.
    func testCancelOffersCancellableRuns() throws {
        let f = try SessionFixture()
        let store = try ResultsStore(path: f.databasePath)
        let done = try XCTUnwrap(store.runs().first)
        var queued = done
        queued.id = nil
        queued.uuid = UUID().uuidString
        queued.status = .queued
        let id = try store.insertRun(queued)
        XCTAssertEqual(complete(f.session, "canc"), ["cancel"])
        XCTAssertEqual(complete(f.session, "cancel "), ["run", "runs"])
        XCTAssertEqual(complete(f.session, "cancel run "), [String(id)], "only the queued run, not the seeded finished ones")
        XCTAssertEqual(complete(f.session, "cancel runs "), ["where"])
        XCTAssertTrue(complete(f.session, "cancel runs where seed = 1 ").contains("because"))
    }
}
