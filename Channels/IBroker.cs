namespace SkubberPush.Channels;

/// <summary>
/// Where published events and cluster-wide commands go. The local broker hands them straight to
/// this process's <see cref="ChannelRegistry"/>; a scale-out broker sends them to every node, each
/// of which then delivers to its own connections. Callers never talk to the registry directly for
/// publishing, so adding nodes does not reshape the core.
/// </summary>
public interface IBroker
{
    /// <summary>Delivers an event to the subscribers of its channel on every node.</summary>
    ValueTask PublishAsync(string appId, OutboundEvent evt, CancellationToken cancellationToken = default);

    /// <summary>Closes every connection signed in as the user, on every node.</summary>
    ValueTask TerminateUserAsync(string appId, string userId, CancellationToken cancellationToken = default);
}
