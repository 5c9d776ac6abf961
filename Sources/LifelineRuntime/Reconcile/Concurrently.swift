/// Runs `body` over `items` with at most `limit` at a time; results in the items' order.
/// AWS calls of one pass fan out this way, bounded so that a thousand groups do not become a
/// thousand simultaneous requests.
func concurrentMap<T: Sendable, R: Sendable>(
    _ items: [T],
    limit: Int = 16,
    _ body: @escaping @Sendable (T) async throws -> R
) async throws -> [R] {
    try await withThrowingTaskGroup(of: (Int, R).self) { group in
        var results = [R?](repeating: nil, count: items.count)
        var next = 0
        for _ in 0..<min(limit, items.count) {
            let i = next
            group.addTask { (i, try await body(items[i])) }
            next += 1
        }
        while let (i, result) = try await group.next() {
            results[i] = result
            if next < items.count {
                let j = next
                group.addTask { (j, try await body(items[j])) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
