using System.Collections.Concurrent;

namespace SkubberPush.Pusher;

/// <summary>The live Pusher connections of this process, for the activity monitor (and draining).</summary>
public sealed class PusherConnections
{
    private readonly ConcurrentDictionary<string, PusherConnection> _open = new(StringComparer.Ordinal);

    public int Count => _open.Count;

    public void Add(PusherConnection connection) => _open[connection.SocketId] = connection;

    public void Remove(PusherConnection connection) => _open.TryRemove(connection.SocketId, out _);

    public IEnumerable<PusherConnection> All => _open.Values;
}
