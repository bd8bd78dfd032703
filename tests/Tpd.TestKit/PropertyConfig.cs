using FsCheck;
using Microsoft.FSharp.Core;

namespace Tpd.TestKit;

/// <summary>
/// Property-test settings with a fixed, printed seed: failures report it, and TPD_PROPERTY_SEED=n replays
/// another run.
/// </summary>
public static class PropertyConfig
{
    public static ulong Seed { get; } =
        ulong.TryParse(Environment.GetEnvironmentVariable("TPD_PROPERTY_SEED"), out var s) ? s : 20261122UL;

    public static Config Default =>
        Config.QuickThrowOnFailure
            .WithMaxTest(300)
            .WithName($"seed {Seed}")
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed, 0x9E3779B97F4A7C15UL), FSharpOption<int>.None)));
}
