using System.Security.Cryptography;

namespace SkubberPush.Channels;

/// <summary>
/// Pusher socket ids, <c>{node}.{counter}</c>: a random node number per process and a counter,
/// so ids never repeat within a process and collide across nodes only if two nodes draw the same
/// 31-bit number.
/// </summary>
public sealed class SocketIdGenerator
{
    private readonly string _prefix = RandomNumberGenerator.GetInt32(1, int.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture) + ".";
    private long _counter;

    public string Next() => string.Concat(_prefix, Interlocked.Increment(ref _counter).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
