using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GpuNet.Config;

/// <summary>
/// Refuses a config whose lists and mappings nest deeper than any model needs, before the YAML
/// document is built: building recurses once per level, and a few hundred kilobytes of "[[[…",
/// "- - - …" or "? ? ? …" end the process with a stack overflow, which nothing can catch. The parser's events
/// come from a state machine, so reading them alone is safe at any depth.
/// </summary>
internal static class YamlNesting
{
    /// <summary>Far above what a config uses (a Dense layer's weights nest five deep), far below what overflows a
    /// thread's stack.</summary>
    public const int MaximumDepth = 64;

    /// <summary>Reads every event of <paramref name="parser"/>; its syntax errors are thrown as the parser throws
    /// them.</summary>
    public static void Check(string file, IParser parser)
    {
        int depth = 0;
        while (parser.MoveNext())
        {
            switch (parser.Current)
            {
                case MappingStart or SequenceStart:
                    if (++depth > MaximumDepth)
                    {
                        Mark at = parser.Current.Start;
                        throw new ConfigException(file, (int)at.Line, (int)at.Column, "",
                            $"lists and mappings nest more than {MaximumDepth} levels deep here; a config needs a few");
                    }
                    break;
                case MappingEnd or SequenceEnd:
                    depth--;
                    break;
            }
        }
    }
}
