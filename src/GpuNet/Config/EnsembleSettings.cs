using GpuNet.Ensembles;

namespace GpuNet.Config;

/// <summary>The config's <c>ensemble: {members: N, vote: majority|mean}</c>: N networks trained with seeds seed, seed +
/// 1, …</summary>
public sealed record EnsembleSettings(int Members, EnsembleVote Vote)
{
    public static EnsembleSettings Read(ConfigNode node)
    {
        var args = new ConfigArguments(node, node);
        int members = args.PositiveInt("members");
        EnsembleVote vote = args.Get("vote") is { } voteNode
            ? voteNode.AsString() switch
            {
                "majority" => EnsembleVote.Majority,
                "mean" => EnsembleVote.Mean,
                string other => throw voteNode.Error($"expected majority or mean, got '{other}'"),
            }
            : EnsembleVote.Majority;
        args.RejectUnknown("ensemble");
        return new EnsembleSettings(members, vote);
    }
}
