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
}
