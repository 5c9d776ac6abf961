/// Walks a paginated operation: calls `page` with nil, then with each next token it returns, until
/// a page has none (nil or empty). `page` returns the next token and how many items it brought.
///
/// The walk is bounded, so that a service (or something posing as one) that never stops cannot keep
/// lifeline walking: at most `maxPages` pages, at most `maxEmptyRun` pages in a row that bring
/// nothing (EC2 may answer a few empty pages under filters), and a token seen twice is an error.
/// Each bound names the operation, and the caller's work fails rather than going on with part of a list.
func paginate(
    _ service: AWSService,
    _ operation: String,
    maxPages: Int = 1000,
    maxEmptyRun: Int = 20,
    _ page: (String?) async throws -> (next: String?, items: Int)
) async throws {
    var token: String? = nil
    var seen: Set<String> = []
    var pages = 0
    var emptyRun = 0
    repeat {
        let (next, items) = try await page(token)
        pages += 1
        emptyRun = items == 0 ? emptyRun + 1 : 0
        guard let next, !next.isEmpty else { return }
        func stop(_ why: String) -> AWSError {
            AWSError.malformed(service: service.name, operation: operation, "\(why); the page walk stopped")
        }
        guard seen.insert(next).inserted else { throw stop("NextToken repeated after \(pages) page(s)") }
        guard pages < maxPages else { throw stop("more than \(maxPages) pages") }
        guard emptyRun < maxEmptyRun else { throw stop("\(maxEmptyRun) pages in a row with nothing on them") }
        token = next
    } while true
}
