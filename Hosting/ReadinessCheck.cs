using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace SkubberPush.Hosting;

/// <summary><c>/ready</c>: unhealthy until the server has started and again once it drains.</summary>
public sealed class ReadinessCheck(ServerState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state.Ready ? HealthCheckResult.Healthy("ready")
            : HealthCheckResult.Unhealthy(state.Draining ? "draining" : "starting"));
}
