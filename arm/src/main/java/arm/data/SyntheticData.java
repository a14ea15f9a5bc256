package arm.data;

import java.util.SplittableRandom;

/**
 * Random-pixel streams shaped like the benchmarks, for timings and device checks that need no
 * files: 5 tasks × 2 classes, N = 10, the stream in label order (task by task).
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

    private static ContinualData of(String name, long seed, int perClass, int[] item) {
        SplittableRandom rng = new SplittableRandom(seed);
        int n = 10 * perClass, d = 1;
        for (int s : item) d *= s;
        byte[] px = new byte[n * d];
        rng.nextBytes(px);
        int[] labels = new int[n], stream = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = i / perClass;
            stream[i] = i;
        }
        Dataset train = new Dataset(name, px, labels, item);
        return new ContinualData(train, stream, train, train, 10, 2, 10);
    }
}
