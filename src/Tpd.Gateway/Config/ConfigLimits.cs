namespace Tpd.Gateway.Config;

/// <summary>
/// Limits on the structure of a gateway config file, checked while it is parsed and before anything is
/// expanded: YAML aliases can make a 342-byte file describe billions of nodes, and deep nesting overflows a
/// recursive reader's stack. The defaults follow SnakeYAML's LoaderOptions (the YAML loader of Spring and
/// Kubernetes' Java client, hardened after CVE-2022-1471 and CVE-2022-25857), far above what a config needs.
/// docs/validation/robustness.md lists them with every other input limit.
/// </summary>
public static class ConfigLimits
{
    /// <summary>Longest file: 1 MiB. docs/gateway.md's full example is 3 KB with its comments; a thousand workers fit in 200 KB.</summary>
    public const int MaxDocumentChars = 1 << 20;

    /// <summary>Nesting of maps and lists: 50, SnakeYAML's nestingDepthLimit. A gateway config nests 4 deep (workers[0].labels.gpu).</summary>
    public const int MaxDepth = 50;

    /// <summary>Aliases (*name) in one file: 50, SnakeYAML's maxAliasesForCollections. A config uses one per shared block at most.</summary>
    public const int MaxAliases = 50;

    /// <summary>Nodes (maps, lists and scalars) with every alias counted as the copy it stands for: 100,000; a thousand workers with labels take about 20,000.</summary>
    public const int MaxNodes = 100_000;
}
