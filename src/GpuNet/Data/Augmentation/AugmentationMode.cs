namespace GpuNet.Data.Augmentation;

/// <summary>When the transformed images are made.</summary>
public enum AugmentationMode
{
    /// <summary>Every epoch transforms every training image anew (a new draw per epoch and sample).</summary>
    OnTheFly,

    /// <summary>Once, before training: the set grows by fixed transformed copies (the lecture triples it, Nielsen
    /// multiplies it by five).</summary>
    Expand,
}
