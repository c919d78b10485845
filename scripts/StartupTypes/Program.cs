// Lists the closed generic types that dependency injection builds while the server starts and
// answers its first /health, and writes them as ILC runtime directives (Aot/StartupTypes.rd.xml).
// Under Native AOT each such type (IOptions<KestrelServerOptions>, ILogger<Host>,
// IEnumerable<IConfigureOptions<...>> and its items...) is otherwise assembled by the runtime type
// loader at start, which was half of the start-up time; listed, the compiler builds them ahead.
//
//   dotnet run --project scripts/StartupTypes            rewrites the file
//   dotnet run --project scripts/StartupTypes -- --check  exits 1 when the file is out of date
//
// It runs the server's real Main (JIT, in this process) on a free loopback port with a temporary
// data directory, with the DI event source on; the event's call-site tree names every type.
using System.Diagnostics.Tracing;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using StartupTypes;

var check = args.Contains("--check");
var output = Path.Combine(RepositoryRoot(), "Aot", "StartupTypes.rd.xml");
using var listener = new CallSiteListener();

var port = FreePort();
var dataDirectory = Directory.CreateTempSubdirectory("skubber-startup-types");
Environment.SetEnvironmentVariable("Logging__LogLevel__Default", "Warning");
Environment.SetEnvironmentVariable("SKUBBER_APP_ID", "1");
Environment.SetEnvironmentVariable("SKUBBER_APP_KEY", "startup-types");
Environment.SetEnvironmentVariable("SKUBBER_APP_SECRET", "startup-types-secret-0123456789abcdefghijklmnopq");
var server = typeof(SkubberPush.Apps.AppStore).Assembly.EntryPoint!;
_ = Task.Run(() => server.Invoke(null, [new[] { "--urls", $"http://127.0.0.1:{port}", "--data-dir", dataDirectory.FullName }]));

using var http = new HttpClient();
for (var started = DateTime.UtcNow; ; await Task.Delay(20))
{
    try
    {
        if ((await http.GetAsync($"http://127.0.0.1:{port}/health")).StatusCode == HttpStatusCode.OK)
            break;
    }
    catch (HttpRequestException) when (DateTime.UtcNow - started < TimeSpan.FromSeconds(30))
    {
    }
}

var directives = RuntimeDirectives.Write(listener.ClosedGenericTypes());
var current = File.Exists(output) ? File.ReadAllText(output) : "";
if (check)
{
    if (current == directives)
    {
        Console.WriteLine($"{Path.GetFileName(output)} is current");
        Exit(0);
    }
    Console.Error.WriteLine($"{output} is out of date: run `dotnet run --project scripts/StartupTypes` and commit it");
    Exit(1);
}
File.WriteAllText(output, directives);
Console.WriteLine($"wrote {output}");
Exit(0);

// The server runs in this process until it ends; its data directory goes with it.
void Exit(int code)
{
    dataDirectory.Delete(recursive: true);
    Environment.Exit(code);
}

// The directory holding skubber-push.csproj, above this tool's bin folder.
static string RepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "skubber-push.csproj")))
            return directory.FullName;
    }
    throw new InvalidOperationException($"no skubber-push.csproj above {AppContext.BaseDirectory}");
}

static int FreePort()
{
    using var socket = new TcpListener(IPAddress.Loopback, 0);
    socket.Start();
    return ((IPEndPoint)socket.LocalEndpoint).Port;
}

namespace StartupTypes
{
    /// <summary>Collects every type named in DI's CallSiteBuilt events.</summary>
    sealed class CallSiteListener : EventListener
    {
        private readonly List<string> _callSites = [];

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Extensions-DependencyInjection")
                EnableEvents(source, EventLevel.Verbose, EventKeywords.All);
        }

        // Long call sites arrive in chunks: (serviceType, callSite, chunkIndex, chunkCount, provider).
        private readonly Dictionary<(string, int), StringBuilder> _partial = [];

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName != "CallSiteBuilt" || e.Payload is not [string service, string chunk, int index, int count, int provider])
                return;
            lock (_callSites)
            {
                var key = (service, provider);
                if (index == 0)
                    _partial[key] = new StringBuilder();
                _partial[key].Append(chunk);
                if (index == count - 1 && _partial.Remove(key, out var whole))
                    _callSites.Add(whole.ToString());
            }
        }

        public IEnumerable<Type> ClosedGenericTypes()
        {
            string[] callSites;
            lock (_callSites) callSites = [.. _callSites];
            var names = new HashSet<string>();
            foreach (var callSite in callSites)
            {
                using var json = JsonDocument.Parse(callSite);
                Collect(json.RootElement, names);
            }
            return names.Select(TypeNames.Resolve).Where(type => type.IsConstructedGenericType).Distinct();
        }

        private static void Collect(JsonElement element, HashSet<string> names)
        {
            if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in element.EnumerateArray())
                    Collect(item, names);
                return;
            }
            if (element.ValueKind != JsonValueKind.Object)
                return;
            foreach (var property in element.EnumerateObject())
            {
                if (property.Name is "serviceType" or "implementationType" or "itemType" && property.Value.ValueKind == JsonValueKind.String)
                    names.Add(property.Value.GetString()!);
                else
                    Collect(property.Value, names);
            }
        }
    }

    /// <summary>Turns DI's type names (<c>Ns.Type`1[Ns.Arg]</c>, no assemblies) back into types.</summary>
    static class TypeNames
    {
        private static readonly Dictionary<string, Type> Loaded = AppDomain.CurrentDomain.GetAssemblies()
            .SelectMany(assembly => { try { return assembly.GetTypes(); } catch (System.Reflection.ReflectionTypeLoadException e) { return e.Types.OfType<Type>(); } })
            .Where(type => type.FullName is not null)
            .GroupBy(type => type.FullName!)
            .ToDictionary(group => group.Key, group => group.First());

        public static Type Resolve(string name)
        {
            var position = 0;
            var type = Parse(name, ref position);
            return position == name.Length ? type : throw new FormatException($"unexpected text after a type name: {name}");
        }

        private static Type Parse(string name, ref int position)
        {
            var start = position;
            while (position < name.Length && name[position] is not ('[' or ']' or ','))
                position++;
            var definition = Loaded.TryGetValue(name[start..position], out var found)
                ? found
                : throw new InvalidOperationException($"type {name[start..position]} is not loaded");
            if (position == name.Length || name[position] != '[' || !definition.IsGenericTypeDefinition)
                return definition;
            position++; // [
            var arguments = new List<Type>();
            while (true)
            {
                arguments.Add(Parse(name, ref position));
                if (name[position++] == ']')
                    return definition.MakeGenericType([.. arguments]);
            }
        }
    }

    /// <summary>ILC's rd.xml: one Type entry per instantiation, grouped by its definition's assembly.</summary>
    static class RuntimeDirectives
    {
        public static string Write(IEnumerable<Type> types)
        {
            var text = new StringBuilder();
            text.Append("""
                <!-- Generated by scripts/StartupTypes (see its Program.cs): the closed generic types DI builds
                     at start-up, compiled ahead so the runtime type loader need not assemble them. -->
                <Directives xmlns="http://schemas.microsoft.com/netfx/2013/01/metadata">
                  <Application>

                """);
            foreach (var assembly in types.GroupBy(type => Assembly(type.GetGenericTypeDefinition())).OrderBy(group => group.Key, StringComparer.Ordinal))
            {
                text.Append($"    <Assembly Name=\"{assembly.Key}\">\n");
                foreach (var name in assembly.Select(Name).Order(StringComparer.Ordinal))
                    text.Append($"      <Type Name=\"{name}\" Dynamic=\"Required All\" />\n");
                text.Append("    </Assembly>\n");
            }
            text.Append("  </Application>\n</Directives>\n");
            return text.ToString();
        }

        private static string Assembly(Type type) => type.Assembly.GetName().Name!;

        // Ns.Type`1[[Ns.Arg, Assembly]]: arguments carry their assembly, the outer type its Assembly element.
        private static string Name(Type type) => type.IsConstructedGenericType
            ? $"{type.GetGenericTypeDefinition().FullName}[{string.Join(",", type.GetGenericArguments().Select(a => $"[{Name(a)}, {Assembly(a)}]"))}]"
            : type.FullName!;
    }
}
