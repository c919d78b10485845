using Microsoft.AspNetCore.SignalR.Protocol;
using SkubberPush.Channels;
using SkubberPush.Sockets;

namespace SkubberPush.Hubs;

/// <summary>
/// An event as a whole WebSocket frame carrying its hub <c>event</c> invocation in one hub protocol:
/// a text frame for JSON, a binary one for MessagePack. Built once per event and protocol from the
/// event's <see cref="HubEventEncoder"/> message; every <see cref="HubSocketSubscriber"/> queues the same bytes.
/// </summary>
public sealed class HubFrameEncoder : IEventEncoder<byte[]>
{
    private static HubFrameEncoder? s_json;
    private static HubFrameEncoder? s_messagePack;

    private readonly IHubProtocol _protocol;
    private readonly bool _binary;

    private HubFrameEncoder(IHubProtocol protocol, int slot)
    {
        _protocol = protocol;
        _binary = protocol.TransferFormat == Microsoft.AspNetCore.Connections.TransferFormat.Binary;
        Slot = slot;
    }

    public int Slot { get; }

    /// <summary>The encoder for a connection's protocol: JSON and MessagePack are the hub's two (contract §3).</summary>
    public static HubFrameEncoder For(IHubProtocol protocol) => protocol.Name switch
    {
        "json" => s_json ??= new HubFrameEncoder(protocol, EncodingSlots.HubJsonFrame),
        "messagepack" => s_messagePack ??= new HubFrameEncoder(protocol, EncodingSlots.HubMessagePackFrame),
        _ => throw new NotSupportedException($"Hub protocol {protocol.Name} is not served on the socket path"),
    };

    public byte[] Encode(OutboundEvent evt) => Frame(evt.Encode(HubEventEncoder.Instance).GetSerializedMessage(_protocol).Span);

    /// <summary>One or more serialized hub messages as one frame of this protocol's kind.</summary>
    public byte[] Frame(ReadOnlySpan<byte> messages) => WebSocketFrames.Message(messages, _binary);
}
