namespace Tpd.Core.Units;

internal static class Guard
{
    public static double Finite(double value, string quantity) =>
        double.IsFinite(value)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"{quantity} must be a finite number, got {value}.");
}
