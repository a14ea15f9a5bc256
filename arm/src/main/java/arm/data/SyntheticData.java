package arm.data;

import java.util.SplittableRandom;

/**
 * Random-pixel streams shaped like the benchmarks, for timings and device checks that need no
 * files: N = 10, the stream in label order (task by task); MNIST and CIFAR10 5 tasks × 2 classes,
 * MiniImageNet 20 tasks × 5 classes.
 */
public final class SyntheticData {
    private SyntheticData() {}

    /** MNIST-shaped: 10 classes × 20 flat images of 784 pixels; T = 4 batches per task. */
    public static ContinualData mnistShaped(long seed) {
        return of("mnist-shaped", seed, 20, new int[] {784});
    }

    /** CIFAR10-shaped: 10 classes × 40 images of 3×32×32; T = 8 batches per task. */
    public static ContinualData cifarShaped(long seed) {
        return of("cifar-shaped", seed, 40, new int[] {3, 32, 32});
    }

    /** MiniImageNet-shaped: 100 classes × 4 images of 3×84×84; T = 2 batches per task. */
    public static ContinualData miniImageNetShaped(long seed) {
        return of("miniimagenet-shaped", seed, 100, 5, 4, new int[] {3, 84, 84});
    }

    /** The stream shaped like {@code benchmark}: mnist, cifar10 or miniimagenet. */
    public static ContinualData shapedLike(String benchmark, long seed) {
        return switch (benchmark) {
            case "mnist" -> mnistShaped(seed);
            case "cifar10" -> cifarShaped(seed);
            case "miniimagenet" -> miniImageNetShaped(seed);
            default ->
                    throw new IllegalArgumentException(
                            "no synthetic stream shaped like "
                                    + benchmark
                                    + " (mnist, cifar10 or miniimagenet)");
        };
    }

    private static ContinualData of(String name, long seed, int perClass, int[] item) {
        return of(name, seed, 10, 2, perClass, item);
    }

    private static ContinualData of(
            String name, long seed, int classes, int perTask, int perClass, int[] item) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = classes * perClass, d = 1;
        for (int s : item) d *= s;
        byte[] px = new byte[n * d];
        rng.nextBytes(px);
        int[] labels = new int[n], stream = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / perClass;
            stream[i] = i;
        }
        Dataset train = new Dataset(name, px, labels, item);
        return new ContinualData(train, stream, train, train, classes, perTask, 10);
    }
}
