using System.Globalization;

namespace Tpd.Plan.Request;

/// <summary>What the demand is measured in.</summary>
public enum DemandKind
{
    /// <summary>Concurrent users of a chat or agentic preset (each chats on and off; the preset's think time sets the duty cycle).</summary>
    Users,

    /// <summary>The preset's own rate: sessions/s for chat and agentic, requests/s for rag, concurrent clients for batch.</summary>
    Rate,

    /// <summary>Output tokens per day, served by the preset's traffic shape.</summary>
    TokensPerDay,
}

/// <summary>The load the fleet must carry. Build with <see cref="Users"/>, <see cref="Rate"/> or <see cref="TokensPerDay"/>.</summary>
public readonly record struct PlanDemand(DemandKind Kind, double Value)
{
    public static PlanDemand Users(int users) => new(DemandKind.Users, users);

    public static PlanDemand Rate(double perSecond) => new(DemandKind.Rate, perSecond);

    public static PlanDemand TokensPerDay(double outputTokensPerDay) => new(DemandKind.TokensPerDay, outputTokensPerDay);

    /// <summary>The unit of one replica's capacity: users for user demand, the preset's rate otherwise (tokens/day is met by rate).</summary>
    public bool SearchesUsers => Kind == DemandKind.Users;

    public override string ToString() => Kind switch
    {
        DemandKind.Users => string.Create(CultureInfo.InvariantCulture, $"{Value:N0} users"),
        DemandKind.Rate => string.Create(CultureInfo.InvariantCulture, $"{Value:G4}/s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{Value:G4} output tokens/day"),
    };
}
