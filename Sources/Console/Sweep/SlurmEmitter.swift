import Experiments
import Foundation
import Store

/// `sweep … emit slurm DIR`: one Slurm job array for a sweep's queued runs. Each array task runs
/// one run (`ftlab run-task DIR/tasks/task-I.json`) into its own shard database
/// `DIR/shards/task-I.sqlite` — SQLite must not be shared over a network file system — reading
/// models from the shared `$FTLAB_HOME`. A task killed or pre-empted and run again (`--requeue`,
/// or resubmitting the array) resumes its run from the shard's checkpoint; a finished task's run
/// is left alone. `ftlab merge DIR/shards/*.sqlite` brings the results home.
enum SlurmEmitter {
    static func write(runs: [RunRecord], sweepID: Int64, directory: String, dataDirectory: String?,
                      estimatedSeconds: [Double], memoryBytes: [Int?]) throws -> String {
        guard !runs.isEmpty else { throw ConsoleError("nothing to emit: every run of the sweep is already done or queued") }
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory).standardizedFileURL
        for sub in ["tasks", "shards", "logs"] {
            try fm.createDirectory(at: root.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        for (i, run) in runs.enumerated() {
            try encoder.encode(run).write(to: root.appendingPathComponent("tasks/task-\(i).json"))
        }
        let cores = ProcessInfo.processInfo.environment["FTLAB_THREADS"].flatMap(Int.init)
            ?? ProcessInfo.processInfo.activeProcessorCount
        // Slurm's limits hold for every task of the array: the largest estimate, with headroom
        // (ten minutes at least; three times the estimate, since the estimate is rough).
        let memoryMB = max(1024, (memoryBytes.compactMap { $0 }.max() ?? 4 << 30) * 5 / 4 / (1 << 20))
        let minutes = max(10, Int((estimatedSeconds.max() ?? 600) * 3 / 60))
        let binary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        let home = ModelFetcher.defaultHome().path
        let data = dataDirectory.map { " --data \(shellQuoted($0))" } ?? ""
        let script = """
            #!/bin/bash
            # ftlab sweep \(sweepID): \(runs.count) runs, one per array task (written by `sweep … emit slurm`).
            # Each task writes its own shard database; merge them with
            #   ftlab merge \(root.path)/shards/*.sqlite --into RESULTS.sqlite
            #SBATCH --job-name=ftlab-sweep-\(sweepID)
            #SBATCH --array=0-\(runs.count - 1)
            #SBATCH --cpus-per-task=\(cores)
            #SBATCH --mem=\(memoryMB)M
            #SBATCH --time=\(minutes / 60):\(String(format: "%02d", minutes % 60)):00
            #SBATCH --output=\(root.path)/logs/task-%a.out
            #SBATCH --open-mode=append
            #SBATCH --requeue
            set -euo pipefail
            export FTLAB_THREADS="${SLURM_CPUS_PER_TASK:-\(cores)}"
            export FTLAB_HOME="${FTLAB_HOME:-\(home)}"
            FTLAB="${FTLAB_BIN:-\(binary)}"
            task="${SLURM_ARRAY_TASK_ID:?run this script with sbatch}"
            exec "$FTLAB" run-task "\(root.path)/tasks/task-${task}.json" --db "\(root.path)/shards/task-${task}.sqlite"\(data)

            """
        let url = root.appendingPathComponent("sweep-\(sweepID).sbatch")
        try script.write(to: url, atomically: true, encoding: .utf8)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    static func shellQuoted(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}

