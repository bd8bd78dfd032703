using System.Text.Json.Serialization;
using Tpd.Core.Measurement;

namespace Tpd.Bench.Records;

/// <summary>
/// JSON of request records: snake_case, so the unit sits in the field name ("send_seconds", "ttft_seconds");
/// enums as strings; nulls left out. Source-generated: no reflection on the hot path.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(RequestRecord))]
[JsonSerializable(typeof(PointLabel))]
[JsonSerializable(typeof(string))]
internal sealed partial class RecordJsonContext : JsonSerializerContext;

/// <summary>The sweep point label a JSONL line may carry beside the record's fields.</summary>
internal sealed record PointLabel(string? Point);
