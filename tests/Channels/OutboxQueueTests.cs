using SkubberPush.Channels;

namespace SkubberPush.Tests.Channels;

public sealed class OutboxQueueTests : IDisposable
{
    private readonly OutboxScheduler _scheduler = new(Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxScheduler>.Instance);

    public void Dispose() => _scheduler.Dispose();

    /// <summary>An outbox whose shard turns are counted; each turn takes one item, and says it is done unless told to hold on.</summary>
    private sealed class CountingOutbox : IScheduledOutbox
    {
        private int _turns;
        public OutboxQueue<int> Queue = null!;
        public List<int> Taken { get; } = [];
        public bool GoAsync { get; set; }
        public int Shard => 0;
        public int Turns => Volatile.Read(ref _turns);
        public SemaphoreSlim TurnTaken { get; } = new(0);

        public void WriteQueued(WriteBuffers buffers)
        {
            Interlocked.Increment(ref _turns);
            if (Queue.TryTake(out var item))
                lock (Taken) Taken.Add(item);
            if (GoAsync)
                Queue.WriteGoesAsync();
            else
                Queue.Written();
            TurnTaken.Release();
        }
    }

    private CountingOutbox Outbox(int capacity = 10, bool held = false)
    {
        var outbox = new CountingOutbox();
        outbox.Queue = new OutboxQueue<int>(outbox, _scheduler, capacity, held);
        return outbox;
    }

    private static async Task TurnsAsync(CountingOutbox outbox, int turns)
    {
        for (var i = 0; i < turns; i++)
            Assert.True(await outbox.TurnTaken.WaitAsync(TimeSpan.FromSeconds(5)));
        await Task.Delay(100); // no further turn may follow
    }

    [Fact]
    public async Task Items_go_out_in_order_one_turn_at_a_time_until_none_is_left()
    {
        var outbox = Outbox();
        outbox.GoAsync = true; // holds the first turn open while the rest are added
        for (var i = 1; i <= 3; i++)
            Assert.Equal(OutboxResult.Queued, outbox.Queue.Add(i));
        await TurnsAsync(outbox, 1);
        Assert.Equal(1, outbox.Turns); // adding to a busy outbox does not schedule it again
        outbox.GoAsync = false;
        outbox.Queue.Written();
        await TurnsAsync(outbox, 2);
        Assert.Equal([1, 2, 3], outbox.Taken);
        Assert.Equal(3, outbox.Turns);
        await outbox.Queue.WhenDrained().WaitAsync(TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task A_held_queue_sends_nothing_until_released()
    {
        var outbox = Outbox(held: true);
        outbox.Queue.Add(7);
        await Task.Delay(100);
        Assert.Equal(0, outbox.Turns);
        outbox.Queue.Release();
        await TurnsAsync(outbox, 1);
        Assert.Equal([7], outbox.Taken);
    }

    [Fact]
    public void Bounds_finals_and_aborts()
    {
        var outbox = Outbox(capacity: 2, held: true);
        Assert.Equal(OutboxResult.Queued, outbox.Queue.Add(1));
        Assert.Equal(OutboxResult.Queued, outbox.Queue.Add(2));
        Assert.Equal(OutboxResult.Full, outbox.Queue.Add(3));
        Assert.Equal(OutboxResult.Queued, outbox.Queue.Add(4, bounded: false, final: true));
        Assert.Equal(OutboxResult.Closed, outbox.Queue.Add(5, bounded: false));

        Assert.True(outbox.Queue.Abort(out var dropped));
        Assert.Equal([1, 2, 4], dropped);
        Assert.False(outbox.Queue.Abort(out _)); // reported once
        Assert.True(outbox.Queue.WhenDrained().IsCompleted);
    }

    [Fact]
    public void Take_fills_up_to_the_budget_but_always_takes_the_first()
    {
        var outbox = Outbox(held: true);
        foreach (var weight in new[] { 50, 30, 30, 10 })
            outbox.Queue.Add(weight);
        var into = new int[8];
        Assert.Equal(2, outbox.Queue.Take(into, static w => w, budget: 90));
        Assert.Equal([50, 30], into[..2]);
        Assert.Equal(1, outbox.Queue.Take(into, static w => w, budget: 10)); // over budget, but first
        Assert.Equal(30, into[0]);
    }
}
