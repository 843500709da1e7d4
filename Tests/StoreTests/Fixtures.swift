import Foundation
import XCTest
@testable import Store

/// Small builders shared by the Store tests: an in-memory store with one model and dataset,
/// and a minimal valid run for it.
struct Fixture {
    let store: ResultsStore
    let modelID: Int64
    let datasetID: Int64

    init(store: ResultsStore? = nil) throws {
        self.store = try store ?? ResultsStore(path: ":memory:")
        modelID = try self.store.upsertModel(ModelRecord(
            key: "m", family: "llama", params: 1000, path: "/m.gguf", format: "gguf", sha256: "aa"))
        datasetID = try self.store.upsertDataset(DatasetRecord(
            task: "gsm8k", split: "test", size: 3, sha256: "bb"))
    }

    func run(method: RunMethod = .zeroShot, host: String = "h", pid: Int32? = nil) -> RunRecord {
        RunRecord(specHash: "spec", modelID: modelID, datasetID: datasetID, method: method,
                  engineVersion: "test", host: host, pid: pid)
    }

    func prediction(run: Int64, index: Int, correct: Bool = true) -> PredictionRecord {
        PredictionRecord(runID: run, exampleIndex: index, output: "out", extracted: "1",
                         gold: "1", correct: correct)
    }
}

extension ResultsStore {
    /// A single integer from a read-only query, for concise assertions.
    func int(_ sql: String, _ arguments: [StoreValue] = []) throws -> Int64? {
        guard case let .integer(v)? = try select(sql: sql, arguments: arguments).rows.first?.first else {
            return nil
        }
        return v
    }
}

/// Asserts that `body` throws a StoreError matching `matches`.
func XCTAssertStoreError<T>(_ body: @autoclosure () throws -> T, _ message: String = "",
                            file: StaticString = #filePath, line: UInt = #line,
                            _ matches: (StoreError) -> Bool) {
    do {
        _ = try body()
        XCTFail("expected a StoreError, nothing was thrown. \(message)", file: file, line: line)
    } catch let error as StoreError {
        XCTAssertTrue(matches(error), "unexpected StoreError: \(error). \(message)", file: file, line: line)
    } catch {
        XCTFail("expected a StoreError, got \(error). \(message)", file: file, line: line)
    }
}
