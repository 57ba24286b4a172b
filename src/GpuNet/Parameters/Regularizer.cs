using System.Globalization;

namespace GpuNet.Parameters;

/// <summary>
/// Keras's l1(λ), l2(λ) and l1_l2(l1, l2): λ₁·Σ|w| + λ₂·Σw² added to the loss, so the reported
/// loss includes it and its gradient joins the weights' gradient.
/// </summary>
public sealed record Regularizer
{
    public Regularizer(float l1, float l2)
    {
        if (!(l1 >= 0f) || !(l2 >= 0f) || !float.IsFinite(l1) || !float.IsFinite(l2))
            throw new GpuNetException($"regularizer factors must be numbers ≥ 0, got l1 {l1}, l2 {l2}");
        L1 = l1;
        L2 = l2;
    }

    public float L1 { get; }

    public float L2 { get; }

    public static Regularizer OfL1(float factor) => new(factor, 0f);

    public static Regularizer OfL2(float factor) => new(0f, factor);

    /// <summary>As a config writes it: {l2: 0.01}, {l1: 0.01} or {l1_l2: {l1: …, l2: …}}.</summary>
    public object ToConfig() => (L1, L2) switch
    {
        (0f, _) => new Dictionary<string, object> { ["l2"] = L2 },
        (_, 0f) => new Dictionary<string, object> { ["l1"] = L1 },
        _ => new Dictionary<string, object> { ["l1_l2"] = new Dictionary<string, object> { ["l1"] = L1, ["l2"] = L2 } },
    };

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"l1 {L1}, l2 {L2}");
}
