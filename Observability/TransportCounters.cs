using SkubberPush.Channels;

namespace SkubberPush.Observability;

/// <summary>The traffic of one app over one transport on this node.</summary>
public sealed class TransportCounters(string appId, string transport)
{
    private long _connected;
    private long _opened;
    private long _closed;

    public string AppId { get; } = appId;
    public string Transport { get; } = transport;
    public StripedCounter MessagesSent { get; } = new();
    public StripedCounter BytesSent { get; } = new();
    public StripedCounter MessagesReceived { get; } = new();
    public StripedCounter BytesReceived { get; } = new();

    public long Connected => Interlocked.Read(ref _connected);
    public long Opened => Interlocked.Read(ref _opened);
    public long Closed => Interlocked.Read(ref _closed);

    public void ConnectionOpened()
    {
        Interlocked.Increment(ref _opened);
        Interlocked.Increment(ref _connected);
    }

    public void ConnectionClosed()
    {
        Interlocked.Increment(ref _closed);
        Interlocked.Decrement(ref _connected);
    }

    public void Sent(int bytes)
    {
        MessagesSent.Add(1);
        BytesSent.Add(bytes);
    }

    public void Received(int bytes)
    {
        MessagesReceived.Add(1);
        BytesReceived.Add(bytes);
    }
}
