using System.Globalization;
using Tpd.Core.Units;
using Tpd.Gateway.Security;

namespace Tpd.Gateway.Config;

/// <summary>The result of reading a config: a config, or every problem found.</summary>
public sealed record ConfigResult(GatewayConfig? Config, IReadOnlyList<string> Errors)
{
    public bool Ok => Config is not null && Errors.Count == 0;
}

/// <summary>Reads and validates gateway config files (YAML or JSON), reporting every error at once.</summary>
public static class ConfigLoader
{
    /// <summary>Default listen address: loopback, so a gateway is never exposed by accident.</summary>
    public const string DefaultListen = "127.0.0.1:8080";

    private static readonly Dictionary<string, BalancePolicy> Policies = new(StringComparer.Ordinal)
    {
        ["least-requests"] = BalancePolicy.LeastRequests,
        ["least-tokens"] = BalancePolicy.LeastTokens,
        ["power-of-two"] = BalancePolicy.PowerOfTwo,
        ["affinity"] = BalancePolicy.Affinity,
    };

    private static readonly Dictionary<string, AffinitySource> Sources = new(StringComparer.Ordinal)
    {
        ["header"] = AffinitySource.Header,
        ["user"] = AffinitySource.User,
        ["prefix"] = AffinitySource.Prefix,
    };

    public static ConfigResult LoadFile(string path, string? listenOverride = null)
    {
        string text;
        try
        {
            // Reads one character past the limit, never the whole of a huge (or endless, /dev/zero) file; Parse reports it.
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            var buffer = new char[ConfigLimits.MaxDocumentChars + 1];
            text = new string(buffer, 0, reader.ReadBlock(buffer, 0, buffer.Length));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return new ConfigResult(null, [$"config '{path}' cannot be read: {e.Message.TrimEnd('.')}; give the path of a YAML or JSON file (example in docs/gateway.md)"]);
        }
        return Parse(text, path, listenOverride);
    }

    public static ConfigResult Parse(string text, string source = "config", string? listenOverride = null)
    {
        var errors = new List<string>();
        var tree = ConfigTree.Parse(text, source, errors);
        if (errors.Count > 0)
            return new ConfigResult(null, errors);

        var root = Section.Of("", tree, errors);
        var listenText = listenOverride ?? root.String("listen", DefaultListen)!;
        if (listenOverride is not null)
            root.Raw("listen");
        var listen = ParseListen(listenText, errors);
        var pool = root.String("pool", "default")!;
        if (!IsLabelValue(pool))
            errors.Add($"pool is '{ConfigTree.Brief(pool)}'; use letters, digits, '-', '_' or '.' (it becomes a Prometheus label)");

        var workers = ReadWorkers(root, errors);
        var routing = ReadRouting(root.Child("routing"));
        var drain = ReadDrain(root.Child("drain"));
        var health = ReadHealth(root.Child("health"));
        var limits = ReadLimits(root.Child("limits"));
        var scalingSection = root.Child("scaling");
        var scaling = new ScalingConfig
        {
            TargetInFlightPerWorker = scalingSection.Integer("target_in_flight_per_worker", 32, 1, 100_000, "set the concurrency one worker serves well (tpd plan reports it)"),
        };
        scalingSection.RejectUnknown();
        var security = ReadSecurity(root.Child("security"));
        // Top-level x-* keys hold YAML anchors for merge keys (<<: *defaults), as Docker Compose's extension fields do.
        root.IgnoreExtensions("x-");
        root.RejectUnknown();

        if (errors.Count > 0 || listen is null)
            return new ConfigResult(null, errors);
        return new ConfigResult(new GatewayConfig
        {
            Listen = listen,
            Pool = pool,
            Workers = workers,
            Routing = routing,
            Drain = drain,
            Health = health,
            Limits = limits,
            Scaling = scaling,
            Security = security,
        }, []);
    }

    /// <summary>Accepts "host:port", "[v6]:port" or "http://host:port"; HTTPS belongs to a TLS terminator in front.</summary>
    public static Uri? ParseListen(string text, List<string> errors)
    {
        var withScheme = text.Contains("://", StringComparison.Ordinal) ? text : "http://" + text;
        if (Uri.TryCreate(withScheme, UriKind.Absolute, out var uri) && uri.Scheme == "http" && uri.AbsolutePath == "/" && text.Contains(':', StringComparison.Ordinal) && !uri.IsDefaultPort)
            return uri;
        errors.Add($"listen is '{ConfigTree.Brief(text)}'; use host:port such as 127.0.0.1:8080, 0.0.0.0:8080 or [::]:8080 (plain HTTP; put TLS in front)");
        return null;
    }

    private static List<WorkerConfig> ReadWorkers(Section root, List<string> errors)
    {
        var list = root.List("workers");
        if (list.Count == 0)
            errors.Add("workers is empty; list at least one worker with name, url and price_per_hour");
        var workers = new List<WorkerConfig>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var w = Section.Of($"workers[{i}]", list[i], errors);
            var name = w.String("name");
            if (name is null)
                errors.Add($"workers[{i}].name is missing; give each worker a unique name such as gpu-0");
            else if (!IsLabelValue(name))
                errors.Add($"workers[{i}].name is '{ConfigTree.Brief(name)}'; use letters, digits, '-', '_' or '.' (it becomes a Prometheus label and an admin URL)");
            else if (!names.Add(name))
                errors.Add($"workers[{i}].name '{name}' is used twice; worker names must be unique");

            var urlText = w.String("url");
            Uri? url = null;
            if (urlText is null)
                errors.Add($"workers[{i}].url is missing; give the worker's base URL such as http://10.0.0.5:8000");
            else if (!Uri.TryCreate(urlText, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https"))
                errors.Add($"workers[{i}].url is '{ConfigTree.Brief(urlText)}'; use an http(s) base URL such as http://10.0.0.5:8000");

            if (w.Raw("price_per_hour") is null)
                errors.Add($"workers[{i}].price_per_hour is missing; give what the worker costs in $/hour (all its GPUs), e.g. 2.49 for one H100");
            var price = w.Number("price_per_hour", 0, 0.0001, 100_000, "give dollars per hour for the whole worker, e.g. 8 x 2.49 = 19.92");
            var weight = w.Number("weight", 1, 0.01, 1000, "use a relative capacity such as 1 or 2");
            var maxInFlight = w.Integer("max_in_flight", 256, 1, 100_000, "use the engine's max_num_seqs or a little more");
            var apiKeyEnv = w.String("api_key_env");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            var labelSection = w.Child("labels");
            if (w.Raw("labels") is Dictionary<string, object?> rawLabels)
            {
                foreach (var (k, v) in rawLabels)
                {
                    var value = labelSection.String(k);
                    if (!IsLabelName(k))
                        errors.Add($"workers[{i}].labels key '{ConfigTree.Brief(k)}' is not a valid label name; use [a-zA-Z_][a-zA-Z0-9_]*");
                    else if (value is not null)
                        labels[k] = value;
                }
            }
            w.RejectUnknown();
            if (name is not null && url is not null)
            {
                workers.Add(new WorkerConfig
                {
                    Name = name,
                    Url = url,
                    Price = MoneyRate.FromDollarsPerHour(price),
                    Labels = labels,
                    Weight = weight,
                    MaxInFlight = maxInFlight,
                    ApiKeyEnv = apiKeyEnv,
                });
            }
        }
        return workers;
    }

    private static RoutingConfig ReadRouting(Section s)
    {
        var policy = s.Choice("policy", BalancePolicy.LeastRequests, Policies);
        var sources = new List<AffinitySource>();
        var rawSources = s.List("affinity_sources");
        for (var i = 0; i < rawSources.Count; i++)
        {
            var text = ConfigTree.Show(rawSources[i]);
            if (Sources.TryGetValue(text, out var src))
                sources.Add(src);
            else
                s.Errors.Add($"routing.affinity_sources[{i}] is '{ConfigTree.Brief(text)}'; allowed {string.Join(", ", Sources.Keys)}");
        }
        if (rawSources.Count == 0)
            sources.AddRange([AffinitySource.Header, AffinitySource.User, AffinitySource.Prefix]);
        var config = new RoutingConfig
        {
            Policy = policy,
            AffinitySources = sources,
            AffinityHeader = s.String("affinity_header", "x-session-id")!,
            AffinityPrefixChars = s.Integer("affinity_prefix_chars", 256, 1, 1_000_000, "use a few hundred characters: the shared system prompt"),
            DefaultMaxTokens = s.Integer("default_max_tokens", 256, 1, 10_000_000, "use the typical output length of your traffic"),
        };
        s.RejectUnknown();
        return config;
    }

    private static DrainConfig ReadDrain(Section s)
    {
        var absolute = s.OptionalNumber("min_tokens_per_second_per_dollar", 0, 1e12, "give output tokens/s per $/hour, e.g. 500 for 1,245 tokens/s on a $2.49/hour H100 at 40 %");
        var relative = s.OptionalNumber("relative_to_median", 0.01, 1, "give a fraction such as 0.5: drain at half the pool median");
        var config = new DrainConfig
        {
            Enabled = s.Bool("enabled", true),
            MinTokensPerSecondPerDollar = absolute,
            RelativeToMedian = absolute is null && relative is null ? 0.5 : relative,
            Window = s.Seconds("window_seconds", 5, 0.05, 3600, "use a few seconds: long enough to hold many tokens"),
            Windows = s.Integer("windows", 3, 1, 1000, "use 3 or more so one slow window does not drain a worker"),
            MinInFlight = s.Number("min_in_flight", 2, 0, 100_000, "use the concurrency below which a worker is demand-limited, e.g. 2"),
            Hysteresis = s.Number("hysteresis", 0.1, 0, 10, "use a margin such as 0.1 (10 %) so a worker does not flap"),
            ReadmitProbes = s.Integer("readmit_probes", 2, 1, 1000, "use 2 or more consecutive good probes"),
            ProbeInterval = s.Seconds("probe_interval_seconds", 5, 0.05, 3600, "use a few seconds"),
            ProbeModel = s.String("probe_model"),
            ProbeTokens = s.Integer("probe_tokens", 16, 2, 4096, "use 16 to 64: enough tokens to time decoding"),
        };
        s.RejectUnknown();
        return config;
    }

    private static HealthConfig ReadHealth(Section s)
    {
        var path = s.String("path", "/health")!;
        if (!path.StartsWith('/'))
            s.Errors.Add($"health.path is '{ConfigTree.Brief(path)}'; it must start with '/', e.g. /health");
        var config = new HealthConfig
        {
            Interval = s.Seconds("interval_seconds", 5, 0.05, 3600, "use a few seconds"),
            Timeout = s.Seconds("timeout_seconds", 2, 0.01, 600, "use a second or two"),
            Path = path,
            FailuresToEject = s.Integer("failures_to_eject", 2, 1, 1000, "use 2 or 3"),
            SuccessesToReadmit = s.Integer("successes_to_readmit", 1, 1, 1000, "use 1 or 2"),
        };
        s.RejectUnknown();
        return config;
    }

    private static LimitsConfig ReadLimits(Section s)
    {
        var config = new LimitsConfig
        {
            MaxBodyBytes = (long)s.Number("max_body_bytes", 1 << 20, 1024, 1L << 31, "use bytes, e.g. 1048576 for 1 MiB"),
            QueueSize = s.Integer("queue_size", 1024, 0, 10_000_000, "use how many requests may wait for a worker slot"),
            QueueTimeout = s.Seconds("queue_timeout_seconds", 10, 0, 3600, "use how long a request may wait for a slot"),
            MaxRetries = s.Integer("max_retries", 2, 0, 100, "use 1 to 3"),
            RetryAfterSeconds = s.Integer("retry_after_seconds", 1, 1, 3600, "use a second or a few"),
            ConnectTimeout = s.Seconds("connect_timeout_seconds", 5, 0.01, 600, "use a few seconds"),
            FirstByteTimeout = s.Seconds("first_byte_timeout_seconds", 300, 0.01, 86_400, "use the longest prefill you expect under load"),
            StreamIdleTimeout = s.Seconds("stream_idle_timeout_seconds", 120, 0.01, 86_400, "use the longest gap between chunks you accept"),
        };
        s.RejectUnknown();
        return config;
    }

    private static SecurityConfig ReadSecurity(Section s)
    {
        var keys = new List<KeyHash>();
        var rawKeys = s.List("api_keys");
        for (var i = 0; i < rawKeys.Count; i++)
        {
            string? name = null;
            string? hashText;
            if (rawKeys[i] is Dictionary<string, object?>)
            {
                var k = Section.Of($"security.api_keys[{i}]", rawKeys[i], s.Errors);
                name = k.String("name");
                hashText = k.String("sha256");
                k.RejectUnknown();
            }
            else
            {
                hashText = ConfigTree.Show(rawKeys[i]);
            }
            var hash = hashText is null ? null : KeyHash.TryParse(hashText, name);
            if (hash is null)
                s.Errors.Add($"security.api_keys[{i}] is '{Redact(hashText)}', not a SHA-256 hash; store 'sha256:<64 hex>' made by `tpd gateway hash-key`, never the key itself");
            else
                keys.Add(hash);
        }

        KeyHash? admin = null;
        if (s.String("admin_key_sha256") is { } adminText && (admin = KeyHash.TryParse(adminText, "admin")) is null)
            s.Errors.Add($"security.admin_key_sha256 is '{Redact(adminText)}', not a SHA-256 hash; make one with `tpd gateway hash-key`");

        var cidrs = new List<CidrRange>();
        var rawCidrs = s.List("allow_cidrs");
        for (var i = 0; i < rawCidrs.Count; i++)
        {
            var text = ConfigTree.Show(rawCidrs[i]);
            if (CidrRange.TryParse(text) is { } cidr)
                cidrs.Add(cidr);
            else
                s.Errors.Add($"security.allow_cidrs[{i}] is '{ConfigTree.Brief(text)}'; use a network such as 10.0.0.0/8, 192.168.1.7 or fd00::/8");
        }
        if (s.Raw("allow_cidrs") is null)
            cidrs.AddRange([CidrRange.TryParse("127.0.0.0/8")!, CidrRange.TryParse("::1/128")!]);

        var config = new SecurityConfig
        {
            ApiKeys = keys,
            AdminKey = admin,
            AllowCidrs = cidrs,
            MetricsNeedAdminKey = s.Bool("metrics_need_admin_key", false),
        };
        s.RejectUnknown();
        return config;
    }

    /// <summary>A value that is not a hash may be a pasted key: show only its length.</summary>
    private static string Redact(string? text) => text is null ? "null" : $"<{text.Length} characters, hidden>";

    private static bool IsLabelValue(string s) => s.Length is > 0 and <= 128 && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    private static bool IsLabelName(string s) => s.Length > 0 && (char.IsAsciiLetter(s[0]) || s[0] == '_') && s.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    internal static string Invariant(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
