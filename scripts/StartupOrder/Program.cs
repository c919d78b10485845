// Lays out the methods the server runs while it starts and answers its first /health together, at
// the front of the executable's code: Aot/StartupOrder.txt, ILC's method order file. Start-up calls
// methods from all over the image and the kernel maps each page fault's 64 KB neighbourhood, so an
// idle server had 10.7 of its 12 MB of code resident.
//
//   dotnet run --project scripts/StartupOrder             publishes, records three starts, rewrites the file
//   dotnet run --project scripts/StartupOrder -- --check  exits 1 when more than 2% of the code that
//                                                         ran (by size) is missing from the file
//   ... -- --check --binary artifacts/publish/skubber-push  records that binary instead of publishing
//                                                         (test.sh, which has just published it)
//
// Which methods run is recorded by first-calls.c, preloaded into the published server: a breakpoint
// on every managed method, taken once (see there). A method that runs only in some starts (a timer,
// a collection) is listed if it ran in any of the three. A stale list costs start-up memory, never
// correctness: ILC skips names it does not know and places unlisted methods after the listed ones.
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using SkubberPush.Bench;
using StartupOrder;

var check = args.Contains("--check");
var binaryOption = Array.IndexOf(args, "--binary");
var root = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", ".."));
var output = Path.Combine(root, "Aot", "StartupOrder.txt");
var work = Directory.CreateTempSubdirectory("skubber-startup-order");
try
{
    var binary = binaryOption >= 0 ? Path.GetFullPath(args[binaryOption + 1]) : Path.Combine(work.FullName, "publish", "skubber-push");
    if (binaryOption < 0)
        Shell.Run("dotnet", "publish", Path.Combine(root, "skubber-push.csproj"), "-c", "Release", "-r", "linux-x64",
            "-o", Path.GetDirectoryName(binary)!, "-nologo", "-clp:ErrorsOnly");
    var recorder = Path.Combine(work.FullName, "first-calls.so");
    Shell.Run("clang", "-shared", "-fPIC", "-O2", "-o", recorder, Path.Combine(SourceDirectory(), "first-calls.c"));

    // One breakpoint per address; aliases (several symbols on one body) share it.
    var methods = Symbols.ManagedFunctions(binary).GroupBy(f => f.Address).OrderBy(g => g.Key).ToList();
    var addresses = Path.Combine(work.FullName, "addresses");
    File.WriteAllBytes(addresses, methods.SelectMany(g => BitConverter.GetBytes(g.Key)).ToArray());

    var ran = new bool[methods.Count];
    for (var start = 0; start < 3; start++)
    {
        var hits = await FirstCalls.OfOneStartAsync(binary, recorder, addresses);
        for (var i = 0; i < ran.Length; i++)
            ran[i] |= hits[i] != 0;
    }
    var listed = methods.Where((_, i) => ran[i]).ToList();
    var ranBytes = listed.Sum(g => g.First().Size);
    if (!check)
    {
        File.WriteAllLines(output, listed.SelectMany(g => g.Select(f => f.Name)).Order(StringComparer.Ordinal));
        Console.WriteLine($"{listed.Count} of {methods.Count} methods ran ({ranBytes / 1024} KB of code); wrote {output}");
        return 0;
    }
    var current = File.Exists(output) ? File.ReadAllLines(output).ToHashSet() : [];
    var missingBytes = listed.Where(g => !g.Any(f => current.Contains(f.Name))).Sum(g => g.First().Size);
    Console.WriteLine($"{Path.GetFileName(output)}: {missingBytes / 1024} of the {ranBytes / 1024} KB of code that ran are not listed");
    if (missingBytes <= ranBytes / 50)
        return 0;
    Console.Error.WriteLine($"{output} is out of date: run `dotnet run --project scripts/StartupOrder` and commit it");
    return 1;
}
finally
{
    work.Delete(recursive: true);
}

static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

namespace StartupOrder
{
    /// <summary>Starts the server on a fresh data directory with first-calls.c preloaded and returns its hit bytes once it idles.</summary>
    static class FirstCalls
    {
        public static async Task<byte[]> OfOneStartAsync(string binary, string recorder, string addresses)
        {
            const int port = 5317;
            var hits = addresses + ".hits";
            File.WriteAllBytes(hits, new byte[new FileInfo(addresses).Length / 8]);
            using var server = new FreshServer(binary, port, new Dictionary<string, string>
            {
                ["LD_PRELOAD"] = recorder,
                ["FIRST_CALLS_ADDRESSES"] = addresses,
                ["FIRST_CALLS_HITS"] = hits,
            });
            await server.WaitHealthyAsync();
            // And one answer read to its end, as curl or a load balancer reads it: that
            // connection's teardown takes another path through Kestrel.
            using (var http = new HttpClient { DefaultRequestHeaders = { ConnectionClose = true } })
                await http.GetStringAsync($"http://127.0.0.1:{port}/health");
            await Task.Delay(1000); // idle, as the bench measures idle RSS
            return File.ReadAllBytes(hits);
        }
    }

    /// <summary>Function symbols of the managed code (sections __managedcode and __unbox), read from the unstripped skubber-push.dbg.</summary>
    static class Symbols
    {
        public static IEnumerable<(string Name, long Address, long Size)> ManagedFunctions(string binary)
        {
            var elf = new Elf(binary + ".dbg");
            var code = elf.Sections().Where(s => s.Name is "__managedcode" or "__unbox").ToList();
            return elf.Functions().Where(f => f.Size > 0 && code.Any(c => f.Address >= c.Address && f.Address < c.Address + c.Size));
        }
    }

    /// <summary>Just enough of ELF64: section headers and function symbols.</summary>
    sealed class Elf(string path)
    {
        private readonly byte[] _file = File.ReadAllBytes(path);

        public IEnumerable<(string Name, long Address, long Offset, long Size, int Type, int Link)> Sections()
        {
            long table = Long(0x28), count = BitConverter.ToUInt16(_file, 0x3C);
            var names = Long(table + BitConverter.ToUInt16(_file, 0x3E) * 64L + 24);
            for (var header = table; header < table + count * 64; header += 64)
                yield return (String(names + Int(header)), Long(header + 16), Long(header + 24), Long(header + 32), Int(header + 4), Int(header + 40));
        }

        public IEnumerable<(string Name, long Address, long Size)> Functions()
        {
            var sections = Sections().ToList();
            var symtab = sections.Single(s => s.Type == 2); // SHT_SYMTAB
            var strings = sections[symtab.Link].Offset;
            for (var entry = symtab.Offset; entry < symtab.Offset + symtab.Size; entry += 24)
            {
                if ((_file[entry + 4] & 0xF) == 2) // STT_FUNC
                    yield return (String(strings + Int(entry)), Long(entry + 8), Long(entry + 16));
            }
        }

        private long Long(long at) => BitConverter.ToInt64(_file, (int)at);
        private int Int(long at) => BitConverter.ToInt32(_file, (int)at);
        private string String(long at) => Encoding.ASCII.GetString(_file, (int)at, Array.IndexOf(_file, (byte)0, (int)at) - (int)at);
    }

    static class Shell
    {
        public static void Run(string file, params string[] arguments)
        {
            using var process = Process.Start(new ProcessStartInfo(file, arguments))!;
            process.WaitForExit();
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}");
        }
    }
}
