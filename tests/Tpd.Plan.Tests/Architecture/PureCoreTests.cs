using System.Diagnostics;
using System.Reflection;
using Tpd.Core.Units;
using Tpd.Model.Estimate;
using Tpd.Simulation.Fleet;

namespace Tpd.Plan.Tests.Architecture;

/// <summary>
/// The one dependency rule of the pure core (Core, Model, Simulation, Plan): each references only the base library
/// and the core assemblies below it, and no method body touches files, the console, the network, the wall clock or
/// threads of its own. I/O lives in Tpd.Cli, Tpd.Bench, Tpd.Telemetry, Tpd.Twin and Tpd.Gateway. Plan sits above the
/// other three, so this project sees all four.
/// </summary>
public class PureCoreTests
{
    private static readonly string[] BaseLibrary =
    [
        "System.Runtime", "System.Collections", "System.Linq", "System.Text.Json", "System.Memory", "System.Runtime.InteropServices",
        "System.Text.Encodings.Web", "System.Runtime.Intrinsics", "System.Threading", "System.Collections.Concurrent",
        "System.Text.RegularExpressions", "netstandard",
    ];

    public static TheoryData<string, string[]> Layers => new()
    {
        { typeof(DataSize).Assembly.GetName().Name!, [] },
        { typeof(Estimator).Assembly.GetName().Name!, ["Tpd.Core"] },
        { typeof(Simulator).Assembly.GetName().Name!, ["Tpd.Core", "Tpd.Model"] },
        // Plan sizes candidates in parallel (Parallel.ForEach); that is its only extra.
        { typeof(Planner).Assembly.GetName().Name!, ["Tpd.Core", "Tpd.Model", "Tpd.Simulation", "System.Threading.Tasks.Parallel"] },
    };

    [Theory]
    [MemberData(nameof(Layers))]
    public void References_only_the_base_library_and_the_layers_below(string assembly, string[] below)
    {
        var references = Assembly.Load(assembly).GetReferencedAssemblies().Select(a => a.Name!).ToList();
        references.Where(r => !BaseLibrary.Contains(r) && !below.Contains(r))
            .ShouldBeEmpty($"{assembly} references {string.Join(", ", references)}");
    }

    [Theory]
    [MemberData(nameof(Layers))]
    public void Never_touches_files_console_network_clock_or_threads(string assembly, string[] below)
    {
        _ = below;
        var banned = new[]
        {
            typeof(File), typeof(FileStream), typeof(Directory), typeof(Console), typeof(System.Net.Http.HttpClient),
            typeof(Stopwatch), typeof(TimeProvider), typeof(Thread), typeof(Task),
        };
        var offenders = Assembly.Load(assembly).GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Cast<MethodBase>()
                .Concat(t.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)))
            .Where(m => m.GetMethodBody() is not null)
            .SelectMany(m => ReferencedTypes(m).Select(t => (Method: m, Type: t)))
            .Where(x => banned.Contains(x.Type))
            .Select(x => $"{x.Method.DeclaringType}.{x.Method.Name} uses {x.Type.Name}")
            .Distinct()
            .ToList();
        offenders.ShouldBeEmpty();
    }

    /// <summary>Types whose members a method body calls or creates, read from its IL (call, callvirt and newobj tokens).</summary>
    private static IEnumerable<Type> ReferencedTypes(MethodBase method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray() ?? [];
        var typeArgs = method.DeclaringType is { IsGenericType: true } d ? d.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73))
                continue;
            var token = BitConverter.ToInt32(il, i + 1);
            MemberInfo? member = null;
            try
            {
                member = method.Module.ResolveMember(token, typeArgs, methodArgs);
            }
            catch (ArgumentException)
            {
            }
            catch (BadImageFormatException)
            {
            }

            if (member?.DeclaringType is { } t)
                yield return t;
        }
    }
}
