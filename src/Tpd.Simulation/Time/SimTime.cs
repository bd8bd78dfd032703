using System.Globalization;
using Tpd.Core.Units;

namespace Tpd.Simulation.Time;

/// <summary>
/// An instant on the simulator's own clock, in seconds since the start of the run. The simulator never reads a
/// wall clock, so the same seed gives the same instants on any machine.
/// </summary>
public readonly record struct SimTime : IComparable<SimTime>
{
    private SimTime(double seconds) =>
        Seconds = double.IsFinite(seconds) && seconds >= 0
            ? seconds
            : throw new ArgumentOutOfRangeException(nameof(seconds), seconds, $"SimTime must be a finite, non-negative number of seconds, got {seconds}.");

    public double Seconds { get; }

    public static SimTime Zero => default;

    public static SimTime FromSeconds(double seconds) => new(seconds);

    public static SimTime operator +(SimTime t, Duration d) => new(t.Seconds + d.Seconds);
    public static Duration operator -(SimTime a, SimTime b) => Duration.FromSeconds(a.Seconds - b.Seconds);
    public static bool operator <(SimTime a, SimTime b) => a.Seconds < b.Seconds;
    public static bool operator >(SimTime a, SimTime b) => a.Seconds > b.Seconds;
    public static bool operator <=(SimTime a, SimTime b) => a.Seconds <= b.Seconds;
    public static bool operator >=(SimTime a, SimTime b) => a.Seconds >= b.Seconds;

    public int CompareTo(SimTime other) => Seconds.CompareTo(other.Seconds);

    public override string ToString() => "t=" + Seconds.ToString("G9", CultureInfo.InvariantCulture) + " s";
}
