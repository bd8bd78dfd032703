using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tpd.Telemetry.Doctor;

/// <summary>
/// `--json` output: snake_case names with the unit in the name where there is one
/// (<c>slowdown_fraction</c>, <c>added_cost_per_token_fraction</c>), severities as lower-case strings,
/// absent estimates omitted. Source-generated, so it works trimmed.
/// </summary>
public static class DoctorJson
{
    public static string Serialize(DoctorReport report) =>
        JsonSerializer.Serialize(report, DoctorJsonContext.Default.DoctorReport);

    public static DoctorReportDocument? Deserialize(string json) =>
        JsonSerializer.Deserialize(json, DoctorJsonContext.Default.DoctorReportDocument);
}

/// <summary>The wire shape read back (computed members become plain fields).</summary>
public sealed record DoctorReportDocument(int ExitCode, IReadOnlyList<FindingDocument> Findings);

public sealed record FindingDocument(
    string Id, Severity Severity, string Subject, string Title, IReadOnlyList<Evidence> Evidence,
    double? SlowdownFraction, double? AddedCostPerTokenFraction, string Fix, string? Note);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(DoctorReport))]
[JsonSerializable(typeof(DoctorReportDocument))]
internal sealed partial class DoctorJsonContext : JsonSerializerContext;
