using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace SkubberPush.Channels;

/// <summary>The channel space of this process: one <see cref="AppChannels"/> per app id.</summary>
public sealed class ChannelRegistry(TimeProvider time, IOptions<ChannelOptions> options, IChannelObserver? observer = null)
{
    private readonly ConcurrentDictionary<string, AppChannels> _apps = new(StringComparer.Ordinal);
    private readonly TimeProvider _time = time;
    private readonly ChannelOptions _options = options.Value;
    private readonly IChannelObserver _observer = observer ?? NullChannelObserver.Instance;

    public ICollection<AppChannels> Apps => _apps.Values;

    public AppChannels For(string appId) =>
        _apps.GetOrAdd(appId, static (id, self) => new AppChannels(id, self._time, self._options, self._observer), this);
}
