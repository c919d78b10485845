using System.Threading.RateLimiting;
using SkubberPush.Apps;

namespace SkubberPush.Limits;

/// <summary>Each app's REST trigger rate (<c>--max-triggers-per-second</c>), one token bucket per app.</summary>
public sealed class TriggerRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<(string App, int PerSecond)> _buckets = PartitionedRateLimiter.Create<(string App, int PerSecond), (string, int)>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, static k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = k.Item2,
            TokensPerPeriod = k.Item2,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        }));

    public bool TryAcquire(PushApp app)
    {
        if (app.Limits.MaxTriggersPerSecond <= 0)
            return true;
        using var lease = _buckets.AttemptAcquire((app.Id, app.Limits.MaxTriggersPerSecond));
        return lease.IsAcquired;
    }

    public void Dispose() => _buckets.Dispose();
}
