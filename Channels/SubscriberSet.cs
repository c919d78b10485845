namespace SkubberPush.Channels;

/// <summary>
/// Copy-on-write subscriber array: the fan-out path reads it without a lock or an enumerator;
/// writers (subscribe, unsubscribe) are rarer and already serialized by their owner's lock.
/// </summary>
internal sealed class SubscriberSet
{
    private Subscriber[] _items = [];

    public Subscriber[] Snapshot => Volatile.Read(ref _items);

    public int Count => Volatile.Read(ref _items).Length;

    /// <summary>Adds under the owner's lock; returns the new count (1 means the set was empty).</summary>
    public int Add(Subscriber subscriber)
    {
        var current = _items;
        var next = new Subscriber[current.Length + 1];
        current.CopyTo(next, 0);
        next[^1] = subscriber;
        Volatile.Write(ref _items, next);
        return next.Length;
    }

    /// <summary>Removes under the owner's lock; returns the new count, or -1 when it was absent.</summary>
    public int Remove(Subscriber subscriber)
    {
        var current = _items;
        var index = Array.IndexOf(current, subscriber);
        if (index < 0)
            return -1;
        var next = new Subscriber[current.Length - 1];
        Array.Copy(current, 0, next, 0, index);
        Array.Copy(current, index + 1, next, index, current.Length - index - 1);
        Volatile.Write(ref _items, next);
        return next.Length;
    }
}
