using Microsoft.Extensions.Logging.Abstractions;
using SkubberPush.Channels;

namespace SkubberPush.Tests.Channels;

public sealed class OutboxSchedulerTests
{
    private sealed class Outbox(bool throws) : IScheduledOutbox
    {
        public TaskCompletionSource Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Shard => 0;

        public void WriteQueued(WriteBuffers buffers)
        {
            if (throws)
                throw new InvalidOperationException("a bug in one outbox");
            Written.TrySetResult();
        }
    }

    [Fact]
    public async Task An_outbox_that_throws_does_not_stop_its_shard()
    {
        using var scheduler = new OutboxScheduler(NullLogger<OutboxScheduler>.Instance);
        var broken = new Outbox(throws: true);
        var before = new Outbox(throws: false);
        var after = new Outbox(throws: false);
        scheduler.Schedule(before);
        scheduler.Schedule(broken);
        scheduler.Schedule(after);
        await Task.WhenAll(before.Written.Task, after.Written.Task).WaitAsync(TimeSpan.FromSeconds(5));

        var later = new Outbox(throws: false);
        scheduler.Schedule(later);
        await later.Written.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }

    private sealed class BlockingOutbox(int shard) : IScheduledOutbox
    {
        public ManualResetEventSlim Release { get; } = new();
        public TaskCompletionSource<Thread> Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Shard => shard;

        public void WriteQueued(WriteBuffers buffers)
        {
            Entered.TrySetResult(Thread.CurrentThread);
            Release.Wait(TimeSpan.FromSeconds(10));
        }
    }

    [Fact]
    public async Task Shards_write_on_threads_of_their_own_which_end_with_the_scheduler()
    {
        var scheduler = new OutboxScheduler(NullLogger<OutboxScheduler>.Instance);
        // One long write on every shard at once, as in a burst.
        var outboxes = Enumerable.Range(0, Environment.ProcessorCount).Select(_ => new BlockingOutbox(scheduler.NextShard())).ToList();
        outboxes.ForEach(scheduler.Schedule);
        var threads = await Task.WhenAll(outboxes.Select(o => o.Entered.Task)).WaitAsync(TimeSpan.FromSeconds(5));

        // The writes hold no thread-pool thread: the requests publishing a burst need them.
        Assert.All(threads, thread => Assert.False(thread.IsThreadPoolThread));
        Assert.Equal(outboxes.Count, threads.Distinct().Count());

        outboxes.ForEach(o => o.Release.Set());
        scheduler.Dispose();
        Assert.All(threads, thread => Assert.True(thread.Join(TimeSpan.FromSeconds(5)), $"{thread.Name} still runs"));
    }
}
