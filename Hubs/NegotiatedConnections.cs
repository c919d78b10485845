namespace SkubberPush.Hubs;

/// <summary>
/// The connections SignalR's <c>/push/negotiate</c> set up that may open their WebSocket on the
/// socket path (see <see cref="HubNegotiateCapture"/>): token → connection id, taken once. SignalR
/// keeps its own record of each until its disconnect timeout, so a client that falls back to SSE
/// or long polling still finds it there; an entry not taken within <see cref="Lifetime"/> is dropped.
/// </summary>
public sealed class NegotiatedConnections(TimeProvider time)
{
    /// <summary>SignalR's default disconnect timeout: a negotiated connection not started by then is gone there too.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(15);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (string ConnectionId, long Expires)> _pending = new(StringComparer.Ordinal);
    private readonly long _lifetimeTicks = (long)(Lifetime.TotalSeconds * time.TimestampFrequency);
    private long _nextSweep;

    public int Count => _pending.Count;

    public void Add(string token, string connectionId)
    {
        var now = time.GetTimestamp();
        _pending[token] = (connectionId, now + _lifetimeTicks);
        // Sweeping costs a pass over the entries, so it runs at most once per lifetime.
        if (now >= Interlocked.Read(ref _nextSweep))
        {
            Interlocked.Exchange(ref _nextSweep, now + _lifetimeTicks);
            foreach (var (key, entry) in _pending)
                if (entry.Expires <= now)
                    _pending.TryRemove(key, out _);
        }
    }

    /// <summary>The connection id negotiated for <paramref name="token"/>, once; false if unknown or expired.</summary>
    public bool TryTake(string token, out string connectionId)
    {
        connectionId = "";
        if (!_pending.TryRemove(token, out var entry) || entry.Expires <= time.GetTimestamp())
            return false;
        connectionId = entry.ConnectionId;
        return true;
    }
}
