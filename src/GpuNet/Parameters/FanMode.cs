namespace GpuNet.Parameters;

/// <summary>Which count of connections a variance-scaling initializer divides by.</summary>
public enum FanMode
{
    In,
    Out,
    /// <summary>(fanIn + fanOut) / 2, Glorot's choice.</summary>
    Average,
}
