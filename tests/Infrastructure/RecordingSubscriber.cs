using System.Collections.Concurrent;
using SkubberPush.Channels;

namespace SkubberPush.Tests.Infrastructure;

/// <summary>An in-memory connection: records what the core delivers to it.</summary>
public sealed class RecordingSubscriber(string socketId) : Subscriber(socketId)
{
    public ConcurrentQueue<OutboundEvent> Received { get; } = new();

    public int Terminations;
    public int Reconnects;

    public override void Deliver(OutboundEvent evt) => Received.Enqueue(evt);

    public override void Terminate() => Interlocked.Increment(ref Terminations);

    public override void Reconnect() => Interlocked.Increment(ref Reconnects);

    public string[] EventNames(string? channel = null) =>
        [.. Received.Where(e => channel is null || e.Channel == channel).Select(e => e.Event)];

    public OutboundEvent Last(string eventName) => Received.Last(e => e.Event == eventName);
}
