import Engine
/// One synthetic problem: a start value, then `steps` operations, each one sentence of the
/// question and one equation line of the solution.
struct SyntheticProblem {
    var question: String
    var solution: String
    var answer: Int

    private struct Person { var name: String; var subject: String; var possessive: String }
    private static let people: [Person] = [
        ("Mia", "she", "her"), ("Liam", "he", "his"), ("Ava", "she", "her"), ("Noah", "he", "his"),
        ("Emma", "she", "her"), ("Omar", "he", "his"), ("Sofia", "she", "her"), ("Ravi", "he", "his"),
        ("Chloe", "she", "her"), ("Mateo", "he", "his"), ("Hana", "she", "her"), ("Kofi", "he", "his"),
        ("Lena", "she", "her"), ("Yuki", "she", "her"), ("Ben", "he", "his"), ("Amara", "she", "her"),
    ].map { Person(name: $0.0, subject: $0.1, possessive: $0.2) }
    private static let objects: [(plural: String, singular: String)] = [
        ("marbles", "marble"), ("stickers", "sticker"), ("apples", "apple"), ("pencils", "pencil"),
        ("cookies", "cookie"), ("books", "book"), ("stamps", "stamp"), ("seashells", "seashell"),
        ("trading cards", "trading card"), ("balloons", "balloon"), ("toy cars", "toy car"),
        ("beads", "bead"), ("cupcakes", "cupcake"), ("postcards", "postcard"),
    ]
    /// Values stay small enough for grade-school arithmetic and far from overflow.
    private static let cap = 5000

    private enum Op: CaseIterable { case gain, lose, times, timesOther, moreThan, fewerThan, share, half }

    static func make(steps: Int, rng: inout SplitMix64) -> SyntheticProblem {
        let object = rng.pick(objects)
        var owner = rng.pick(people)
        var value = rng.int(in: 5...60)
        let openers = ["\(owner.name) has \(value) \(object.plural).",
                       "\(owner.name) starts with \(value) \(object.plural).",
                       "\(owner.name) collects \(value) \(object.plural)."]
        var sentences = [rng.pick(openers)]
        var lines: [String] = []
        var ask: String?
        // Everyone named is a different person, so no one's count is stated twice.
        var unused = people.filter { $0.name != owner.name }
        for step in 1...steps {
            // The last step may turn the count into money (buy/sell) instead.
            if step == steps, steps > 1, rng.next(below: 5) == 0 {
                let price = rng.int(in: 2...9)
                if value * price <= cap {
                    let c = value * price
                    if rng.next(below: 2) == 0 {
                        sentences.append("\(owner.name) sells all of \(owner.possessive) \(object.plural) for $\(price) each.")
                        lines.append("\(owner.name) makes \(value) * \(price) = \(c) dollars.")
                        ask = "How many dollars does \(owner.name) make?"
                    } else {
                        sentences.append("Each \(object.singular) is worth $\(price).")
                        lines.append("\(cap1(owner.possessive)) \(object.plural) are worth \(value) * \(price) = \(c) dollars.")
                        ask = "How many dollars are \(owner.name)'s \(object.plural) worth?"
                    }
                    value = c
                    break
                }
            }
            // 16 names cover the opener plus one new person per step (at most 8).
            let other = unused.remove(at: rng.next(below: unused.count))
            let (a, P, Q) = (value, owner.name, other.name)
            let pos = owner.possessive, obj = object.plural
            // Draw until an operation keeps every value a positive integer under the cap.
            while true {
                switch rng.pick(Op.allCases) {
                case .gain:
                    let b = rng.int(in: 2...30)
                    guard a + b <= cap else { continue }
                    switch rng.next(below: 3) {
                    case 0: sentences.append("Then \(P) buys \(b) more \(obj).")
                            lines.append("After buying \(b) more, \(P) has \(a) + \(b) = \(a + b) \(obj).")
                    case 1: sentences.append("\(Q) gives \(P) \(b) \(obj).")
                            lines.append("With \(Q)'s \(obj), \(P) has \(a) + \(b) = \(a + b) \(obj).")
                    default: sentences.append("Later \(P) finds \(b) more \(obj).")
                             lines.append("\(P) now has \(a) + \(b) = \(a + b) \(obj).")
                    }
                    value = a + b
                case .lose:
                    guard a >= 2 else { continue }
                    let b = rng.int(in: 1...min(a - 1, 30))
                    switch rng.next(below: 3) {
                    case 0: sentences.append("\(P) sells \(b) of \(pos) \(obj).")
                            lines.append("After selling \(b), \(P) has \(a) - \(b) = \(a - b) \(obj) left.")
                    case 1: sentences.append("\(P) gives \(b) \(obj) to \(Q).")
                            lines.append("After giving \(b) away, \(P) has \(a) - \(b) = \(a - b) \(obj).")
                    default: sentences.append("\(P) loses \(b) \(obj).")
                             lines.append("\(P) has \(a) - \(b) = \(a - b) \(obj) left.")
                    }
                    value = a - b
                case .times:
                    let b = rng.int(in: 2...4)
                    guard a * b <= cap else { continue }
                    let verb = [2: "doubles", 3: "triples", 4: "quadruples"][b]!
                    sentences.append("Then \(P) \(verb) the number of \(pos) \(obj).")
                    lines.append("\(P) now has \(a) * \(b) = \(a * b) \(obj).")
                    value = a * b
                case .timesOther:
                    let b = rng.int(in: 2...6)
                    guard a * b <= cap else { continue }
                    sentences.append("\(Q) has \(b) times as many \(obj) as \(P).")
                    lines.append("\(Q) has \(a) * \(b) = \(a * b) \(obj).")
                    value = a * b
                    owner = other
                case .moreThan:
                    let b = rng.int(in: 2...40)
                    guard a + b <= cap else { continue }
                    sentences.append("\(Q) has \(b) more \(obj) than \(P).")
                    lines.append("\(Q) has \(a) + \(b) = \(a + b) \(obj).")
                    value = a + b
                    owner = other
                case .fewerThan:
                    guard a >= 2 else { continue }
                    let b = rng.int(in: 1...min(a - 1, 40))
                    sentences.append("\(Q) has \(b) fewer \(obj) than \(P).")
                    lines.append("\(Q) has \(a) - \(b) = \(a - b) \(obj).")
                    value = a - b
                    owner = other
                case .share:
                    let ways = (2...9).filter { a % $0 == 0 && a / $0 >= 1 }
                    guard !ways.isEmpty else { continue }
                    let b = rng.pick(ways)
                    sentences.append("\(P) splits \(pos) \(obj) equally into \(b) bags and keeps one bag.")
                    lines.append("Each bag gets \(a) / \(b) = \(a / b) \(obj), so \(P) keeps \(a / b).")
                    value = a / b
                case .half:
                    guard a % 2 == 0 else { continue }
                    sentences.append("\(P) gives half of \(pos) \(obj) to \(Q).")
                    lines.append("\(P) keeps \(a) / 2 = \(a / 2) \(obj).")
                    value = a / 2
                }
                break
            }
        }
        sentences.append(ask ?? rng.pick(["How many \(object.plural) does \(owner.name) have now?",
                                          "How many \(object.plural) does \(owner.name) have at the end?"]))
        lines.append("#### \(value)")
        // "1 apples" → "1 apple"; a space before the 1 keeps "21 apples" intact.
        func singular(_ text: String) -> String {
            text.replacingOccurrences(of: " 1 \(object.plural)", with: " 1 \(object.singular)")
        }
        return SyntheticProblem(question: singular(sentences.joined(separator: " ")),
                                solution: singular(lines.joined(separator: "\n")), answer: value)
    }

    private static func cap1(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }
}
