using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Tpd.Telemetry.Prometheus;
using Tpd.TestKit;

namespace Tpd.Telemetry.Tests.Prometheus;

public class PrometheusTextParserPropertyTests
{
    private static string Escape(string v) =>
        v.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    [Fact]
    public void Escaped_label_values_and_finite_values_round_trip() =>
        Prop.ForAll(
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null).ToArbitrary(),
            ArbMap.Default.GeneratorFor<NormalFloat>().ToArbitrary(),
            (label, value) =>
            {
                var v = value.Get;
                var text = $"# TYPE m gauge\nm{{a=\"{Escape(label)}\",b=\"x\"}} {v.ToString("R", CultureInfo.InvariantCulture)}";
                var s = PrometheusTextParser.Parse(text).Samples("m").Single();
                return s.Label("a") == label && s.Label("b") == "x" && s.Value.Equals(v);
            }).Check(PropertyConfig.Default);
}
