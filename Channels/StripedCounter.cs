using System.Runtime.InteropServices;

namespace SkubberPush.Channels;

/// <summary>
/// A counter for the delivery hot path: one cache line per CPU, so concurrent send loops never
/// contend on one memory location; summed only when metrics are scraped.
/// </summary>
public sealed class StripedCounter
{
    private readonly Cell[] _cells = new Cell[Environment.ProcessorCount];

    public void Add(long value) => Interlocked.Add(ref _cells[Thread.GetCurrentProcessorId() % _cells.Length].Value, value);

    public long Sum()
    {
        long sum = 0;
        for (var i = 0; i < _cells.Length; i++)
            sum += Volatile.Read(ref _cells[i].Value);
        return sum;
    }

    [StructLayout(LayoutKind.Explicit, Size = 64)]
    private struct Cell
    {
        [FieldOffset(0)] public long Value;
    }
}
