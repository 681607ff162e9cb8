import BatchCore
import Terminal
import Testing
@testable import Console

/// Tagging executions and acting on the tagged set: one confirmation naming how many,
/// then one cancel (or retry) per execution.
struct TagTests {
    /// Rows newest first: 0 running, 1 succeeded, 2 failed, 3 queued, 4 cancelled, ...
    func state() -> ConsoleState {
        var s = ConsoleState(size: Size(rows: 24, cols: 80), timeZone: Fixtures.utc)
        s.apply(snapshot: Fixtures.snapshot(executions: 30))
        return s
    }

    func press(_ s: inout ConsoleState, _ keys: Key...) {
        for k in keys { _ = s.handle(k) }
    }

    @Test func spaceTagsTwoRowsAndCancelAsksOnceNamingTwoThenCancelsBothAndUntags() throws {
        var s = state()
        press(&s, .char(" "), .down, .down, .down, .char(" "))
        #expect(s.tagged == [Fixtures.id(0), Fixtures.id(3)])
        #expect(s.selectedRowID == Fixtures.id(3))  // Space tags; it no longer pages
        let c = GridCanvas(rows: 24, cols: 80)
        render(s, into: c)
        // The first row and the fourth are marked, nothing between (rows found wherever the header ends).
        let starred = c.lines.indices.filter { c.lines[$0].hasPrefix("*") }
        #expect(starred.count == 2 && starred.last! - starred.first! == 3, "\(c.lines.joined(separator: "\n"))")
        press(&s, .char("c"))
        guard case .confirm(let dialog) = s.overlay else { Issue.record("no confirmation: \(s.overlay)"); return }
        #expect(dialog.question == "Cancel 2 executions?")
        let yes = s.handle(.char("y"))
        #expect(yes.action == .cancelTagged(ids: [Fixtures.id(0), Fixtures.id(3)]))
        #expect(s.tagged.isEmpty)

        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        let sampler = Sampler(fake)
        sampler.perform(try #require(yes.action))
        sampler.drainQueue()
        for m in sampler.take() { s.apply(m) }
        #expect(fake.recorded.cancels == [Fixtures.id(0), Fixtures.id(3)])
        #expect(fake.recorded.audits == ["cancel-tagged 2 failed 0"])  // once for the operator's action
        #expect(s.message?.text == "cancel requested for 2 executions")
    }

    @Test func cancelAndRetryLeaveOutTheTaggedTheyDoNotFitAndSaySo() {
        var s = state()
        press(&s, .char(" "), .down, .char(" "), .down, .char(" "))  // running, succeeded, failed
        press(&s, .char("c"))
        guard case .confirm(let cancel) = s.overlay else { Issue.record("no confirmation"); return }
        #expect(cancel.question == "Cancel 1 execution? (2 tagged ones are already ended and left out.)")
        #expect(cancel.action == .cancelTagged(ids: [Fixtures.id(0)]))
        press(&s, .char("n"))
        #expect(s.tagged.count == 3)  // a no keeps the tags
        press(&s, .char("r"))
        guard case .confirm(let retry) = s.overlay else { Issue.record("no confirmation"); return }
        #expect(retry.action == .retryTagged(ids: [Fixtures.id(1), Fixtures.id(2)]))
        #expect(retry.question.hasPrefix("Retry 2 executions? (1 tagged one is not finished and left out.)"))
    }

    @Test func aTagsEveryRowTheFilterShowsUUntagsAndReadOnlyRefuses() {
        var s = state()
        press(&s, .char("/"), .char("f"), .char("a"), .char("i"), .char("l"), .enter, .char("a"))
        #expect(!s.tagged.isEmpty && s.tagged.count == s.visibleRows.count && s.visibleRows.count < 30)
        press(&s, .char("u"))
        #expect(s.tagged.isEmpty && s.message?.text == "no execution tagged")
        press(&s, .char(" "))
        s.readOnly = true
        press(&s, .char("c"))
        #expect(s.overlay == .none && s.message?.isError == true && s.message?.text.hasPrefix("read-only") == true)
        press(&s, .char("2"), .char(" "))
        #expect(s.message?.text == "tags are for executions: view 1")
    }

    @Test func withAnExecutionOpenCancelActsOnItAloneDespiteTags() {
        var s = state()
        press(&s, .char(" "), .down, .down, .down, .char(" "), .enter)
        s.apply(detail: Fixtures.detail(3))
        press(&s, .char("c"))
        guard case .confirm(let dialog) = s.overlay else { Issue.record("no confirmation"); return }
        #expect(dialog.action == .cancel(id: Fixtures.id(3)))
    }

    @Test func aFailedCancelAmongTheTaggedIsReportedWithTheCount() throws {
        let fake = FakeDataSource(snapshot: Fixtures.snapshot())
        fake.fail("gateway unreachable")
        let sampler = Sampler(fake)
        sampler.perform(.cancelTagged(ids: [Fixtures.id(0), Fixtures.id(3)]))
        sampler.drainQueue()
        guard case .actionDone(let text, let isError) = try #require(sampler.take().first) else { Issue.record("no outcome"); return }
        #expect(isError && text == "cancel 2 executions: 2 of 2 failed, first \(Fixtures.id(0)): gateway unreachable"
            + "; not audited: gateway unreachable")
    }
}
