using GpuNet.Config;
using GpuNet.Data;
using GpuNet.Data.Augmentation;
using GpuNet.Tests.Training;

namespace GpuNet.Tests.Data.Augmentation;

public sealed class AugmentationTests
{
    private static readonly Lazy<Dataset> Digits = new(() => MnistSubset.Train(200));

    private static float[] Digit(int index) => Digits.Value.GetImage(index).ToArray();

    private static (double X, double Y, double Mass) CentreOfMass(ReadOnlySpan<float> image, int width)
    {
        double x = 0, y = 0, mass = 0;
        for (int i = 0; i < image.Length; i++)
        {
            x += image[i] * (i % width);
            y += image[i] * (i / width);
            mass += image[i];
        }
        return (x / mass, y / mass, mass);
    }

    private static float MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        float worst = 0;
        for (int i = 0; i < a.Length; i++) worst = Math.Max(worst, Math.Abs(a[i] - b[i]));
        return worst;
    }

    [Fact]
    public void Four_rotations_by_90_degrees_give_back_the_image()
    {
        float[] image = Digit(0), turned = (float[])image.Clone(), next = new float[784];
        for (int i = 0; i < 4; i++)
        {
            ImageGeometry.Rotate(turned, next, 28, 28, 90);
            (turned, next) = (next, turned);
        }
        Assert.True(MaxDifference(image, turned) <= 1e-6f);
        // One quarter turn is not the identity, so the test above says something.
        ImageGeometry.Rotate(image, next, 28, 28, 90);
        Assert.True(MaxDifference(image, next) > 0.5f);
    }

    [Fact]
    public void Positive_angles_turn_counter_clockwise_as_displayed()
    {
        var image = new float[9];
        image[1] = 1; // top middle of a 3×3 image
        var turned = new float[9];
        ImageGeometry.Rotate(image, turned, 3, 3, 90);
        Assert.Equal(1f, turned[3], 6); // middle left
        Assert.Equal(1f, turned.Sum(), 6);
    }

    [Fact]
    public void Small_rotations_keep_the_digit_where_it_was_and_almost_all_its_ink()
    {
        float[] image = Digit(3), turned = new float[784];
        ImageGeometry.Rotate(image, turned, 28, 28, 15);
        var (x0, y0, mass0) = CentreOfMass(image, 28);
        var (x1, y1, mass1) = CentreOfMass(turned, 28);
        Assert.InRange(mass1 / mass0, 0.95, 1.05);
        // The centre of mass turns with the image: source (u, v) about the centre lands on
        // (u cos θ + v sin θ, −u sin θ + v cos θ).
        double cos = Math.Cos(Math.PI / 12), sin = Math.Sin(Math.PI / 12);
        Assert.True(Math.Abs(x1 - 13.5 - ((x0 - 13.5) * cos + (y0 - 13.5) * sin)) < 0.2, $"x {x1}");
        Assert.True(Math.Abs(y1 - 13.5 - (-(x0 - 13.5) * sin + (y0 - 13.5) * cos)) < 0.2, $"y {y1}");
        ImageGeometry.Rotate(image, turned, 28, 28, 0);
        Assert.Equal(image, turned);
    }

    [Fact]
    public void A_one_pixel_shift_moves_the_mass_by_one_pixel()
    {
        float[] image = Digit(1), moved = new float[784];
        var (x, y, mass) = CentreOfMass(image, 28);
        ImageGeometry.Shift(image, moved, 28, 28, 1, 0);
        var right = CentreOfMass(moved, 28);
        ImageGeometry.Shift(image, moved, 28, 28, 0, -1);
        var up = CentreOfMass(moved, 28);
        // MNIST digits sit inside a 4-pixel border, so nothing falls off the edge.
        Assert.Equal(mass, right.Mass, 4);
        Assert.Equal(x + 1, right.X, 5);
        Assert.Equal(y, right.Y, 5);
        Assert.Equal(y - 1, up.Y, 5);
        Assert.Equal(x, up.X, 5);
    }

    [Fact]
    public void Nielsens_shift_is_always_one_of_the_four_one_pixel_moves_and_all_four_occur()
    {
        float[] image = Digit(2), moved = new float[784];
        var (x, y, _) = CentreOfMass(image, 28);
        var shift = new RandomShift(1, fourDirections: true);
        var seen = new HashSet<(int, int)>();
        for (ulong stream = 0; stream < 40; stream++)
        {
            shift.Apply(image, moved, 28, 28, new TransformRandom(7, stream));
            var c = CentreOfMass(moved, 28);
            var move = ((int)Math.Round(c.X - x), (int)Math.Round(c.Y - y));
            Assert.Contains(move, new[] { (0, -1), (0, 1), (-1, 0), (1, 0) });
            seen.Add(move);
        }
        Assert.Equal(4, seen.Count);
    }

    [Fact]
    public void Random_crop_with_padding_is_a_shift_of_at_most_the_padding()
    {
        float[] image = Digit(4), cropped = new float[784];
        var (x, y, _) = CentreOfMass(image, 28);
        var crop = new RandomCrop(2);
        var moves = new HashSet<(int, int)>();
        for (ulong stream = 0; stream < 200; stream++)
        {
            crop.Apply(image, cropped, 28, 28, new TransformRandom(3, stream));
            var c = CentreOfMass(cropped, 28);
            moves.Add(((int)Math.Round(c.X - x), (int)Math.Round(c.Y - y)));
        }
        Assert.All(moves, m => Assert.True(Math.Abs(m.Item1) <= 2 && Math.Abs(m.Item2) <= 2, m.ToString()));
        Assert.Equal(25, moves.Count);
    }

    [Fact]
    public void Elastic_distortion_with_alpha_zero_is_the_identity()
    {
        float[] image = Digit(5), distorted = new float[784];
        new ElasticDistortion(alpha: 0, sigma: 4).Apply(image, distorted, 28, 28, new TransformRandom(1, 2));
        Assert.Equal(image, distorted);
    }

    [Fact]
    public void Elastic_distortion_bends_strokes_without_moving_the_digit_away()
    {
        float[] image = Digit(5), distorted = new float[784];
        new ElasticDistortion(alpha: 34, sigma: 4).Apply(image, distorted, 28, 28, new TransformRandom(1, 2));
        Assert.True(MaxDifference(image, distorted) > 0.3f);
        Assert.All(distorted, v => Assert.InRange(v, 0f, 1f));
        var before = CentreOfMass(image, 28);
        var after = CentreOfMass(distorted, 28);
        Assert.InRange(after.Mass / before.Mass, 0.8, 1.2);
        Assert.True(Math.Abs(after.X - before.X) < 2 && Math.Abs(after.Y - before.Y) < 2);
    }

    [Fact]
    public void Rotation_angles_come_from_the_configured_ranges_only_and_from_each()
    {
        var rotation = new RandomRotation([(5, 25), (-25, -5)]);
        var angles = Enumerable.Range(0, 400).Select(i => rotation.Angle(i / 400f)).ToList();
        Assert.All(angles, a => Assert.True(a is >= 5 and <= 25 or >= -25 and <= -5, $"{a}"));
        Assert.Contains(angles, a => a > 0);
        Assert.Contains(angles, a => a < 0);
        Assert.Equal(5, rotation.Angle(0f), 9);
    }

    [Fact]
    public void The_same_seed_gives_the_same_expanded_set_and_another_seed_another()
    {
        Dataset data = Digits.Value.Slice(0, 50);
        var augmentation = new GpuNet.Data.Augmentation.Augmentation([new RandomRotation([(5, 25), (-25, -5)]),
            new RandomShift(1, true)], AugmentationMode.Expand, copies: 2);

        Dataset first = augmentation.Expand(data, seed: 11), again = augmentation.Expand(data, seed: 11),
            other = augmentation.Expand(data, seed: 12);

        Assert.Equal(150, first.Count);
        Assert.Equal(first.Images, again.Images);
        Assert.NotEqual(first.Images, other.Images);
        Assert.Equal(data.Images, first.Images.AsSpan(0, data.Images.Length).ToArray());
        Assert.Equal([.. data.Labels, .. data.Labels, .. data.Labels], first.Labels);
        Assert.NotEqual(data.GetImage(7).ToArray(), first.GetImage(57).ToArray());
    }

    [Fact]
    public void On_the_fly_a_samples_transform_depends_on_the_sample_and_epoch_not_on_its_batch()
    {
        Dataset data = Digits.Value;
        var augmentation = new GpuNet.Data.Augmentation.Augmentation([new ElasticDistortion(34, 4),
            new RandomRotation([(-10, 10)])], AugmentationMode.OnTheFly, 1);
        float[] Batch(int[] indices, int epoch)
        {
            var images = new float[indices.Length * 784];
            data.FillImages(indices, images);
            augmentation.TransformBatch(indices, 28, 28, epoch, seed: 5, images);
            return images;
        }

        float[] alone = Batch([9], 3), among = Batch([4, 9, 1], 3), nextEpoch = Batch([9], 4);

        Assert.Equal(alone, among.AsSpan(784, 784).ToArray());
        Assert.NotEqual(alone, nextEpoch);
    }

    [Fact]
    public void Config_reads_the_lecture_rotation_and_refuses_what_it_does_not_know()
    {
        RunConfig config = RunConfigReader.Read("aug.yaml", """
            model: {layers: [Flatten, Dense: {units: 10, activation: softmax}]}
            loss: categorical_crossentropy
            optimizer: SGD
            augmentation:
              mode: expand
              copies: 2
              transforms:
                - RandomRotation: {ranges: [[5, 25], [-25, -5]]}
                - RandomShift: {pixels: 1, directions: four}
                - ElasticDistortion: {alpha: 34, sigma: 4}
            """);
        var augmentation = config.Augmentation!;
        Assert.Equal(AugmentationMode.Expand, augmentation.Mode);
        Assert.Equal(2, augmentation.Copies);
        Assert.Equal(["RandomRotation", "RandomShift", "ElasticDistortion"],
            augmentation.Transforms.Select(t => t.Name));
        Assert.Equal([(5.0, 25.0), (-25.0, -5.0)], ((RandomRotation)augmentation.Transforms[0]).Ranges);

        string Error(string augmentationYaml)
        {
            var e = Assert.Throws<ConfigException>(() => RunConfigReader.Read("aug.yaml",
                "model: {layers: [Flatten, Dense: {units: 10}]}\nloss: mean_squared_error\noptimizer: " +
                    "SGD\naugmentation: " + augmentationYaml));
            return e.Message;
        }
        Assert.Contains("unknown transform 'Flip'; valid transforms are RandomRotation, RandomShift, " +
            "ElasticDistortion, RandomCrop", Error("{transforms: [Flip]}"));
        Assert.Contains("'copies' is for mode: expand", Error("{copies: 3, transforms: [RandomCrop: {padding: 2}]}"));
        Assert.Contains("aug.yaml:4:", Error("{transforms: [RandomRotation: {ranges: [25, 5]}]}"));
        Assert.Contains("expected four", Error("{transforms: [RandomShift: {directions: diagonal}]}"));
    }
}
