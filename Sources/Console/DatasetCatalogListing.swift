import Experiments
import Foundation
import Store

extension Session {
    /// `.datasets` / `ftlab datasets`: every task and split the catalog knows, loaded from the
    /// data directory (size and content hash), and registered in the database so `datasets`
    /// queries list them too. A split whose files are missing says where to get them; one that
    /// fails to load shows the loader's error (file:line).
    func datasetCatalog() throws -> ResultTable {
        var rows: [[StoreValue]] = []
        for task in TaskCatalog.tasks {
            for split in task.splits {
                do {
                    let d = try TaskCatalog.load(task: task.name, split: split, dataDirectory: dataDirectory)
                    _ = try store.upsertDataset(DatasetRecord(task: d.task, split: d.split, size: d.examples.count,
                                                              sha256: d.sha256, path: d.path))
                    rows.append([.text(task.name), .text(split), .text(task.kind.rawValue),
                                 .integer(Int64(d.examples.count)), .text(d.sha256), .text(d.path ?? "built in")])
                } catch let error as DatasetError {
                    rows.append([.text(task.name), .text(split), .text(task.kind.rawValue), .null,
                                 .null, .text("unavailable: \(error)")])
                }
            }
        }
        return ResultTable(columns: ["task", "split", "kind", "size", "sha256", "source"], rows: rows)
    }
}
