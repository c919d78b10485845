namespace SkubberPush.Channels;

/// <summary>
/// A connection's channel memberships, keyed by channel name. Most connections are in a handful
/// of channels, so the first few sit in a small array searched in order (tens of bytes instead of
/// a dictionary's few hundred per idle connection); past <see cref="SmallLimit"/> they move to a
/// dictionary, so a client in many channels is not searched linearly. Not thread-safe: the owner
/// holds its lock.
/// </summary>
internal struct MembershipTable
{
    private const int SmallLimit = 8;

    private Membership[]? _small;
    private int _count;
    private Dictionary<string, Membership>? _large;

    public readonly bool TryGet(string channel, out Membership membership)
    {
        if (_large is not null)
            return _large.TryGetValue(channel, out membership);
        var index = IndexOf(channel);
        membership = index < 0 ? default : _small![index];
        return index >= 0;
    }

    public void Set(Membership membership)
    {
        var name = membership.Channel.Name.Value;
        if (_large is not null)
        {
            _large[name] = membership;
            return;
        }
        var index = IndexOf(name);
        if (index >= 0)
        {
            _small![index] = membership;
            return;
        }
        if (_count == SmallLimit)
        {
            _large = new Dictionary<string, Membership>(2 * SmallLimit, StringComparer.Ordinal);
            foreach (var existing in _small.AsSpan(0, _count))
                _large[existing.Channel.Name.Value] = existing;
            _large[name] = membership;
            (_small, _count) = (null, 0);
            return;
        }
        if (_small is null || _count == _small.Length)
            Array.Resize(ref _small, Math.Max(2, 2 * _count));
        _small[_count++] = membership;
    }

    public bool Remove(string channel)
    {
        if (_large is not null)
            return _large.Remove(channel);
        var index = IndexOf(channel);
        if (index < 0)
            return false;
        _small![index] = _small[--_count];
        _small[_count] = default;
        return true;
    }

    public readonly Membership[] ToArray() => _large is not null ? [.. _large.Values] : _small.AsSpan(0, _count).ToArray();

    private readonly int IndexOf(string channel)
    {
        for (var i = 0; i < _count; i++)
        {
            if (string.Equals(_small![i].Channel.Name.Value, channel, StringComparison.Ordinal))
                return i;
        }
        return -1;
    }
}
