import Foundation

/// Where the dataset folders (`gsm8k/`, `svamp/`, …) live.
public enum DataDirectory {
    public static let environmentVariable = "FTLAB_DATA"
    /// Relative to the current directory: the shared data beside a checkout.
    public static let conventionalPath = "../shared/data"

    /// In order: `explicit`, else `$FTLAB_DATA`, else `../shared/data` if it exists. A path that
    /// was asked for but does not exist is an error rather than a silent fall-through, so a
    /// typo never loads some other copy of the data.
    public static func resolve(explicit: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment,
                               currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> String {
        func absolute(_ p: String) -> String {
            let expanded = (p as NSString).expandingTildeInPath
            let joined = expanded.hasPrefix("/") ? expanded : (currentDirectory as NSString).appendingPathComponent(expanded)
            return (joined as NSString).standardizingPath
        }
        func isDirectory(_ p: String) -> Bool {
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: p, isDirectory: &dir) && dir.boolValue
        }
        if let explicit, !explicit.isEmpty {
            let p = absolute(explicit)
            guard isDirectory(p) else { throw DatasetError.noDataDirectory("data directory \(p) does not exist") }
            return p
        }
        if let env = environment[environmentVariable], !env.isEmpty {
            let p = absolute(env)
            guard isDirectory(p) else {
                throw DatasetError.noDataDirectory("\(environmentVariable)=\(env): directory \(p) does not exist")
            }
            return p
        }
        let conventional = absolute(conventionalPath)
        if isDirectory(conventional) { return conventional }
        throw DatasetError.noDataDirectory(
            "no data directory: pass one explicitly, set \(environmentVariable), or put the datasets in \(conventional)")
    }
}
