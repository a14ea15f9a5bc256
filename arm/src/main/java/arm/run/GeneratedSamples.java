package arm.run;

/**
 * What a generative-replay run (GEN, GEN-MIR) recorded for its figure: at the end of every task,
 * the VAE's decoder means at the same prior draws.
 *
 * @param itemShape shape of one image ({784} for MNIST)
 * @param tasks the tasks whose end was recorded, ascending (0-based)
 * @param images [task index][n · item]: the n samples of that task's end, flat, pixels in [0, 1]
 */
public record GeneratedSamples(int[] itemShape, int[] tasks, float[][] images) {

    public GeneratedSamples {
        if (tasks.length != images.length)
            throw new IllegalArgumentException(
                    tasks.length + " tasks but " + images.length + " image sets");
    }

    /** Values per image. */
    public int itemSize() {
        int n = 1;
        for (int d : itemShape) n *= d;
        return n;
    }

    /** Samples per task. */
    public int perTask() {
        return images.length == 0 ? 0 : images[0].length / itemSize();
    }
}
