using System.Collections.Concurrent;

namespace SkubberPush.Channels;

/// <summary>
/// Last event per cache channel (pusher-compat §5.5). It outlives the channel's subscribers until
/// its TTL ends; expired entries are dropped when read and swept at most once a minute on writes.
/// </summary>
internal sealed class CacheChannelStore(TimeProvider time, TimeSpan ttl)
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);
    private readonly ConcurrentDictionary<string, CachedEvent> _events = new(StringComparer.Ordinal);
    private long _nextSweepTicks;

    public void Store(OutboundEvent evt)
    {
        var now = time.GetUtcNow();
        _events[evt.Channel] = new CachedEvent(evt.Event, evt.Data, now + ttl);
        if (now.UtcTicks >= Interlocked.Read(ref _nextSweepTicks))
            Sweep(now);
    }

    public bool TryGet(string channel, out CachedEvent cached)
    {
        if (_events.TryGetValue(channel, out cached!))
        {
            if (cached.ExpiresAt > time.GetUtcNow())
                return true;
            _events.TryRemove(KeyValuePair.Create(channel, cached));
        }
        return false;
    }

    private void Sweep(DateTimeOffset now)
    {
        Interlocked.Exchange(ref _nextSweepTicks, (now + SweepInterval).UtcTicks);
        foreach (var entry in _events)
            if (entry.Value.ExpiresAt <= now)
                _events.TryRemove(entry);
    }
}
