using System.Globalization;
using System.Text;
using Tpd.Plan.Result;

namespace Tpd.Cli.Rendering;

/// <summary>Every ranked configuration as CSV (the file is the one I/O place of `plan --csv`).</summary>
internal static class PlanCsv
{
    public static void Write(string path, PlanResult result)
    {
        var sb = new StringBuilder();
        sb.AppendLine("rank,configuration,gpu,tensor_parallel,weights,kv,replicas,gpus,capacity_per_replica,dollars_per_hour,dollars_per_million_output_tokens,dollars_per_user_month,tokens_per_second_per_user,headroom,bottleneck");
        foreach (var c in result.Ranked)
        {
            var r = PlanJson.Row(c);
            sb.AppendLine(string.Join(',',
                r.Rank.ToString(CultureInfo.InvariantCulture), Quote(r.Configuration), r.Gpu, r.TensorParallel.ToString(CultureInfo.InvariantCulture), r.Weights, r.Kv,
                r.Replicas.ToString(CultureInfo.InvariantCulture), r.Gpus.ToString(CultureInfo.InvariantCulture), N(r.CapacityPerReplica), N(r.DollarsPerHour),
                N(r.DollarsPerMillionOutputTokens), r.DollarsPerUserMonth is { } m ? N(m) : "", N(r.TokensPerSecondPerUser), N(r.Headroom), r.Bottleneck));
        }

        File.WriteAllText(path, sb.ToString());
    }

    private static string N(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string s) => "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
