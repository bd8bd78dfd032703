using System.Text.Json;

namespace Tpd.Core.Models;

/// <summary>
/// Reads a Hugging Face config.json into a <see cref="ModelArchitecture"/>. Values are taken as written,
/// never re-derived (an explicit head_dim wins over hidden/heads); defaults that the file leaves out come
/// from the model's transformers config class and are listed in <see cref="ModelArchitecture.Notes"/>.
/// Every missing or bad required field is reported at once in a <see cref="ModelConfigException"/>.
/// </summary>
public static class HfConfigReader
{
    /// <summary>model_type values with architecture-specific handling; others are read as a dense decoder.</summary>
    public static IReadOnlyList<string> KnownModelTypes { get; } =
    [
        "llama", "mistral", "mixtral", "phi3", "qwen2", "qwen2_moe", "qwen3", "qwen3_moe",
        "deepseek_v2", "deepseek_v3", "kimi_k2", "gemma", "gemma2", "gemma3", "gemma3_text", "gpt_oss",
    ];

    private static readonly string[] LayersAlt = ["n_layer", "num_layers", "n_layers"];
    private static readonly string[] HiddenAlt = ["n_embd", "d_model", "dim"];
    private static readonly string[] HeadsAlt = ["n_head", "n_heads", "num_heads"];
    private static readonly string[] KvHeadsAlt = ["n_head_kv", "num_kv_heads", "multi_query_group_num"];
    private static readonly string[] HeadDimAlt = ["kv_channels"];
    private static readonly string[] IntermediateAlt = ["ffn_hidden_size", "n_inner", "ffn_dim"];
    private static readonly string[] VocabAlt = ["padded_vocab_size", "n_vocab"];
    private static readonly string[] ExpertsAlt = ["num_experts", "n_routed_experts", "moe_num_experts"];
    private static readonly string[] TopKAlt = ["experts_per_token", "num_experts_per_token", "moe_top_k"];
    private static readonly string[] ExpertWidthAlt = ["expert_intermediate_size"];
    private static readonly string[] PositionsAlt = ["n_positions", "seq_length", "max_sequence_length"];

    /// <param name="json">The text of config.json.</param>
    /// <param name="id">Identifier for the result (catalog id or a name derived from the path).</param>
    /// <param name="source">Where the text came from, quoted in errors and kept in <see cref="ModelArchitecture.Source"/>.</param>
    public static ModelArchitecture Parse(string json, string id, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.Length > ModelLimits.MaxConfigChars)
            throw new ModelConfigException($"config.json '{source}' holds {json.Length:N0} characters, more than the {ModelLimits.MaxConfigChars:N0} tpd reads; give the model's config.json itself (a few KB), not another file");
        if (JsonEscapes.FindLoneSurrogate(json) is { } surrogate)
            throw new ModelConfigException($"config.json '{source}' is not valid text: {surrogate}.");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = ModelLimits.MaxJsonDepth, AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw new ModelConfigException($"config.json '{source}' is not valid JSON: {e.Message}", e);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                throw new ModelConfigException($"config.json '{source}' must hold a JSON object, got {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}.");
            return Read(doc.RootElement, id, source);
        }
    }

    private static ModelArchitecture Read(JsonElement root, string id, string source)
    {
        var notes = new List<string>();
        var top = new ConfigFields(root);
        var rootType = top.String("model_type") ?? "";

        // Multimodal wrappers (Gemma 3, Mistral 3, Qwen-VL) nest the decoder in text_config.
        var text = top.Object("text_config");
        var f = text is { } t ? new ConfigFields(t, root) : new ConfigFields(root);
        f.Invalid.AddRange(top.Invalid);
        var hasText = text is not null;
        var textType = rootType;
        if (text is { } tc)
        {
            var textFields = new ConfigFields(tc);
            textType = textFields.String("model_type") ?? rootType;
            f.Invalid.AddRange(textFields.Invalid);
        }

        var family = Family(rootType, textType);
        if (hasText && root.TryGetProperty("vision_config", out _))
            notes.Add("vision_config present: the vision tower is not counted (text decoder only)");
        if (family.Length == 0)
            notes.Add(rootType.Length == 0
                ? $"no model_type; read as a dense decoder from the standard fields (known types: {string.Join(", ", KnownModelTypes)})"
                : $"model_type '{rootType}' is not one tpd knows ({string.Join(", ", KnownModelTypes)}); read as a dense decoder from the standard fields");

        var layers = f.Require("num_hidden_layers", ModelLimits.MaxLayers, LayersAlt);
        var hidden = f.Require("hidden_size", ModelLimits.MaxHidden, HiddenAlt);
        var heads = f.Require("num_attention_heads", ModelLimits.MaxHeads, HeadsAlt);
        var kvHeads = f.Optional("num_key_value_heads", KvHeadsAlt, max: ModelLimits.MaxHeads);
        if (kvHeads is null && heads > 0)
            notes.Add("num_key_value_heads absent: one K/V head per query head (multi-head attention)");
        var kv = kvHeads ?? heads;

        var vocab = f.Optional("vocab_size", VocabAlt, max: ModelLimits.MaxVocab);
        if (vocab is null && family == "gemma3")
        {
            // Gemma3TextConfig default (transformers): nested text_config files often leave it out.
            vocab = 262_208;
            notes.Add("vocab_size absent: Gemma3TextConfig default 262208");
        }

        var v = vocab ?? f.RecordMissing("vocab_size", VocabAlt);
        var intermediate = f.Optional("intermediate_size", IntermediateAlt, max: ModelLimits.MaxIntermediate);
        var moe = ReadMoe(f, family, layers, intermediate);
        var mla = ReadMla(f);

        var headDim = f.Optional("head_dim", HeadDimAlt, max: ModelLimits.MaxHeadDim);
        if (mla is not null)
        {
            // MLA heads have qk_nope + qk_rope for Q.K and v_head_dim for the values; keep the Q.K width.
            headDim = mla.QkHeadDim;
        }
        else if (headDim is null && heads > 0 && hidden > 0)
        {
            if (hidden % heads == 0)
                headDim = hidden / heads;
            else
                f.Invalid.Add($"'head_dim' is absent and hidden_size {hidden} is not a multiple of num_attention_heads {heads}");
        }

        if (intermediate is null)
        {
            if (moe is not null && !HasDenseLayers(moe, layers))
                intermediate = moe.ExpertIntermediateSize;
            else
                f.RecordMissing("intermediate_size", IntermediateAlt);
        }

        if (heads > 0 && kv > 0 && heads % kv != 0 && mla is null)
            f.Invalid.Add($"num_attention_heads {heads} is not a multiple of num_key_value_heads {kv}");

        var spans = ReadSpans(f, family, layers, notes, out var window);
        var quant = f.Object("quantization_config") is { } q
            ? QuantizationConfigReader.Read(q, moe is not null, notes, f.Invalid)
            : null;

        if (f.Optional("num_nextn_predict_layers", 0, ModelLimits.MaxLayers) is > 0 and var mtp)
            notes.Add($"{mtp} multi-token-prediction layer(s) (num_nextn_predict_layers) not counted: they are loaded only for speculative decoding");

        // Every field is read before the check below, so a bad value in any of them is reported, never defaulted.
        var attentionBias = f.Bool("attention_bias") ?? false;
        var isGemma = family is "gemma" or "gemma2" or "gemma3";
        // Gemma config classes default to tied embeddings; the others in transformers default to untied.
        var tied = f.Bool("tie_word_embeddings") ?? isGemma;
        var mlpBias = f.Bool("mlp_bias") ?? false;
        var qkNorm = f.Bool("use_qk_norm") ?? false;
        var positions = f.Optional("max_position_embeddings", PositionsAlt) ?? 0;

        if (f.Missing.Count > 0 || f.Invalid.Count > 0)
            throw Problems(source, f.Missing, f.Invalid);

        return new ModelArchitecture
        {
            Id = id,
            Name = id,
            ModelType = rootType,
            NumLayers = layers,
            HiddenSize = hidden,
            NumAttentionHeads = heads,
            NumKeyValueHeads = kv,
            HeadDim = headDim ?? 0,
            IntermediateSize = intermediate ?? 0,
            VocabSize = v,
            TieWordEmbeddings = tied,
            GatedMlp = true,
            QkvBias = family is "qwen2" or "qwen2_moe" || attentionBias,
            OutputBias = family is not ("qwen2" or "qwen2_moe") && attentionBias,
            MlpBias = family == "gpt_oss" || mlpBias,
            AttentionSinks = family == "gpt_oss",
            QkNorm = family is "qwen3" or "qwen3_moe" or "gemma3" || qkNorm,
            NormsPerLayer = family is "gemma2" or "gemma3" ? 4 : 2,
            MaxPositionEmbeddings = positions,
            SlidingWindow = spans.Contains(AttentionSpan.Sliding) ? window : null,
            LayerSpans = spans,
            Moe = moe,
            Mla = mla,
            Quantization = quant,
            Source = source,
            Notes = notes,
        };
    }

    /// <summary>The architecture family that decides per-type rules; "" for unknown types.</summary>
    private static string Family(string rootType, string textType) => (rootType, textType) switch
    {
        ("gemma3", _) or (_, "gemma3_text") => "gemma3",
        ("kimi_k2", _) => "deepseek_v3",
        _ when KnownModelTypes.Contains(rootType) => rootType,
        _ when KnownModelTypes.Contains(textType) => textType,
        _ => "",
    };

    private static bool HasDenseLayers(MoeSpec moe, int layers)
    {
        for (var i = 0; i < layers; i++)
        {
            if (!moe.IsMoeLayer(i))
                return true;
        }

        return false;
    }

    private static MoeSpec? ReadMoe(ConfigFields f, string family, int layers, int? intermediate)
    {
        var experts = f.Optional("num_local_experts", ExpertsAlt, min: 0, max: ModelLimits.MaxExperts);
        if (experts is null or 0)
            return null;

        var topK = f.Require("num_experts_per_tok", ModelLimits.MaxExperts, TopKAlt);
        var width = f.Optional("moe_intermediate_size", ExpertWidthAlt, max: ModelLimits.MaxIntermediate);
        if (width is null)
        {
            // Mixtral and gpt-oss name the expert width intermediate_size.
            if (family is "mixtral" or "gpt_oss" && intermediate is not null)
                width = intermediate;
            else
                f.RecordMissing("moe_intermediate_size", [.. ExpertWidthAlt, "intermediate_size (Mixtral, gpt-oss)"]);
        }

        var shared = f.Optional("n_shared_experts", ["num_shared_experts"], min: 0, max: ModelLimits.MaxExperts) ?? 0;
        var sharedWidth = f.Optional("shared_expert_intermediate_size", min: 0, max: ModelLimits.MaxIntermediate) ?? 0;
        if (sharedWidth > 0 && shared == 0)
            shared = 1; // Qwen2-MoE: one shared expert of its own width.

        var dense = new List<int>();
        if (f.Array("mlp_only_layers") is { } only)
        {
            foreach (var e in only.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) && i >= 0 && i < layers)
                    dense.Add(i);
                else
                    f.Invalid.Add($"'mlp_only_layers' holds {ConfigFields.Show(e)}, not a layer index below {layers}");
            }
        }

        if (topK > experts)
            f.Invalid.Add($"num_experts_per_tok {topK} exceeds the {experts} experts");

        var firstDense = f.Optional("first_k_dense_replace", 0, ModelLimits.MaxLayers) ?? 0;
        var frequency = f.Optional("moe_layer_freq", ["decoder_sparse_step"], max: ModelLimits.MaxLayers) ?? 1;
        if (family is "deepseek_v2" or "deepseek_v3" && frequency > 1)
        {
            // DeepSeek places experts where layer % moe_layer_freq == 0; MoeSpec's stride counts (layer + 1).
            // List the dense layers instead so both layouts come out exact.
            for (var i = firstDense; i < layers; i++)
            {
                if (i % frequency != 0)
                    dense.Add(i);
            }

            frequency = 1;
        }

        return new MoeSpec
        {
            NumExperts = experts.Value,
            ExpertsPerToken = topK,
            ExpertIntermediateSize = width ?? 0,
            NumSharedExperts = shared,
            SharedExpertIntermediateSize = sharedWidth,
            SharedExpertGate = family == "qwen2_moe" && shared > 0,
            FirstDenseLayers = firstDense,
            LayerFrequency = frequency,
            // gpt-oss routers carry a bias; DeepSeek-V3's noaux_tc routing adds e_score_correction_bias.
            RouterBias = family == "gpt_oss" || (family == "deepseek_v3" && f.String("topk_method") is null or "noaux_tc"),
            DenseLayerIndices = dense,
        };
    }

    private static MlaSpec? ReadMla(ConfigFields f)
    {
        const int max = ModelLimits.MaxHeadDim;
        var kvLora = f.Optional("kv_lora_rank", max: max);
        if (kvLora is null)
            return null;
        return new MlaSpec
        {
            QLoraRank = f.Optional("q_lora_rank", max: max),
            KvLoraRank = kvLora.Value,
            QkRopeHeadDim = f.Require("qk_rope_head_dim", max),
            QkNopeHeadDim = f.Require("qk_nope_head_dim", max),
            VHeadDim = f.Require("v_head_dim", max),
        };
    }

    private static AttentionSpan[] ReadSpans(ConfigFields f, string family, int layers, List<string> notes, out int? window)
    {
        window = f.Optional("sliding_window", ["sliding_window_size"]);
        var spans = new AttentionSpan[Math.Max(0, layers)];
        if (layers <= 0)
            return spans;

        if (f.Array("layer_types") is { } types)
        {
            var list = new List<string>();
            foreach (var e in types.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String)
                    list.Add(e.GetString()!);
                else
                    f.Invalid.Add($"'layer_types' holds {ConfigFields.Show(e)}, not a layer type such as \"full_attention\"");
            }

            if (list.Count != types.GetArrayLength())
                return spans;
            if (list.Count != layers)
            {
                f.Invalid.Add($"'layer_types' lists {list.Count} layers but num_hidden_layers is {layers}");
                return spans;
            }

            for (var i = 0; i < layers; i++)
            {
                spans[i] = list[i] switch
                {
                    "sliding_attention" => AttentionSpan.Sliding,
                    "full_attention" => AttentionSpan.Full,
                    _ => UnknownLayerType(list[i], notes),
                };
            }

            if (spans.Contains(AttentionSpan.Sliding) && window is null)
                f.RecordMissing("sliding_window", "sliding_window_size");
            return spans;
        }

        if (window is null)
            return spans;

        switch (family)
        {
            case "gemma2":
                // transformers Gemma2: even layers slide, odd layers attend globally.
                for (var i = 0; i < layers; i += 2)
                    spans[i] = AttentionSpan.Sliding;
                break;
            case "gemma3":
                // transformers Gemma3: every sliding_window_pattern-th layer is global (5 local then 1 global).
                var pattern = f.Optional("sliding_window_pattern", max: ModelLimits.MaxLayers) ?? 6;
                for (var i = 0; i < layers; i++)
                    spans[i] = (i + 1) % pattern != 0 ? AttentionSpan.Sliding : AttentionSpan.Full;
                break;
            case "qwen2" or "qwen2_moe" or "qwen3" or "qwen3_moe":
                if (f.Bool("use_sliding_window") == true)
                {
                    // Qwen: layers from max_window_layers on use the window.
                    var from = f.Optional("max_window_layers", 0) ?? 0;
                    for (var i = from; i < layers; i++)
                        spans[i] = AttentionSpan.Sliding;
                }
                else
                {
                    notes.Add($"use_sliding_window is false: sliding_window {window} ignored, every layer attends to the full context");
                }

                break;
            default:
                if (f.Bool("use_sliding_window") == false)
                {
                    notes.Add($"use_sliding_window is false: sliding_window {window} ignored");
                    break;
                }

                // Mistral-7B-v0.1 and Phi-3 apply the window on every layer.
                Array.Fill(spans, AttentionSpan.Sliding);
                break;
        }

        return spans;
    }

    private static AttentionSpan UnknownLayerType(string type, List<string> notes)
    {
        var note = $"layer type '{type}' is not sliding_attention or full_attention; counted as full attention";
        if (!notes.Contains(note))
            notes.Add(note);
        return AttentionSpan.Full;
    }

    private static ModelConfigException Problems(string source, List<string> missing, List<string> invalid)
    {
        var parts = new List<string>();
        if (missing.Count > 0)
            parts.Add($"is missing {string.Join(", ", missing)}");
        if (invalid.Count > 0)
            parts.Add((missing.Count > 0 ? "and has bad values: " : "has bad values: ") + string.Join("; ", invalid));
        var message = $"config.json '{source}' {string.Join("; ", parts)}. "
            + "Fix the file, or describe the model inline: --model custom:layers=N,hidden=N,heads=N,kv_heads=N,params=N.";
        return new ModelConfigException(message, [.. missing.Select(m => "missing " + m), .. invalid]);
    }
}
