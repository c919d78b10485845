namespace SkubberPush.Channels;

/// <summary>
/// One event on its way to the subscribers of one channel. Each transport encodes it at most once
/// (the first subscriber of that transport pays, the rest reuse the bytes), whatever the number of
/// subscribers: the encodings are cached here, one slot per <see cref="IEventEncoder{T}"/>.
/// </summary>
public sealed class OutboundEvent(string channel, string eventName, string? data, string? userId = null, string? exceptSocketId = null)
{
    private readonly object?[] _encodings = new object?[EncodingSlots.Count];

    public string Channel { get; } = channel;
    public string Event { get; } = eventName;
    /// <summary>The JSON text relayed as <c>data</c>; null for events that carry none (cache miss).</summary>
    public string? Data { get; } = data;
    /// <summary>The sender's presence user id, on client events in presence channels only.</summary>
    public string? UserId { get; } = userId;
    /// <summary>The connection that must not receive this event (Pusher's <c>socket_id</c>).</summary>
    public string? ExceptSocketId { get; } = exceptSocketId;
    /// <summary>Replaces its channel's cached event: REST events on cache channels (client events never do).</summary>
    public bool StoreInCache { get; init; }

    public T Encode<T>(IEventEncoder<T> encoder) where T : class
    {
        ref var slot = ref _encodings[encoder.Slot];
        if (Volatile.Read(ref slot) is T cached)
            return cached;
        var encoded = encoder.Encode(this);
        // Two first subscribers may race; both encodings are equal, keep the first.
        return Interlocked.CompareExchange(ref slot, encoded, null) as T ?? encoded;
    }
}

/// <summary>Turns an event into one transport's wire form. Must be pure: it may run twice.</summary>
public interface IEventEncoder<out T> where T : class
{
    int Slot { get; }
    T Encode(OutboundEvent evt);
}

/// <summary>Cache slots of <see cref="OutboundEvent"/>, one per wire format.</summary>
public static class EncodingSlots
{
    public const int PusherFrame = 0;
    public const int HubMessage = 1;
    public const int HubJsonFrame = 2;
    public const int HubMessagePackFrame = 3;
    public const int Count = 4;
}
