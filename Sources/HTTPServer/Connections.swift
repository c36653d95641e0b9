import NIOConcurrencyHelpers
import NIOCore

/// Every open connection of one server, to hold the cap: which ones have a request under way and
/// since when the others have waited.
final class Connections: Sendable {
    private struct Entry {
        var channel: any Channel
        var busy: Bool
        var waitingSince: NIODeadline
    }

    private struct State {
        var entries: [ObjectIdentifier: Entry] = [:]
        var closed = false
    }

    private let state = NIOLockedValueBox(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    var count: Int { state.withLockedValue { $0.entries.count } }

    enum Admission { case admitted, evicting(any Channel), refused }

    /// Registers a new connection; at the cap, names the connection that makes room for it.
    func admit(_ channel: any Channel) -> Admission {
        state.withLockedValue { state in
            if state.closed { return .refused }
            var admission = Admission.admitted
            if state.entries.count >= limit {
                var oldest: (ObjectIdentifier, Entry)?
                for (id, entry) in state.entries where !entry.busy {
                    if oldest == nil || entry.waitingSince < oldest!.1.waitingSince { oldest = (id, entry) }
                }
                guard let (id, victim) = oldest else { return .refused }
                state.entries.removeValue(forKey: id)
                admission = .evicting(victim.channel)
            }
            state.entries[ObjectIdentifier(channel)] = Entry(channel: channel, busy: false, waitingSince: .now())
            return admission
        }
    }

    func setBusy(_ channel: any Channel, _ busy: Bool) {
        let id = ObjectIdentifier(channel)
        state.withLockedValue { state in
            guard state.entries[id] != nil else { return }
            state.entries[id]!.busy = busy
            if !busy { state.entries[id]!.waitingSince = .now() }
        }
    }

    func remove(_ channel: any Channel) {
        _ = state.withLockedValue { $0.entries.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Stops admitting and returns every open connection, to be closed.
    func closeAll() -> [any Channel] {
        state.withLockedValue { state in
            state.closed = true
            return state.entries.values.map(\.channel)
        }
    }
}
