using System.Collections.Frozen;

namespace SkubberPush.Apps;

/// <summary>
/// The apps as the request paths see them: an immutable snapshot indexed by id and by key, swapped
/// whole on reload, so lookups never touch SQLite or take a lock.
/// </summary>
public sealed class AppCatalog(AppStore store)
{
    private Snapshot _snapshot = Snapshot.Empty;

    public AppStore Store => store;

    public int Count => Volatile.Read(ref _snapshot).ById.Count;

    public bool TryGetById(string id, out PushApp app) => Volatile.Read(ref _snapshot).ById.TryGetValue(id, out app!);

    public bool TryGetByKey(string key, out PushApp app) => Volatile.Read(ref _snapshot).ByKey.TryGetValue(key, out app!);

    public void Reload()
    {
        var apps = store.List();
        Volatile.Write(ref _snapshot, new Snapshot(
            apps.ToFrozenDictionary(a => a.Id, StringComparer.Ordinal),
            apps.ToFrozenDictionary(a => a.Key, StringComparer.Ordinal)));
    }

    private sealed record Snapshot(FrozenDictionary<string, PushApp> ById, FrozenDictionary<string, PushApp> ByKey)
    {
        public static Snapshot Empty { get; } = new(FrozenDictionary<string, PushApp>.Empty, FrozenDictionary<string, PushApp>.Empty);
    }
}
