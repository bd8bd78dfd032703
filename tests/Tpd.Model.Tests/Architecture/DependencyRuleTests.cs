using System.Reflection;
using Tpd.Core.Units;
using Tpd.Model.Estimate;

namespace Tpd.Model.Tests.Architecture;

/// <summary>
/// The pure core (units, catalog, model) references nothing but the base library: no console, no command-line
/// parser, no ASP.NET, no HTTP. I/O lives in Tpd.Cli, Tpd.Bench, Tpd.Telemetry and Tpd.Serving.
/// </summary>
public class DependencyRuleTests
{
    [Theory]
    [InlineData(typeof(DataSize))]
    [InlineData(typeof(Estimator))]
    public void Pure_core_assemblies_reference_only_the_base_library_and_each_other(Type anchor)
    {
        var allowed = new[] { "System.Runtime", "System.Collections", "System.Linq", "System.Text.Json", "System.Memory", "System.Runtime.InteropServices", "System.Text.Encodings.Web", "System.Runtime.Intrinsics", "System.Threading", "System.Collections.Concurrent", "System.Text.RegularExpressions", "netstandard", "Tpd.Core", "Tpd.Model" };
        var references = anchor.Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToList();
        references.Where(r => !allowed.Contains(r)).ShouldBeEmpty($"{anchor.Assembly.GetName().Name} references {string.Join(", ", references)}");
    }

    [Theory]
    [InlineData(typeof(DataSize))]
    [InlineData(typeof(Estimator))]
    public void Pure_core_never_touches_files_console_or_network(Type anchor)
    {
        var banned = new[] { typeof(File), typeof(Console), typeof(Directory), typeof(System.Net.Http.HttpClient) };
        var offenders = anchor.Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => m.GetMethodBody() is not null)
            .SelectMany(m => ReferencedTypes(m).Select(t => (Method: m, Type: t)))
            .Where(x => banned.Contains(x.Type))
            .Select(x => $"{x.Method.DeclaringType}.{x.Method.Name} uses {x.Type.Name}")
            .Distinct()
            .ToList();
        offenders.ShouldBeEmpty();
    }

    /// <summary>Types whose members a method body calls, read from its IL (call and callvirt tokens).</summary>
    private static IEnumerable<Type> ReferencedTypes(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray() ?? [];
        for (var i = 0; i + 4 < il.Length; i++)
        {
            if (il[i] is not (0x28 or 0x6F or 0x73))
                continue;
            var token = BitConverter.ToInt32(il, i + 1);
            MemberInfo? member = null;
            try
            {
                member = method.Module.ResolveMember(token, method.DeclaringType?.GetGenericArguments(), method.GetGenericArguments());
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
