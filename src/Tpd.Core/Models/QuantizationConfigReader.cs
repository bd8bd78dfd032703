using System.Text.Json;
using Tpd.Core.Formats;

namespace Tpd.Core.Models;

/// <summary>
/// Reads config.json quantization_config into the format of the quantized weights and the modules left
/// in higher precision. Layouts follow the writers: transformers FineGrainedFP8 (DeepSeek-V3 "fp8" with
/// weight_block_size), Mxfp4Config (gpt-oss), AutoAWQ/GPTQ ("bits", "group_size"), llm-compressor
/// "compressed-tensors" (config_groups), NVIDIA ModelOpt ("quant_algo"), bitsandbytes. Every field read is
/// type- and range-checked; a bad one goes to the caller's list of invalid values, never to a default.
/// </summary>
internal static class QuantizationConfigReader
{
    private const string Prefix = "quantization_config.";

    public static CheckpointQuantization? Read(JsonElement q, bool isMoe, List<string> notes, List<string> invalid)
    {
        var f = new ConfigFields(q, prefix: Prefix);
        var method = f.String("quant_method")?.Trim().ToLowerInvariant() ?? "";
        var notConverted = Strings(f, "modules_to_not_convert")
            .Concat(Strings(f, "ignore"))
            .Concat(Strings(f, "ignored_layers"))
            .Concat(Strings(f, "exclude_modules"))
            .ToList();

        WeightFormat? format = method switch
        {
            "fp8" or "fbgemm_fp8" => WeightFormat.Fp8,
            "mxfp4" => WeightFormat.Mxfp4,
            "awq" or "gptq" or "auto-round" or "autoround" => IntFormat(f, method, notes),
            "compressed-tensors" => CompressedTensors(f, notes),
            "modelopt" => ModelOpt(f, notes),
            "bitsandbytes" => Bitsandbytes(f, notes),
            _ => null,
        };
        invalid.AddRange(f.Invalid);
        if (f.Invalid.Count > 0)
            return null;

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

    private static WeightFormat? IntFormat(ConfigFields f, string method, List<string> notes)
    {
        // null has no meaning for these (transformers' GPTQConfig and AutoAWQ always write numbers).
        f.RejectNull("bits", "w_bit", "group_size", "q_group_size");
        var bits = f.Optional("bits", ["w_bit"], max: 64);
        if (bits is null && !f.Has("bits") && !f.Has("w_bit"))
        {
            bits = 4;
            notes.Add($"quantization_config '{method}' gives no bits: taken as 4 (the GPTQ and AWQ default)");
        }

        var group = GroupSize(f, "group_size", ["q_group_size"]);
        if (group is null && !f.Has("group_size") && !f.Has("q_group_size"))
        {
            group = 128;
            notes.Add($"quantization_config '{method}' gives no group_size: taken as 128 (the GPTQ and AWQ default)");
        }

        switch (bits)
        {
            case null:
                return null;
            case 4:
                return group is { } g ? WeightFormat.Int4(g > 0 ? g : 0) : null;
            case 8:
                return WeightFormat.Int8;
            default:
                f.Invalid.Add($"quantization_config '{method}' has bits {bits}; tpd models 4 and 8");
                return null;
        }
    }

    /// <summary>A group size: positive, or -1 for one scale per output channel (GPTQ's convention). 0 is an error, not "per channel".</summary>
    private static int? GroupSize(ConfigFields f, string name, string[] alternatives)
    {
        var group = f.Optional(name, alternatives, min: -1, max: ModelLimits.MaxGroupSize);
        if (group != 0)
            return group;
        f.Invalid.Add($"'{Prefix}{name}' is 0; give the values per scale (e.g. 128), or -1 for one scale per output channel");
        return null;
    }

    private static WeightFormat? CompressedTensors(ConfigFields q, List<string> notes)
    {
        var format = q.String("format") ?? "";
        if (format.Contains("nvfp4", StringComparison.OrdinalIgnoreCase))
            return WeightFormat.Nvfp4;
        if (q.Object("config_groups") is { } groups)
        {
            foreach (var group in groups.EnumerateObject())
            {
                if (group.Value.ValueKind != JsonValueKind.Object)
                {
                    q.Invalid.Add($"'{Prefix}config_groups.{group.Name}' must be an object, got {ConfigFields.Show(group.Value)}");
                    return null;
                }

                var g = new ConfigFields(group.Value, prefix: $"{Prefix}config_groups.{group.Name}.");
                var weights = g.Object("weights");
                q.Invalid.AddRange(g.Invalid);
                if (weights is not { } w)
                    continue;
                var wf = new ConfigFields(w, prefix: $"{Prefix}config_groups.{group.Name}.weights.");
                wf.RejectNull("num_bits");
                var bits = wf.Optional("num_bits", max: 64) ?? 0;
                var type = wf.String("type") ?? "int";
                // group_size is null for per-channel and per-tensor strategies.
                var size = wf.Optional("group_size", min: -1, max: ModelLimits.MaxGroupSize) ?? 0;
                q.Invalid.AddRange(wf.Invalid);
                if (wf.Invalid.Count > 0)
                    return null;
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

    private static WeightFormat? ModelOpt(ConfigFields q, List<string> notes)
    {
        var algo = q.String("quant_algo") ?? "";
        switch (algo.ToUpperInvariant())
        {
            case "FP8":
                return WeightFormat.Fp8;
            case "NVFP4":
                return WeightFormat.Nvfp4;
            case "W4A16_AWQ" or "W4A8_AWQ":
                if (q.Has("group_size"))
                    return GroupSize(q, "group_size", []) is { } g ? WeightFormat.Int4(g > 0 ? g : 0) : null;
                notes.Add($"modelopt {algo} gives no group_size: taken as 128 (ModelOpt's AWQ default)");
                return WeightFormat.Int4(128);
            default:
                notes.Add($"modelopt quant_algo '{algo}' not understood; weights taken as bf16");
                return null;
        }
    }

    private static WeightFormat? Bitsandbytes(ConfigFields q, List<string> notes)
    {
        var four = q.Bool("load_in_4bit");
        var eight = q.Bool("load_in_8bit");
        if (four == true)
        {
            // NF4 with one scale per 64 values (bitsandbytes default blocksize): int4-g64 is the nearest layout.
            notes.Add("bitsandbytes 4-bit (NF4) modelled as int4 with group size 64");
            return WeightFormat.Int4(64);
        }

        if (eight == true)
            return WeightFormat.Int8;
        notes.Add("bitsandbytes quantization_config without load_in_4bit/load_in_8bit; weights taken as bf16");
        return null;
    }

    private static List<string> Strings(ConfigFields q, string name)
    {
        var list = new List<string>();
        if (q.Array(name) is not { } a)
            return list;
        foreach (var e in a.EnumerateArray())
        {
            if (e.ValueKind == JsonValueKind.String)
                list.Add(e.GetString()!);
            else
                q.Invalid.Add($"'{Prefix}{name}' holds {ConfigFields.Show(e)}, not a module name");
        }

        return list;
    }
}
