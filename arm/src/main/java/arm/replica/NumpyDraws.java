package arm.replica;

import arm.data.ContinualData;
import arm.method.ContinualMethod;

/**
 * The index draws of ARM and ADI as the authors' code makes them (rng = authors), for a whole run
 * at once: numpy's global generator, seeded with 0 at the start of every run (reproc_settings).
 * Before training, their val and test dataset objects shuffle themselves with it
 * (np.random.permutation of 3,003 and 10,000 on MNIST-5k); then every iteration t ≥ recall_from_t
 * draws, in this order:
 *
 * <ol>
 *   <li>ADI only: np.random.choice(#candidates, M, replace = M &gt; #candidates) over the seen
 *       classes minus those present in the batch, in ascending order;
 *   <li>for round r = 0 (every round with from_scratch) and a real-image start: np.random.choice(N,
 *       M, replace = M &gt; N), the rows of the batch that X̂ copies.
 * </ol>
 *
 * Drawing everything up front keeps the learner free of generator state: a resumed run looks up the
 * same draws. Noise starts (init = noise) draw from torch in their code, on the GPU; here they keep
 * our own stream.
 */
public final class NumpyDraws {
    private final int[][] classes; // [t] the chosen class indices into the candidates, or null
    private final int[][][] rows; // [t][round], or null

    private NumpyDraws(int[][] classes, int[][][] rows) {
        this.classes = classes;
        this.rows = rows;
    }

    /**
     * @param adi whether class choices come first at every recall iteration
     * @param realStarts whether X̂ starts from real rows (false: noise, no numpy draw)
     */
    public static NumpyDraws of(
            ContinualData data,
            int recallFromT,
            int m,
            int rounds,
            boolean fromScratch,
            boolean adi,
            boolean realStarts) {
        NumpyRandom np = new NumpyRandom(0);
        np.permutation(data.val().size()); // the val dataset object's own shuffle
        np.permutation(data.test().size()); // the test one's
        int maxT = data.numBatches();
        int[][] classes = new int[maxT][];
        int[][][] rows = new int[maxT][rounds][];
        boolean[] seen = new boolean[data.numClasses()];
        for (int t = 0; t < maxT; t++) {
            int[] y = data.train().labels(data.batch(t));
            if (t >= recallFromT) {
                boolean[] cand = seen.clone();
                for (int c : y) cand[c] = false;
                int n = ContinualMethod.indices(cand).length;
                boolean recalls = !adi || n > 0; // ADI skips a batch that leaves no past class
                if (adi && n > 0) classes[t] = np.choice(n, m);
                for (int r = 0; r < rounds && recalls && realStarts; r++)
                    if (r == 0 || fromScratch) rows[t][r] = np.choice(y.length, m);
            }
            for (int c : y) seen[c] = true;
        }
        return new NumpyDraws(classes, rows);
    }

    /** ADI's choice at t: indices into the ascending candidate classes. */
    public int[] classes(int t) {
        return checked(classes[t], t, "class");
    }

    /** The real rows X̂ copies at t, round r. */
    public int[] rows(int t, int round) {
        return checked(rows[t][round], t, "row");
    }

    private static int[] checked(int[] draw, int t, String what) {
        if (draw == null)
            throw new IllegalStateException(
                    "the authors' stream has no " + what + " draw at t = " + t);
        return draw.clone();
    }
}
