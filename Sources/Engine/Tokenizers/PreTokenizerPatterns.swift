// Hand-written equivalents of the GPT-2 and Qwen2/Llama-3 split regexes. Each function returns the
// end (exclusive scalar index) of the word that starts at `i`, given scalars `sc`, their
// `PreTokenizerCharClass` flags `cls`, and the end `n` of the run being split (lookaheads stop there).

private let apostrophe: UInt32 = 0x27, spaceChar: UInt32 = 0x20

@inline(__always) private func isOther(_ c: UInt8) -> Bool { c == 0 }

/// `'s|'t|'re|'ve|'m|'ll|'d` at `i`, optionally case-insensitive: the contraction's length or 0.
@inline(__always)
private func contraction(_ sc: UnsafeBufferPointer<UInt32>, _ i: Int, _ n: Int, foldCase: Bool) -> Int {
    guard sc[i] == apostrophe, i + 1 < n else { return 0 }
    // Unicode simple case folding for these letters: ASCII upper case, and long s (ſ) → s.
    func low(_ v: UInt32) -> UInt32 {
        guard foldCase else { return v }
        if v >= 0x41 && v <= 0x5A { return v | 0x20 }
        return v == 0x17F ? 0x73 : v
    }
    let a = low(sc[i + 1])
    switch a {
    case 0x73, 0x74, 0x6D, 0x64: return 2  // s t m d
    default: break
    }
    guard i + 2 < n else { return 0 }
    let b = low(sc[i + 2])
    if (a == 0x72 && b == 0x65) || (a == 0x76 && b == 0x65) || (a == 0x6C && b == 0x6C) { return 3 }  // re ve ll
    return 0
}

/// Whitespace tail shared by both patterns: `\s+(?!\S)|\s+` at `i` (cls[i] is whitespace).
@inline(__always)
private func whitespaceRun(_ cls: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int {
    var e = i + 1
    while e < n && cls[e] & PreTokenizerCharClass.space != 0 { e += 1 }
    // `\s+(?!\S)` backtracks one character so the last space can lead the next word;
    // a single space before a non-space falls through to `\s+` and is taken alone.
    if e == n || e - i == 1 { return e }
    return e - 1
}

enum PreTokenizerPatterns {
    static func gpt2Word(_ sc: UnsafeBufferPointer<UInt32>, _ cls: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int) -> Int {
        let c = contraction(sc, i, n, foldCase: false)
        if c > 0 { return i + c }
        // ` ?\p{L}+ | ?\p{N}+ | ?[^\s\p{L}\p{N}]+`: an optional leading space, then one class run.
        var j = i
        if sc[i] == spaceChar && i + 1 < n && cls[i + 1] & PreTokenizerCharClass.space == 0 { j = i + 1 }
        let k = cls[j]
        if k & PreTokenizerCharClass.space == 0 {
            var e = j + 1
            if k & PreTokenizerCharClass.letter != 0 {
                while e < n && cls[e] & PreTokenizerCharClass.letter != 0 { e += 1 }
            } else if k & PreTokenizerCharClass.number != 0 {
                while e < n && cls[e] & PreTokenizerCharClass.number != 0 { e += 1 }
            } else {
                while e < n && isOther(cls[e]) { e += 1 }
            }
            return e
        }
        return whitespaceRun(cls, i, n)
    }

    static func qwen2Word(_ sc: UnsafeBufferPointer<UInt32>, _ cls: UnsafeBufferPointer<UInt8>, _ i: Int, _ n: Int,
                   _ maxDigits: Int) -> Int {
        let c = contraction(sc, i, n, foldCase: true)
        if c > 0 { return i + c }
        let k = cls[i]
        // `[^\r\n\p{L}\p{N}]?\p{L}+`
        var letterStart = -1
        if k & PreTokenizerCharClass.letter != 0 {
            letterStart = i
        } else if k & (PreTokenizerCharClass.newline | PreTokenizerCharClass.number) == 0 && i + 1 < n && cls[i + 1] & PreTokenizerCharClass.letter != 0 {
            letterStart = i + 1
        }
        if letterStart >= 0 {
            var e = letterStart + 1
            while e < n && cls[e] & PreTokenizerCharClass.letter != 0 { e += 1 }
            return e
        }
        // `\p{N}{1,maxDigits}`
        if k & PreTokenizerCharClass.number != 0 {
            var e = i + 1
            while e < n && e - i < maxDigits && cls[e] & PreTokenizerCharClass.number != 0 { e += 1 }
            return e
        }
        // ` ?[^\s\p{L}\p{N}]+[\r\n]*`
        var j = i
        if sc[i] == spaceChar && i + 1 < n && isOther(cls[i + 1]) { j = i + 1 }
        if isOther(cls[j]) {
            var e = j + 1
            while e < n && isOther(cls[e]) { e += 1 }
            while e < n && cls[e] & PreTokenizerCharClass.newline != 0 { e += 1 }
            return e
        }
        // `\s*[\r\n]+`: greedy `\s*` backs off to the last newline of the whitespace run.
        var e = i
        var lastNewline = -1
        while e < n && cls[e] & PreTokenizerCharClass.space != 0 {
            if cls[e] & PreTokenizerCharClass.newline != 0 { lastNewline = e }
            e += 1
        }
        if lastNewline >= 0 { return lastNewline + 1 }
        return whitespaceRun(cls, i, n)
    }
}
