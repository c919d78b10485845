using SkubberPush.Channels;

namespace SkubberPush.Pusher;

/// <summary>
/// An event as one Pusher frame. Built once per event, at the first Pusher subscriber; every other
/// Pusher subscriber sends the same byte array.
/// </summary>
public sealed class PusherFrameEncoder : IEventEncoder<byte[]>
{
    public static PusherFrameEncoder Instance { get; } = new();

    public int Slot => EncodingSlots.PusherFrame;

    public byte[] Encode(OutboundEvent evt) => PusherFrames.Frame(evt.Event, evt.Channel, evt.Data, evt.UserId);
}
