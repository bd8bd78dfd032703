using System.Text.Json;
using Tpd.Core.Formats;

namespace Tpd.Core.Models;

/// <summary>
/// Reads config.json quantization_config into the format of the quantized weights and the modules left
/// in higher precision. Layouts follow the writers: transformers FineGrainedFP8 (DeepSeek-V3 "fp8" with
/// weight_block_size), Mxfp4Config (gpt-oss), AutoAWQ/GPTQ ("bits", "group_size"), llm-compressor
/// "compressed-tensors" (config_groups), NVIDIA ModelOpt ("quant_algo"), bitsandbytes.
/// </summary>
internal static class QuantizationConfigReader
{
    public static CheckpointQuantization? Read(JsonElement q, bool isMoe, List<string> notes, List<string> invalid)
    {
        var method = q.TryGetProperty("quant_method", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()!.Trim().ToLowerInvariant()
            : "";
        var notConverted = Strings(q, "modules_to_not_convert")
            .Concat(Strings(q, "ignore"))
            .Concat(Strings(q, "ignored_layers"))
            .Concat(Strings(q, "exclude_modules"))
            .ToList();

        WeightFormat? format = method switch
        {
            "fp8" or "fbgemm_fp8" => WeightFormat.Fp8,
            "mxfp4" => WeightFormat.Mxfp4,
            "awq" or "gptq" or "auto-round" or "autoround" => IntFormat(q, method, invalid),
            "compressed-tensors" => CompressedTensors(q, notes),
            "modelopt" => ModelOpt(q, notes),
            "bitsandbytes" => Bitsandbytes(q, notes),
            _ => null,
        };

        if (format is null)
        {
            if (method.Length > 0 && method is not ("compressed-tensors" or "modelopt" or "bitsandbytes"))
                notes.Add($"quantization_config quant_method '{method}' is not one tpd reads (fp8, mxfp4, awq, gptq, compressed-tensors, modelopt, bitsandbytes); weights are taken as bf16 unless --weights says otherwise");
            return null;
        }

        // gpt-oss keeps attention, router, embeddings and LM head out of MXFP4: only the experts are quantized.
        var scope = isMoe && notConverted.Any(n => n.Contains("attn", StringComparison.OrdinalIgnoreCase))
            ? QuantizedScope.ExpertsOnly
            : QuantizedScope.AllLinear;

        return new CheckpointQuantization
        {
            Method = method,
            Format = format.Value,
            Scope = scope,
            NotConverted = notConverted,
        };
    }

    private static WeightFormat? IntFormat(JsonElement q, string method, List<string> invalid)
    {
        var bits = q.TryGetProperty("bits", out var b) && b.TryGetInt32(out var bi) ? bi
            : q.TryGetProperty("w_bit", out var wb) && wb.TryGetInt32(out var wbi) ? wbi
            : 4;
        var group = q.TryGetProperty("group_size", out var g) && g.TryGetInt32(out var gi) ? gi
            : q.TryGetProperty("q_group_size", out var qg) && qg.TryGetInt32(out var qgi) ? qgi
            : 128;
        switch (bits)
        {
            case 4:
                return WeightFormat.Int4(group > 0 ? group : 0);
            case 8:
                return WeightFormat.Int8;
            default:
                invalid.Add($"quantization_config '{method}' has bits {bits}; tpd models 4 and 8");
                return null;
        }
    }

    private static WeightFormat? CompressedTensors(JsonElement q, List<string> notes)
    {
        var format = q.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() ?? "" : "";
        if (format.Contains("nvfp4", StringComparison.OrdinalIgnoreCase))
            return WeightFormat.Nvfp4;
        if (q.TryGetProperty("config_groups", out var groups) && groups.ValueKind == JsonValueKind.Object)
        {
            foreach (var group in groups.EnumerateObject())
            {
                if (!group.Value.TryGetProperty("weights", out var w) || w.ValueKind != JsonValueKind.Object)
                    continue;
                var bits = w.TryGetProperty("num_bits", out var nb) && nb.TryGetInt32(out var nbi) ? nbi : 0;
                var type = w.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "int";
                var size = w.TryGetProperty("group_size", out var gs) && gs.TryGetInt32(out var gsi) ? gsi : 0;
                return (bits, type) switch
                {
                    (8, "float") => WeightFormat.Fp8,
                    (8, _) => WeightFormat.Int8,
                    (4, "float") => size == 32 ? WeightFormat.Mxfp4 : WeightFormat.Nvfp4,
                    (4, _) => WeightFormat.Int4(size > 0 ? size : 0),
                    _ => null,
                };
            }
        }

        notes.Add($"compressed-tensors quantization_config with format '{format}' not understood; weights taken as bf16");
        return null;
    }

    private static WeightFormat? ModelOpt(JsonElement q, List<string> notes)
    {
        var algo = q.TryGetProperty("quant_algo", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() ?? "" : "";
        switch (algo.ToUpperInvariant())
        {
            case "FP8":
                return WeightFormat.Fp8;
            case "NVFP4":
                return WeightFormat.Nvfp4;
            case "W4A16_AWQ" or "W4A8_AWQ":
                return WeightFormat.Int4(q.TryGetProperty("group_size", out var g) && g.TryGetInt32(out var gi) ? gi : 128);
            default:
                notes.Add($"modelopt quant_algo '{algo}' not understood; weights taken as bf16");
                return null;
        }
    }

    private static WeightFormat? Bitsandbytes(JsonElement q, List<string> notes)
    {
        if (q.TryGetProperty("load_in_4bit", out var four) && four.ValueKind == JsonValueKind.True)
        {
            // NF4 with one scale per 64 values (bitsandbytes default blocksize): int4-g64 is the nearest layout.
            notes.Add("bitsandbytes 4-bit (NF4) modelled as int4 with group size 64");
            return WeightFormat.Int4(64);
        }

        if (q.TryGetProperty("load_in_8bit", out var eight) && eight.ValueKind == JsonValueKind.True)
            return WeightFormat.Int8;
        notes.Add("bitsandbytes quantization_config without load_in_4bit/load_in_8bit; weights taken as bf16");
        return null;
    }

    private static IEnumerable<string> Strings(JsonElement q, string name) =>
        q.TryGetProperty(name, out var a) && a.ValueKind == JsonValueKind.Array
            ? a.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!)
            : [];
}
