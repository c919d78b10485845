using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Channels;
using static System.StringComparison;

namespace SkubberPush.Hubs;

/// <summary>
/// An event as the hub's <c>event(channel, event, data, userId)</c> invocation. One
/// <see cref="SerializedHubMessage"/> per event: it serializes once per hub protocol (JSON,
/// MessagePack) at the first write and every subscriber writes the same bytes.
/// </summary>
public sealed class HubEventEncoder : IEventEncoder<SerializedHubMessage>
{
    public const string EventMethod = "event";
    public static HubEventEncoder Instance { get; } = new();

    public int Slot => EncodingSlots.HubMessage;

    public SerializedHubMessage Encode(OutboundEvent evt) =>
        new(new InvocationMessage(EventMethod, [evt.Channel, HubName(evt.Event), evt.Data, evt.UserId]));

    /// <summary>Hub clients see Pusher's public names: <c>pusher_internal:x</c> arrives as <c>pusher:x</c>.</summary>
    public static string HubName(string eventName) =>
        eventName.StartsWith("pusher_internal:", Ordinal) ? string.Concat("pusher:", eventName.AsSpan("pusher_internal:".Length)) : eventName;
}
