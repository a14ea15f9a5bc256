package arm.method;

import arm.data.ContinualData;
import arm.data.Dataset;
import java.util.SplittableRandom;

/**
 * Small continual benchmarks for fast loop tests: K classes, each a random uint8 prototype plus
 * noise, arranged in task blocks of classesPerTask classes like the real protocol (each task's
 * samples shuffled within the task, batches of N).
 */
public final class Synthetic {
    private Synthetic() {}

    public static ContinualData data(
            long seed, int classes, int perTask, int perClass, int pixels, int n) {
        SplittableRandom rng = new SplittableRandom(seed);
        byte[][] proto = new byte[classes][pixels];
        for (byte[] p : proto) for (int i = 0; i < pixels; i++) p[i] = (byte) rng.nextInt(256);
        Dataset train = sample("synthetic train", proto, perClass, rng);
        int tasks = classes / perTask, perTaskSamples = perTask * perClass;
        int[] stream = new int[classes * perClass];
        for (int t = 0; t < tasks; t++) {
            int[] block = new int[perTaskSamples];
            for (int i = 0; i < perTaskSamples; i++)
                block[i] = t * perTaskSamples + i; // class-major order
            for (int i = block.length - 1; i > 0; i--) {
                int j = rng.nextInt(i + 1), tmp = block[i];
                block[i] = block[j];
                block[j] = tmp;
            }
            System.arraycopy(block, 0, stream, t * perTaskSamples, perTaskSamples);
        }
        return new ContinualData(
                train,
                stream,
                sample("synthetic val", proto, 7, rng),
                sample("synthetic test", proto, 11, rng),
                classes,
                perTask,
                n);
    }

    private static Dataset sample(String name, byte[][] proto, int perClass, SplittableRandom rng) {
        int classes = proto.length, pixels = proto[0].length, n = classes * perClass;
        byte[] px = new byte[n * pixels];
        int[] labels = new int[n];
        for (int c = 0, i = 0; c < classes; c++)
            for (int k = 0; k < perClass; k++, i++) {
                labels[i] = c;
                for (int j = 0; j < pixels; j++) {
                    int v = (proto[c][j] & 0xFF) + rng.nextInt(61) - 30;
                    px[i * pixels + j] = (byte) Math.max(0, Math.min(255, v));
                }
            }
        return new Dataset(name, px, labels, new int[] {pixels});
    }
}
