/// Loaders for the dataset formats, one file per format (`*Loader.swift`). Each reads the exact
/// files described in the dataset's SOURCE.md and throws `DatasetError` naming the file and
/// the line or record of the first bad entry.
public enum DatasetLoader {
    /// Hash of several source files, concatenated in the order given.
    static func combinedHash(_ files: [SourceFile]) -> String {
        var hasher = SHA256()
        for f in files { hasher.update(f.data) }
        return SHA256.hexString(hasher.finalize())
    }
}
